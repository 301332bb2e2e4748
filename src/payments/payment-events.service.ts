import type { Database, Transaction } from '../db/client.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { createBookingsRepository } from '../bookings/bookings.repository.ts';
import { canTransition } from '../bookings/booking-status.ts';
import { createPaymentsRepository } from './payments.repository.ts';
import { isForwardPaymentStatus } from './payment-status.ts';
import type { PaymentEvent } from './payment-gateway.ts';

export type EventOutcome =
  | 'duplicate'
  | 'ignored'
  | 'unknown_payment'
  | 'booking_paid'
  | 'paid_after_cancellation_refund_owed'
  | 'no_change'
  | 'payment_failed_recorded'
  | 'payment_canceled_recorded'
  | 'booking_expired'
  | 'booking_cancelled'
  | 'refund_recorded'
  | 'dispute_recorded';

/**
 * Applies a verified payment event. The event id is claimed in the same transaction as its effect,
 * so a redelivery is a no-op and a crash leaves neither half. Refunds the event makes necessary
 * are written as pending rows here and carried out after commit (`onRefundOwed`).
 */
export function createPaymentEventsService(deps: { db: Database; onRefundOwed: (refundId: string) => Promise<void> }) {
  return {
    async applyEvent(event: PaymentEvent): Promise<{ outcome: EventOutcome }> {
      const owed: string[] = [];
      const outcome = await deps.db.transaction(async (tx) => {
        const claimed = await createPaymentsRepository(tx).claimEvent({
          id: event.eventId,
          type: event.eventType,
          objectId: event.paymentIntentId,
          createdAt: event.createdAt,
          outcome: 'processing',
        });
        if (!claimed) return 'duplicate' as const;
        const result = await applyEffect(tx, event, owed);
        await createPaymentsRepository(tx).setEventOutcome(event.eventId, result);
        return result;
      });
      for (const refundId of owed) await deps.onRefundOwed(refundId);
      return { outcome };
    },
  };
}

async function applyEffect(tx: Transaction, event: PaymentEvent, owed: string[]): Promise<EventOutcome> {
  if (event.kind === 'ignored') return 'ignored';
  const payments = createPaymentsRepository(tx);
  const bookingsRepo = createBookingsRepository(tx);
  const found =
    (event.paymentIntentId ? await payments.findByPaymentIntent(event.paymentIntentId) : undefined) ??
    ('chargeId' in event && event.chargeId ? await payments.findByCharge(event.chargeId) : undefined);
  // Events for PaymentIntents this platform did not create (another integration on the same
  // Stripe account) are acknowledged and left alone.
  if (!found) return 'unknown_payment';
  // Locks in the order cancellation and expiry take them, booking first, then payment: the other
  // order deadlocked against an expiry whose own payment_intent.canceled arrived meanwhile.
  const booking = await bookingsRepo.findById(found.bookingId, { forUpdate: true });
  if (!booking) return 'unknown_payment';
  const payment = (await payments.findByBooking(found.bookingId, { forUpdate: true }))!;
  const actor = { type: 'stripe' as const, id: event.eventId };
  const audit = (action: string, details: Record<string, unknown> = {}) =>
    recordAudit(tx, {
      actorType: 'stripe',
      actorId: event.eventId,
      action,
      subjectType: 'booking',
      subjectId: booking.id,
      officeId: booking.officeId,
      details,
    });

  switch (event.kind) {
    case 'payment_succeeded': {
      // A payment is news once: a second notification of it (another event id) owes nothing more.
      const alreadyKnown = payment.status === 'succeeded';
      if (!alreadyKnown) {
        await payments.update(payment.id, { status: 'succeeded', latestChargeId: event.chargeId ?? payment.latestChargeId });
      }
      if (booking.status === 'awaiting_payment') {
        await bookingsRepo.transition(booking, 'paid', actor, 'payment_intent.succeeded');
        await audit('payment.succeeded', { amountCents: event.amountCents, paymentIntentId: event.paymentIntentId });
        return 'booking_paid';
      }
      if (!alreadyKnown && (booking.status === 'cancelled' || booking.status === 'expired')) {
        // The citizen paid after the booking ended (an expiry racing a slow payment). The money
        // must go back: a paid booking is delivered or refunded, never forgotten.
        const refund = await payments.insertRefund({
          paymentId: payment.id,
          bookingId: booking.id,
          amountCents: event.amountCents,
          reason: `paid_after_${booking.status}`,
        });
        owed.push(refund.id);
        await audit('payment.succeeded_after_end', { refundId: refund.id, amountCents: event.amountCents });
        return 'paid_after_cancellation_refund_owed';
      }
      return 'no_change';
    }
    case 'payment_failed': {
      if (!isForwardPaymentStatus(payment.status, 'requires_payment_method')) return 'no_change';
      await payments.update(payment.id, { status: 'requires_payment_method' });
      await audit('payment.failed', { failureCode: event.failureCode });
      return 'payment_failed_recorded';
    }
    case 'payment_canceled': {
      if (!isForwardPaymentStatus(payment.status, 'canceled')) return 'no_change';
      await payments.update(payment.id, { status: 'canceled' });
      if (booking.status === 'awaiting_payment') {
        // `abandoned` is what the expiry job sends; anything else was cancelled on purpose.
        const to = event.cancellationReason === 'abandoned' ? 'expired' : 'cancelled';
        if (canTransition(booking.status, to)) {
          await bookingsRepo.transition(booking, to, actor, `payment_intent.canceled:${event.cancellationReason ?? 'unknown'}`);
          return to === 'expired' ? 'booking_expired' : 'booking_cancelled';
        }
      }
      return 'payment_canceled_recorded';
    }
    case 'charge_refunded': {
      // Stripe's charge carries the refunded total: take the larger, so a late event never lowers it.
      if (event.amountRefundedCents <= payment.amountRefundedCents) return 'no_change';
      await payments.update(payment.id, { amountRefundedCents: Math.min(event.amountRefundedCents, payment.amountCents) });
      await audit('payment.refunded', { amountRefundedCents: event.amountRefundedCents });
      return 'refund_recorded';
    }
    case 'dispute_created': {
      if (payment.disputed) return 'no_change';
      await payments.update(payment.id, { disputed: true });
      await audit('payment.disputed', { disputeId: event.disputeId, amountCents: event.amountCents, reason: event.reason });
      return 'dispute_recorded';
    }
  }
}
