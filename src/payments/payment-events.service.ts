import { inOneRoundTrip, type Database, type Transaction } from '../db/client.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { createBookingHoldsRepository } from '../bookings/booking-holds.repository.ts';
import { createBookingsRepository, type Actor, transitionBooking } from '../bookings/bookings.repository.ts';
import { canTransition, IN_OFFICE_STATUSES } from '../bookings/booking-status.ts';
import type { Booking, HoldReason } from '../bookings/bookings.table.ts';
import { createOfficesRepository } from '../offices/offices.repository.ts';
import type { PaymentIssueHandling } from '../offices/offices.table.ts';
import { required } from '../shared/required.ts';
import { createPaymentsRepository, type PaymentsRepository } from './payments.repository.ts';
import type { DiscrepancyAction, Payment, PaymentDiscrepancy } from './payments.table.ts';
import { isForwardPaymentStatus } from './payment-status.ts';
import { findPaymentMismatch } from './payment-match.ts';
import { applyRefundDecision } from './refund-decision-tx.ts';
import { findUnlinkedCheckoutPayment, linkCheckoutPaymentIntent } from './checkout-link.ts';
import type { PaymentEvent } from './payment-gateway.ts';

export type EventOutcome =
  | 'duplicate'
  | 'ignored'
  | 'unknown_payment'
  | 'unknown_payment_discrepancy_recorded'
  | 'booking_paid'
  | 'paid_after_cancellation_refund_owed'
  | 'payment_mismatch_held'
  | 'payment_mismatch_refund_owed'
  | 'no_change'
  | 'payment_failed_recorded'
  | 'payment_canceled_recorded'
  | 'booking_expired'
  | 'booking_cancelled'
  | 'refund_recorded'
  | 'refund_outside_platform_recorded'
  | 'refunded_at_stripe_held'
  | 'refunded_at_stripe_cancelled'
  | 'dispute_recorded'
  | 'dispute_held'
  | 'dispute_won_released'
  | 'dispute_lost_held'
  | 'dispute_lost_cancelled'
  | 'dispute_closed_recorded';

/**
 * Applies a verified payment event. The event id is claimed in the same transaction as its effect,
 * so a redelivery is a no-op and a crash leaves neither half. Refunds the event makes necessary
 * are written as pending rows here and carried out after commit (`onRefundOwed`).
 *
 * Money that does not match is never taken on trust: a payment whose amount, currency or metadata
 * differ from its booking does not pay it, a refund made at Stripe (not by the platform) and a
 * dispute are recorded as discrepancies for the finance office, and a booking whose money is in
 * question is held in the office (or, where the office's rule is `automatic`, refunded/cancelled).
 */
export function createPaymentEventsService(deps: { db: Database; clock?: () => Date; onRefundOwed: (refundId: string) => Promise<void> }) {
  const clock = deps.clock ?? (() => new Date());
  return {
    async applyEvent(event: PaymentEvent): Promise<{ outcome: EventOutcome }> {
      const owed: string[] = [];
      const outcome = await deps.db.transaction(async (tx) => {
        const payments = createPaymentsRepository(tx);
        // The claim and the lookup of the payment go together (a duplicate wasted only a read).
        const [claimed, byIntent] = await inOneRoundTrip(tx, [
          () =>
            payments.claimEvent({
              id: event.eventId,
              type: event.eventType,
              objectId: event.paymentIntentId,
              createdAt: event.createdAt,
              outcome: 'processing',
            }),
          () =>
            event.kind !== 'ignored' && event.paymentIntentId
              ? payments.findByPaymentIntent(event.paymentIntentId)
              : Promise.resolve(undefined),
        ]);
        if (!claimed) return 'duplicate' as const;
        const result = await applyEffect(tx, event, byIntent, { owed, now: clock() });
        await createPaymentsRepository(tx).setEventOutcome(event.eventId, result);
        return result;
      });
      for (const refundId of owed) await deps.onRefundOwed(refundId);
      return { outcome };
    },
  };
}

interface EffectContext {
  owed: string[];
  now: Date;
}

