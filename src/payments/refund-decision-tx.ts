import { recordAudit } from '../audit/audit.repository.ts';
import type { Actor } from '../bookings/bookings.repository.ts';
import type { Booking } from '../bookings/bookings.table.ts';
import type { DbOrTx } from '../db/client.ts';
import { createDispatchRepository } from '../dispatch/dispatch.repository.ts';
import { createOfficesRepository } from '../offices/offices.repository.ts';
import { required } from '../shared/required.ts';
import { createPaymentsRepository, type PaymentsRepository } from './payments.repository.ts';
import type { Payment, Refund, RefundDecision } from './payments.table.ts';
import { decideRefund, refundStillOwed, type RefundOccasion } from './refund-decision.ts';

/** The occasion as the ending transaction knows it; the attempts of a return are read here. */
export type EndingOccasion = Exclude<RefundOccasion, { kind: 'returned_to_office' }> | { kind: 'returned_to_office' };

/** What was paid: only a succeeded payment counts, at what Stripe says it received. */
export const paidCentsOf = (payment: Payment | undefined) =>
  payment?.status === 'succeeded' ? (payment.amountReceivedCents ?? payment.amountCents) : 0;

/**
 * What already went back or is on its way: Stripe's refunded total (refunds made in the dashboard
 * included) or the platform's own pending and made refunds, whichever is more. A pending row
 * counts, so deciding twice (a retried transaction, a second look) never refunds twice.
 */
export async function refundedCentsOf(payments: PaymentsRepository, payment: Payment | undefined) {
  return payment ? Math.max(payment.amountRefundedCents, await payments.refundsOwedTotal(payment.id)) : 0;
}

/**
 * Decides the refund in the transaction that ends the booking (its row locked by the caller),
 * records the decision, and writes a pending refund for what is owed beyond what already went back;
 * the caller has it carried out after commit, and the refund sweep catches a lost enqueue.
 *
 * A person's override stands against a later automatic decision, and a lost dispute is final:
 * the bank gave the money back, so the booking's pending refunds are stopped and none is written.
 * A disputed payment gets no automatic refund (Stripe refuses one while the dispute runs).
 */
export async function applyRefundDecision(
  tx: DbOrTx,
  input: {
    booking: Booking;
    occasion: EndingOccasion;
    actor: Actor;
    now: Date;
    requestId?: string;
    refundReason?: string;
    /** The caller writes the refund itself (a path that refunds an exact amount received): only the decision is recorded. */
    recordOnly?: boolean;
  },
): Promise<{ decision: RefundDecision; refund: Refund | null; stopped: Refund[] }> {
  const { booking } = input;
  const payments = createPaymentsRepository(tx);
  const payment = await payments.findByBooking(booking.id, { forUpdate: true });
  const existing = await payments.findRefundDecision(booking.id, { forUpdate: true });
  const isDisputeLost = input.occasion.kind === 'dispute_lost';
  if (existing && (existing.rule === 'dispute_lost' || (existing.overriddenAt && !isDisputeLost))) {
    return { decision: existing, refund: null, stopped: [] };
  }
  const office = required(await createOfficesRepository(tx).findById(booking.officeId), `office ${booking.officeId}`);
  const occasion: RefundOccasion =
    input.occasion.kind === 'returned_to_office'
      ? {
          kind: 'returned_to_office',
          attempts: (await createDispatchRepository(tx).attemptsOfBooking(booking.id)).map((a) => ({
            attempt: a.attempt,
            outcome: a.outcome,
            reason: a.reason,
          })),
        }
      : input.occasion;
  const paidCents = paidCentsOf(payment);
  const refundedCents = await refundedCentsOf(payments, payment);
  const result = decideRefund({
    occasion,
    office,
    paidCents,
    refundedCents,
  });
  const owed = payment?.disputed || input.recordOnly ? 0 : refundStillOwed(result.amountCents, refundedCents);
  const reason =
    payment?.disputed && !isDisputeLost && !input.recordOnly && result.amountCents > refundedCents
      ? `${result.reason} The payment is disputed: the dispute decides where the money goes, no refund is made now.`.slice(0, 500)
      : result.reason;
  const decision = await payments.upsertRefundDecision({
    bookingId: booking.id,
    rule: result.rule,
    reason,
    policyAmountCents: result.amountCents,
    amountCents: result.amountCents,
    decidedAt: input.now,
    overriddenByStaffId: null,
    overriddenAt: null,
    overrideComment: null,
  });
  const stopped = isDisputeLost
    ? await payments.failPendingRefundsOfBooking(
        booking.id,
        'Not made: a dispute was lost and the bank already returned the money (refund decision dispute_lost)',
      )
    : [];
  const refund =
    owed > 0 && payment
      ? await payments.insertRefund({
          paymentId: payment.id,
          bookingId: booking.id,
          amountCents: owed,
          reason: input.refundReason ?? result.rule,
        })
      : null;
  await recordAudit(tx, {
    actorType: input.actor.type,
    actorId: input.actor.id,
    action: 'refund.decided',
    subjectType: 'booking',
    subjectId: booking.id,
    officeId: booking.officeId,
    requestId: input.requestId,
    details: {
      rule: decision.rule,
      amountCents: decision.amountCents,
      refundId: refund?.id ?? null,
      refundCents: refund?.amountCents ?? 0,
      stoppedRefundIds: stopped.map((r) => r.id),
    },
  });
  return { decision, refund, stopped };
}

/**
 * What cancelling now would send back (the new refund, beyond what already went back), read
 * without writing, by the same rule and figures `applyRefundDecision` uses when the cancellation
 * happens: the amount a citizen is shown before confirming is the amount the cancellation refunds.
 */
export async function previewCancellationRefund(db: DbOrTx, booking: Booking): Promise<number> {
  const payments = createPaymentsRepository(db);
  const payment = await payments.findByBooking(booking.id);
  // A disputed charge gets no refund: the dispute decides (as in applyRefundDecision).
  if (payment?.disputed) return 0;
  const office = required(await createOfficesRepository(db).findById(booking.officeId), `office ${booking.officeId}`);
  const refundedCents = await refundedCentsOf(payments, payment);
  const result = decideRefund({
    occasion: { kind: 'cancelled', statusAtCancellation: booking.status, refund: 'policy' },
    office,
    paidCents: paidCentsOf(payment),
    refundedCents,
  });
  return refundStillOwed(result.amountCents, refundedCents);
}
