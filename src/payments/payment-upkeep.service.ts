import type { Database } from '../db/client.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { createBookingHoldsRepository } from '../bookings/booking-holds.repository.ts';
import { createBookingsRepository, transitionBooking } from '../bookings/bookings.repository.ts';
import { required } from '../shared/required.ts';
import { createPaymentsRepository } from './payments.repository.ts';
import { PaymentProviderError, type PaymentGateway } from './payment-gateway.ts';

/**
 * The payment work that happens after a request: expiring unpaid bookings and carrying out owed
 * refunds. Each step is safe to repeat: Stripe calls carry deterministic idempotency keys and the
 * database changes are guarded by the state they expect.
 */
export function createPaymentUpkeepService(deps: { db: Database; gateway: PaymentGateway; clock: () => Date }) {
  return {
    async expireBooking(bookingId: string): Promise<'expired' | 'not_due' | 'not_awaiting_payment' | 'paid_meanwhile' | 'held'> {
      const booking = await createBookingsRepository(deps.db).findById(bookingId);
      if (!booking || booking.status !== 'awaiting_payment') return 'not_awaiting_payment';
      if (booking.paymentDeadline > deps.clock()) return 'not_due';
      // A held booking's payment arrived but did not match: a person decides, not the deadline.
      if ((await createBookingHoldsRepository(deps.db).openHolds(bookingId)).length > 0) return 'held';
      const payment = await createPaymentsRepository(deps.db).findByBooking(bookingId);
      if (payment?.checkoutSessionId) {
        // Checkout: the session is what the citizen can still pay on; expiring it cancels its
        // PaymentIntent at Stripe too, and Stripe refuses to cancel that PaymentIntent directly.
        const { status } = await deps.gateway.expireCheckoutSession(payment.checkoutSessionId, {
          idempotencyKey: `booking:${bookingId}:expire-checkout`,
        });
        // Paid in the last second: the webhook marks the booking paid, as for a PaymentIntent.
        if (status !== 'expired' && status !== 'missing') return 'paid_meanwhile';
      } else if (payment?.paymentIntentId) {
        const { status } = await deps.gateway.cancelPaymentIntent(payment.paymentIntentId, {
          idempotencyKey: `booking:${bookingId}:expire`,
          reason: 'abandoned',
        });
        // Paid in the last second: the succeeded event marks the booking paid; do not expire it.
        // A PaymentIntent Stripe does not know (`missing`) can never be paid: expire as cancelled.
        if (status !== 'canceled' && status !== 'missing') return 'paid_meanwhile';
      }
      return deps.db.transaction(async (tx) => {
        const bookings = createBookingsRepository(tx);
        const current = await bookings.findById(bookingId, { forUpdate: true });
        if (!current || current.status !== 'awaiting_payment') return 'not_awaiting_payment' as const;
        await transitionBooking(tx, current, 'expired', { type: 'system' }, 'payment_deadline_passed');
        if (payment) await createPaymentsRepository(tx).update(payment.id, { status: 'canceled' });
        await recordAudit(tx, {
          actorType: 'system',
          action: 'booking.expired',
          subjectType: 'booking',
          subjectId: bookingId,
          officeId: current.officeId,
        });
        return 'expired' as const;
      });
    },

    async executeRefund(refundId: string): Promise<'succeeded' | 'already_done' | 'missing'> {
      const payments = createPaymentsRepository(deps.db);
      const refund = await payments.findRefund(refundId);
      if (!refund) return 'missing';
      if (refund.status !== 'pending') return 'already_done';
      const payment = required(
        await payments.findByBooking(refund.bookingId),
        `payment of booking ${refund.bookingId} for refund ${refundId}`,
      );
      if (!payment.paymentIntentId) throw new Error(`Refund ${refundId} for a payment without PaymentIntent`);
      try {
        const result = await deps.gateway.createRefund({
          paymentIntentId: payment.paymentIntentId,
          amountCents: refund.amountCents,
          idempotencyKey: `refund:${refund.id}`,
          metadata: { booking_id: refund.bookingId, refund_id: refund.id, kassenzeichen: payment.kassenzeichen },
        });
        // Concurrent runs (a retried job next to its sweep) get the same refund from Stripe through
        // the idempotency key; only the run that settles the row records it.
        const settled = await payments.updatePendingRefund(refund.id, {
          status: 'succeeded',
          stripeRefundId: result.id,
          attempts: refund.attempts + 1,
          lastError: null,
        });
        if (!settled) return 'already_done';
        await recordAudit(deps.db, {
          actorType: 'system',
          action: 'refund.executed',
          subjectType: 'booking',
          subjectId: refund.bookingId,
          details: { refundId: refund.id, amountCents: refund.amountCents, stripeRefundId: result.id },
        });
        return 'succeeded';
      } catch (err) {
        const message = (err as Error).message.slice(0, 1000);
        const retryable = !(err instanceof PaymentProviderError) || err.retryable;
        // A refund Stripe refuses for good (e.g. already refunded in the dashboard) needs a person:
        // it is marked failed and stays visible to finance; everything else is retried by the queue.
        const stillPending = await payments.updatePendingRefund(refund.id, {
          attempts: refund.attempts + 1,
          lastError: message,
          ...(retryable ? {} : { status: 'failed' }),
        });
        if (!stillPending) return 'already_done';
        if (retryable) throw err;
        return 'already_done';
      }
    },

    overdueBookingIds: async (limit = 500) => (await createBookingsRepository(deps.db).overdueUnpaid(deps.clock(), limit)).map((r) => r.id),

    stalePendingRefundIds: async (olderThanMs = 60_000, limit = 500) =>
      (await createPaymentsRepository(deps.db).stalePendingRefunds(new Date(deps.clock().getTime() - olderThanMs), limit)).map((r) => r.id),
  };
}

export type PaymentUpkeepService = ReturnType<typeof createPaymentUpkeepService>;