/** What one event handler works with: the locked booking and payment, and small helpers. */
interface Scope {
  tx: Transaction;
  event: PaymentEvent;
  booking: Booking;
  payment: Payment;
  payments: PaymentsRepository;
  actor: Actor;
  handling: PaymentIssueHandling;
  ctx: EffectContext;
  audit(action: string, details?: Record<string, unknown>): Promise<void>;
  /** Records a discrepancy once per dedupe key; null when this fact was recorded before. */
  discrepancy(values: DiscrepancyValues): Promise<PaymentDiscrepancy | null>;
  /** Places a hold and links the discrepancy to it. */
  hold(reason: HoldReason, discrepancy: PaymentDiscrepancy): Promise<void>;
  /** Moves the booking to cancelled, for a reason Stripe's news gave. */
  cancel(reason: string): Promise<void>;
}

type DiscrepancyValues = Omit<
  Parameters<PaymentsRepository['recordDiscrepancy']>[0],
  'paymentId' | 'bookingId' | 'officeId' | 'kassenzeichen'
> & { action: DiscrepancyAction };

async function applyEffect(tx: Transaction, event: PaymentEvent, byIntent: Payment | undefined, ctx: EffectContext): Promise<EventOutcome> {
  if (event.kind === 'ignored') return 'ignored';
  const payments = createPaymentsRepository(tx);
  const bookingsRepo = createBookingsRepository(tx);
  const found =
    byIntent ??
    ('chargeId' in event && event.chargeId ? await payments.findByCharge(event.chargeId) : undefined) ??
    // Checkout: the PaymentIntent is Stripe's to make when the citizen pays (checkout-link.ts).
    (await findUnlinkedCheckoutPayment(payments, event));
  // Events for PaymentIntents this platform did not create (another integration on the same
  // Stripe account) are acknowledged and left alone, unless one claims to pay a booking of ours.
  if (!found) return event.kind === 'payment_succeeded' ? recordForeignPayment(tx, event) : 'unknown_payment';
  // Locks in the order cancellation and expiry take them, booking first, then payment: the other
  // order deadlocked against an expiry whose own payment_intent.canceled arrived meanwhile.
  // Sent in one round trip; PostgreSQL takes the locks in the order sent.
  const [booking, lockedPayment, office] = await inOneRoundTrip(tx, [
    () => bookingsRepo.findById(found.bookingId, { forUpdate: true }),
    () => payments.findByBooking(found.bookingId, { forUpdate: true }),
    () => createOfficesRepository(tx).findByBooking(found.bookingId),
  ]);
  if (!booking) return 'unknown_payment';
  // Checkout: linked under the locks, so a concurrent second notice of the payment waits and finds it linked.
  const payment = await linkCheckoutPaymentIntent(
    payments,
    required(lockedPayment, `payment of booking ${found.bookingId} (found a moment ago)`),
    event,
  );
  if (!payment) return 'unknown_payment';
  const actor: Actor = { type: 'stripe', id: event.eventId };
  const scope: Scope = {
    tx,
    event,
    booking,
    payment,
    payments,
    actor,
    handling: office?.paymentIssueHandling ?? 'hold',
    ctx,
    audit: (action, details = {}) =>
      recordAudit(tx, {
        actorType: 'stripe',
        actorId: event.eventId,
        action,
        subjectType: 'booking',
        subjectId: booking.id,
        officeId: booking.officeId,
        details,
      }),
    discrepancy: (values) =>
      payments.recordDiscrepancy({
        ...values,
        paymentId: payment.id,
        bookingId: booking.id,
        officeId: booking.officeId,
        kassenzeichen: payment.kassenzeichen,
      }),
    async hold(reason, discrepancy) {
      const { hold } = await createBookingHoldsRepository(tx).place(booking.id, reason);
      await payments.updateDiscrepancy(discrepancy.id, { holdId: hold.id });
      await scope.audit('booking.held', { reason, holdId: hold.id, discrepancyId: discrepancy.id });
    },
    async cancel(reason) {
      await transitionBooking(tx, booking, 'cancelled', actor, reason);
      // A cancelled booking waits for nobody: whatever held it is settled by the cancellation.
      await createBookingHoldsRepository(tx).release(
        { bookingId: booking.id },
        { releasedBy: `stripe:${event.eventId}`, resolution: 'cancelled', at: ctx.now },
      );
      await scope.audit('booking.cancelled', { reason });
    },
  };

  switch (event.kind) {
    case 'payment_succeeded':
      return onPaymentSucceeded(scope, event);
    case 'payment_failed': {
      if (!isForwardPaymentStatus(payment.status, 'requires_payment_method')) return 'no_change';
      await payments.update(payment.id, { status: 'requires_payment_method' });
      await scope.audit('payment.failed', { failureCode: event.failureCode });
      return 'payment_failed_recorded';
    }
    case 'payment_canceled': {
      if (!isForwardPaymentStatus(payment.status, 'canceled')) return 'no_change';
      await payments.update(payment.id, { status: 'canceled' });
      if (booking.status === 'awaiting_payment') {
        // `abandoned` is what the expiry job sends; anything else was cancelled on purpose.
        const to = event.cancellationReason === 'abandoned' ? 'expired' : 'cancelled';
        if (canTransition(booking.status, to)) {
          await transitionBooking(tx, booking, to, actor, `payment_intent.canceled:${event.cancellationReason ?? 'unknown'}`);
          return to === 'expired' ? 'booking_expired' : 'booking_cancelled';
        }
      }
      return 'payment_canceled_recorded';
    }
    case 'charge_refunded':
      return onChargeRefunded(scope, event);
    case 'dispute_opened':
      return onDisputeOpened(scope, event);
    case 'dispute_closed':
      return onDisputeClosed(scope, event);
  }
}

