import { recordAudit } from '../audit/audit.repository.ts';
import { removeStopOfBooking } from '../dispatch/dispatch-tx.ts';
import type { Transaction } from '../db/client.ts';
import { createPaymentsRepository } from '../payments/payments.repository.ts';
import { applyRefundDecision } from '../payments/refund-decision-tx.ts';
import { createBookingHoldsRepository } from './booking-holds.repository.ts';
import { transitionBooking, type Actor } from './bookings.repository.ts';
import type { Booking } from './bookings.table.ts';

/**
 * How much of the money goes back: `policy` is the office's refund policy (a citizen or clerk
 * cancelling), `full` everything not yet refunded (a payment that never matched its booking),
 * `none` nothing (the money already went back through a dispute or a refund at Stripe).
 */
export type RefundRule = 'policy' | 'full' | 'none';

/**
 * Cancels a booking inside the caller's transaction: the state machine moves it, a refund owed is
 * written as a pending row (carried out after commit), open holds are released, and the audit
 * log says who did it. Returns the PaymentIntent to cancel when nothing was paid yet.
 */
export async function cancelBookingInTx(
  tx: Transaction,
  booking: Booking,
  input: { actor: Actor; reason: string; refund: RefundRule; now: Date; requestId?: string; holdResolution?: string },
) {
  const updated = await transitionBooking(tx, booking, 'cancelled', input.actor, input.reason);
  // Its route's company is told (route.updated), so no courier rings at that door.
  if (booking.status === 'planned') await removeStopOfBooking(tx, booking.id);
  // The decision (and the refund it owes, a pending row carried out after commit) is recorded with
  // the cancellation. A disputed charge gets no refund (Stripe refuses): the dispute decides.
  const payment = await createPaymentsRepository(tx).findByBooking(booking.id);
  const { refund } = await applyRefundDecision(tx, {
    booking,
    occasion: { kind: 'cancelled', statusAtCancellation: booking.status, refund: input.refund },
    actor: input.actor,
    now: input.now,
    requestId: input.requestId,
    refundReason: 'cancelled',
  });
  const releasedHolds = await createBookingHoldsRepository(tx).release(
    { bookingId: booking.id },
    { releasedBy: input.actor.id ?? input.actor.type, resolution: input.holdResolution ?? 'cancelled', at: input.now },
  );
  await recordAudit(tx, {
    actorType: input.actor.type,
    actorId: input.actor.id,
    action: 'booking.cancelled',
    subjectType: 'booking',
    subjectId: booking.id,
    officeId: booking.officeId,
    requestId: input.requestId,
    details: { from: booking.status, refundCents: refund?.amountCents ?? 0, releasedHolds: releasedHolds.length },
  });
  const unpaid = payment && payment.status !== 'succeeded';
  // A Checkout booking is stopped by expiring its session (which cancels its PaymentIntent).
  const checkoutSessionToExpire = unpaid && payment.checkoutSessionId ? payment.checkoutSessionId : null;
  const paymentIntentToCancel = unpaid && !checkoutSessionToExpire && payment.paymentIntentId ? payment.paymentIntentId : null;
  return { booking: updated, refund, paymentIntentToCancel, checkoutSessionToExpire, releasedHolds };
}