async function onPaymentSucceeded(s: Scope, event: Extract<PaymentEvent, { kind: 'payment_succeeded' }>): Promise<EventOutcome> {
  const { booking, payment, payments } = s;
  // A payment is news once: a second notification of it (another event id) owes nothing more.
  const alreadyKnown = payment.status === 'succeeded';
  const recordPayment = () =>
    alreadyKnown
      ? // Checkout: the session's news carries no charge; the PaymentIntent's, arriving after it, does.
        !payment.latestChargeId && event.chargeId
        ? payments.update(payment.id, { latestChargeId: event.chargeId })
        : Promise.resolve()
      : payments.update(payment.id, {
          status: 'succeeded',
          latestChargeId: event.chargeId ?? payment.latestChargeId,
          amountReceivedCents: event.amountCents,
        });
  const mismatch =
    booking.status === 'awaiting_payment'
      ? findPaymentMismatch(
          { bookingId: booking.id, kassenzeichen: booking.kassenzeichen, amountCents: booking.amountCents, currency: booking.currency },
          event,
        )
      : null;
  if (booking.status === 'awaiting_payment' && !mismatch) {
    // The common case in one round trip: payment row, booking move (with its event row), audit.
    await inOneRoundTrip(s.tx, [
      recordPayment,
      () => transitionBooking(s.tx, booking, 'paid', s.actor, 'payment_intent.succeeded'),
      () => s.audit('payment.succeeded', { amountCents: event.amountCents, paymentIntentId: event.paymentIntentId }),
    ]);
    return 'booking_paid';
  }
  await recordPayment();
  if (mismatch) {
    // Signed by Stripe, but not what was asked for: the booking stays unpaid.
    const automatic = s.handling === 'automatic';
    const discrepancy = await s.discrepancy({
      dedupeKey: `${mismatch.kind}:${event.paymentIntentId}`,
      kind: mismatch.kind,
      stripeObjectId: event.paymentIntentId,
      expectedAmountCents: mismatch.expectedAmountCents,
      actualAmountCents: mismatch.actualAmountCents,
      expectedCurrency: mismatch.expectedCurrency,
      actualCurrency: mismatch.actualCurrency,
      facts: { ...mismatch.facts, eventId: event.eventId },
      action: automatic ? 'refunded' : 'held',
    });
    if (!discrepancy) return 'no_change';
    await s.audit('payment.mismatch', {
      kind: mismatch.kind,
      discrepancyId: discrepancy.id,
      expected: mismatch.expectedAmountCents,
      received: event.amountCents,
    });
    if (!automatic) {
      await s.hold('payment_mismatch', discrepancy);
      return 'payment_mismatch_held';
    }
    await s.cancel('payment_mismatch');
    const refund = await payments.insertRefund({
      paymentId: payment.id,
      bookingId: booking.id,
      amountCents: event.amountCents,
      reason: 'payment_mismatch',
    });
    s.ctx.owed.push(refund.id);
    await recordEndOfUnkeptPayment(s);
    return 'payment_mismatch_refund_owed';
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
    s.ctx.owed.push(refund.id);
    await s.audit('payment.succeeded_after_end', { refundId: refund.id, amountCents: event.amountCents });
    await recordEndOfUnkeptPayment(s);
    return 'paid_after_cancellation_refund_owed';
  }
  return 'no_change';
}

/**
 * A payment the ended booking cannot keep (it did not match, or came after the booking ended) goes
 * back whole; its refund is written by the caller as before, and the decision records that it is
 * owed (the booking's earlier decision said nothing was paid).
 */
async function recordEndOfUnkeptPayment(s: Scope) {
  await applyRefundDecision(s.tx, {
    booking: s.booking,
    occasion: { kind: 'cancelled', statusAtCancellation: s.booking.status, refund: 'full' },
    actor: s.actor,
    now: s.ctx.now,
    recordOnly: true,
  });
}

async function onChargeRefunded(s: Scope, event: Extract<PaymentEvent, { kind: 'charge_refunded' }>): Promise<EventOutcome> {
  const { booking, payment, payments } = s;
  // Stripe's charge carries the refunded total: take the larger, so a late event never lowers it.
  if (event.amountRefundedCents <= payment.amountRefundedCents) return 'no_change';
  const paid = payment.amountReceivedCents ?? payment.amountCents;
  await payments.update(payment.id, { amountRefundedCents: Math.min(event.amountRefundedCents, Math.max(paid, payment.amountCents)) });
  await s.audit('payment.refunded', { amountRefundedCents: event.amountRefundedCents });
  // The platform's own refunds are rows before they reach Stripe (pending counts): whatever
  // Stripe refunded beyond them was done elsewhere, e.g. in Stripe's dashboard.
  const ours = await payments.refundsOwedTotal(payment.id);
  if (event.amountRefundedCents <= ours) return 'refund_recorded';

  const fully = event.amountRefundedCents >= paid;
  const inOffice = IN_OFFICE_STATUSES.includes(booking.status);
  const act = !fully || !inOffice ? 'recorded' : s.handling === 'automatic' ? 'cancelled' : 'held';
  const discrepancy = await s.discrepancy({
    dedupeKey: `refund_outside_platform:${event.chargeId}:${event.amountRefundedCents}`,
    kind: 'refund_outside_platform',
    stripeObjectId: event.chargeId,
    expectedAmountCents: ours,
    actualAmountCents: event.amountRefundedCents,
    expectedCurrency: payment.currency,
    actualCurrency: event.currency,
    facts: { eventId: event.eventId, fullyRefunded: fully, bookingStatus: booking.status },
    action: act,
  });
  if (!discrepancy) return 'refund_recorded';
  if (act === 'held') {
    // Nothing is left to deliver for: the document stays until finance decides.
    await s.hold('refunded_at_stripe', discrepancy);
    return 'refunded_at_stripe_held';
  }
  if (act === 'cancelled') {
    await s.cancel('refunded_at_stripe');
    return 'refunded_at_stripe_cancelled';
  }
  return 'refund_outside_platform_recorded';
}

/** Records the dispute once (a later report of it finds the row) and flags the payment disputed. */
async function recordDispute(s: Scope, event: Extract<PaymentEvent, { kind: 'dispute_opened' | 'dispute_closed' }>) {
  const result = await s.payments.insertDispute({
    id: event.disputeId,
    paymentId: s.payment.id,
    bookingId: s.booking.id,
    amountCents: event.amountCents,
    currency: event.currency,
    reason: event.reason.slice(0, 100),
    status: event.status.slice(0, 40),
    openedAt: event.createdAt,
  });
  if (result.created) await s.payments.update(s.payment.id, { disputed: true });
  return result;
}

async function onDisputeOpened(s: Scope, event: Extract<PaymentEvent, { kind: 'dispute_opened' }>): Promise<EventOutcome> {
  const { booking, payment } = s;
  const { created } = await recordDispute(s, event);
  if (!created) return 'no_change';
  await s.audit('payment.disputed', { disputeId: event.disputeId, amountCents: event.amountCents, reason: event.reason });
  // An open dispute may take the money back: a document still in the office waits for it.
  const inOffice = IN_OFFICE_STATUSES.includes(booking.status);
  const discrepancy = await s.discrepancy({
    dedupeKey: `dispute_opened:${event.disputeId}`,
    kind: 'dispute_opened',
    stripeObjectId: event.disputeId,
    expectedAmountCents: payment.amountReceivedCents ?? payment.amountCents,
    actualAmountCents: event.amountCents,
    expectedCurrency: payment.currency,
    actualCurrency: event.currency,
    facts: { eventId: event.eventId, reason: event.reason.slice(0, 100), bookingStatus: booking.status },
    action: inOffice ? 'held' : 'recorded',
  });
  if (discrepancy && inOffice) {
    await s.hold('dispute', discrepancy);
    return 'dispute_held';
  }
  return 'dispute_recorded';
}

async function onDisputeClosed(s: Scope, event: Extract<PaymentEvent, { kind: 'dispute_closed' }>): Promise<EventOutcome> {
  const { booking, payment, payments, ctx } = s;
  // A closure may arrive before the opening (events come out of order): it records the dispute too.
  await recordDispute(s, event);
  await payments.updateDispute(event.disputeId, { status: event.status.slice(0, 40), closedAt: event.createdAt });
  await s.audit('payment.dispute_closed', { disputeId: event.disputeId, status: event.status });
  const holds = createBookingHoldsRepository(s.tx);
  const by = { releasedBy: `stripe:${event.eventId}`, at: ctx.now };

  if (event.status !== 'lost') {
    // Won (or an inquiry closed without a chargeback): the money stays, the document may go.
    const released = await holds.release({ bookingId: booking.id, reason: 'dispute' }, { ...by, resolution: 'dispute_won' });
    await payments.resolveDiscrepancies(
      { bookingId: booking.id, kind: 'dispute_opened' },
      { resolvedBy: by.releasedBy, comment: `Dispute ${event.status} at Stripe`, at: ctx.now },
    );
    return released.length > 0 ? 'dispute_won_released' : 'dispute_closed_recorded';
  }

  const inOffice = IN_OFFICE_STATUSES.includes(booking.status);
  const act = !inOffice ? 'recorded' : s.handling === 'automatic' ? 'cancelled' : 'held';
  const discrepancy = await s.discrepancy({
    dedupeKey: `dispute_lost:${event.disputeId}`,
    kind: 'dispute_lost',
    stripeObjectId: event.disputeId,
    expectedAmountCents: payment.amountReceivedCents ?? payment.amountCents,
    actualAmountCents: event.amountCents,
    expectedCurrency: payment.currency,
    actualCurrency: event.currency,
    facts: { eventId: event.eventId, bookingStatus: booking.status },
    action: act,
  });
  if (!discrepancy) return 'no_change';
  // The bank gave the money back: nothing more is owed, and a refund still pending must not go out on top.
  const { stopped } = await applyRefundDecision(s.tx, { booking, occasion: { kind: 'dispute_lost' }, actor: s.actor, now: ctx.now });
  if (stopped.length > 0) await s.audit('refund.stopped', { refundIds: stopped.map((r) => r.id), reason: 'dispute_lost' });
  if (act === 'cancelled') {
    // The money went back to the card holder: the surcharge is unpaid, so nothing is delivered.
    await s.cancel('dispute_lost');
    return 'dispute_lost_cancelled';
  }
  if (act === 'held') {
    await s.hold('dispute', discrepancy);
    return 'dispute_lost_held';
  }
  return 'dispute_closed_recorded';
}

/**
 * A succeeded PaymentIntent the platform did not create, whose metadata names one of its bookings:
 * someone charged a citizen for a booking outside the platform. Finance must see it; nothing moves.
 */
async function recordForeignPayment(tx: Transaction, event: Extract<PaymentEvent, { kind: 'payment_succeeded' }>): Promise<EventOutcome> {
  const named = event.metadata.bookingId;
  if (!named || !/^[0-9a-f-]{36}$/i.test(named)) return 'unknown_payment';
  const booking = await createBookingsRepository(tx).findById(named);
  if (!booking) return 'unknown_payment';
  const recorded = await createPaymentsRepository(tx).recordDiscrepancy({
    dedupeKey: `unknown_payment_intent:${event.paymentIntentId}`,
    kind: 'unknown_payment_intent',
    bookingId: booking.id,
    officeId: booking.officeId,
    kassenzeichen: booking.kassenzeichen,
    stripeObjectId: event.paymentIntentId,
    expectedAmountCents: booking.amountCents,
    actualAmountCents: event.amountCents,
    expectedCurrency: booking.currency,
    actualCurrency: event.currency,
    facts: { eventId: event.eventId, metadataKassenzeichen: event.metadata.kassenzeichen?.slice(0, 40) ?? null },
    action: 'recorded',
  });
  if (recorded) {
    await recordAudit(tx, {
      actorType: 'stripe',
      actorId: event.eventId,
      action: 'payment.unknown_intent',
      subjectType: 'booking',
      subjectId: booking.id,
      officeId: booking.officeId,
      details: { discrepancyId: recorded.id, paymentIntentId: event.paymentIntentId },
    });
  }
  return 'unknown_payment_discrepancy_recorded';
}
