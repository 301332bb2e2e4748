import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { createBookingsService, type CreateBookingInput } from '../../src/bookings/bookings.service.ts';
import { idempotencyKeys } from '../../src/idempotency/idempotency.table.ts';
import type { RefundPolicy } from '../../src/offices/offices.table.ts';
import { PaymentProviderError, type PaymentGateway } from '../../src/payments/payment-gateway.ts';
import { createPaymentUpkeepService } from '../../src/payments/payment-upkeep.service.ts';
import { createPaymentsRepository } from '../../src/payments/payments.repository.ts';
import { payments } from '../../src/payments/payments.table.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { ADDRESS, api, bookingBody, createPaidBooking, eventually, NEAR, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import {
  auditRows,
  bookingRow,
  deliver,
  eventRows,
  forceStatus,
  holdWebhooks,
  paymentRow,
  refundRows,
  sandboxEvent,
} from './stripe-events.ts';
import { must } from '../helpers/must.ts';

const test = platformTest({ workers: true, env: { PAYMENT_EXPIRY_MINUTES: '1' } });

const PAST_DEADLINE_MS = 61_000;

/**
 * One platform for both (a platform start is the slow part of these tests), with a one-minute
 * payment deadline so that expiry can be reached by moving the clock.
 */
describe('what happens to the surcharge when a booking ends', () => {
  describe('cancellation and refunds', () => {
    const offices = {} as Record<RefundPolicy, string>;
    let clerk: { headers: Record<string, string> };
    let upkeep: ReturnType<typeof createPaymentUpkeepService>;

    test.beforeAll(async ({ p }) => {
      for (const policy of ['full', 'fee', 'fee_after_ready'] as const) {
        offices[policy] = (await seedOffice(p.db, { refundPolicy: policy, feeCents: 150 })).office.id;
      }
      clerk = await p.staff(['clerk'], offices.fee);
      upkeep = createPaymentUpkeepService({ db: p.db, gateway: p.gateway, clock: p.clock });
    });

    const stripeRefunds = async (p: TestPlatform, paymentIntentId: string) =>
      (await p.stripe.refunds.list({ payment_intent: paymentIntentId })).data;
    const cancel = (p: TestPlatform, bookingId: string, headers: Record<string, string>) =>
      api(p, 'POST', `/v1/bookings/${bookingId}/cancel`, { headers, body: { reason: 'test' } });

    test('a clerk cancels a paid booking: the office keeps its fee, the worker refunds the rest at Stripe, and the charge.refunded is recorded', async ({
      p,
    }) => {
      const { booking, payment } = await createPaidBooking(p, offices.fee);
      const res = await cancel(p, booking.id, clerk.headers);
      expect(res.status).toBe(200);
      expect(res.body.booking.status).toBe('cancelled');
      expect(res.body.refund).toMatchObject({ amountCents: 300, status: 'pending' });

      const refunds = await eventually(
        () => stripeRefunds(p, payment.paymentIntentId),
        (l) => l.length > 0,
      );
      expect(refunds.map((r) => [r.amount, r.status])).toEqual([[300, 'succeeded']]);
      expect(must(refunds[0], 'refunds[0]').metadata).toMatchObject({
        booking_id: booking.id,
        refund_id: res.body.refund.id,
        kassenzeichen: booking.kassenzeichen,
      });
      await p.sandbox.flushWebhooks();
      await eventually(
        () => paymentRow(p, booking.id),
        (r) => r.amountRefundedCents === 300,
      );
      expect(await refundRows(p, booking.id)).toMatchObject([
        { status: 'succeeded', stripeRefundId: must(refunds[0], 'refunds[0]').id, attempts: 1 },
      ]);
      expect((await auditRows(p, booking.id, 'booking.cancelled'))[0]).toMatchObject({
        actorType: 'staff',
        details: { from: 'paid', refundCents: 300 },
      });
      expect(await auditRows(p, booking.id, 'refund.executed')).toHaveLength(1);
    });

    test("a citizen cancels with the tracking token and gets everything back; a wrong token or another office's clerk cannot cancel", async ({
      p,
    }) => {
      const { booking, payment, trackingToken } = await createPaidBooking(p, offices.full);
      expect((await cancel(p, booking.id, { 'tracking-token': 'ab_track_wrong' })).status).toBe(404);
      expect((await cancel(p, booking.id, clerk.headers)).status).toBe(404);
      expect((await bookingRow(p, booking.id)).status).toBe('paid');

      const res = await cancel(p, booking.id, { 'tracking-token': trackingToken });
      expect(res.status).toBe(200);
      expect(res.body.refund).toMatchObject({ amountCents: 450 });
      const refunds = await eventually(
        () => stripeRefunds(p, payment.paymentIntentId),
        (l) => l.length > 0,
      );
      expect(refunds.map((r) => r.amount)).toEqual([450]);
      expect((await auditRows(p, booking.id, 'booking.cancelled'))[0]).toMatchObject({ actorType: 'citizen' });
    });

    test('fee_after_ready refunds in full before the document arrives', async ({ p }) => {
      const { booking, payment, trackingToken } = await createPaidBooking(p, offices.fee_after_ready);
      expect((await cancel(p, booking.id, { 'tracking-token': trackingToken })).body.refund).toMatchObject({ amountCents: 450 });
      await eventually(
        () => stripeRefunds(p, payment.paymentIntentId),
        (l) => l.length === 1 && l[0]?.amount === 450,
      );
    });

    test('cancelling an unpaid booking cancels its PaymentIntent at Stripe, refunds nothing, and the booking stays cancelled (not expired)', async ({
      p,
    }) => {
      const { booking, payment, trackingToken } = await createPaidBooking(p, offices.fee, { pay: false });
      const res = await cancel(p, booking.id, { 'tracking-token': trackingToken });
      expect(res.status).toBe(200);
      expect(res.body.refund).toBeNull();
      const pi = await p.stripe.paymentIntents.retrieve(payment.paymentIntentId);
      expect([pi.status, pi.cancellation_reason]).toEqual(['canceled', 'requested_by_customer']);
      await p.sandbox.flushWebhooks();
      await eventually(
        () => paymentRow(p, booking.id),
        (r) => r.status === 'canceled',
      );
      expect((await bookingRow(p, booking.id)).status).toBe('cancelled');
      expect(await refundRows(p, booking.id)).toEqual([]);
    });

    test('a second cancel is harmless, also three at once: one cancellation, one refund', async ({ p }) => {
      const { booking, payment, trackingToken } = await createPaidBooking(p, offices.full);
      const fullClerk = await p.staff(['clerk'], offices.full);
      const citizen = { 'tracking-token': trackingToken };
      const together = await Promise.all([
        cancel(p, booking.id, citizen),
        cancel(p, booking.id, fullClerk.headers),
        cancel(p, booking.id, citizen),
      ]);
      expect(together.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(together.filter((r) => r.body.refund !== null).map((r) => r.body.refund.amountCents)).toEqual([450]);
      const later = await cancel(p, booking.id, citizen);
      expect(later.status).toBe(200);
      expect(later.body.booking.status).toBe('cancelled');
      expect(later.body.refund).toBeNull();
      await eventually(
        () => refundRows(p, booking.id),
        (r) => r.length > 0 && r.every((x) => x.status === 'succeeded'),
      );
      expect(await refundRows(p, booking.id)).toHaveLength(1);
      expect((await stripeRefunds(p, payment.paymentIntentId)).map((r) => r.amount)).toEqual([450]);
      expect(await auditRows(p, booking.id, 'booking.cancelled')).toHaveLength(1);
      expect((await eventRows(p, booking.id)).filter((e) => e.toStatus === 'cancelled')).toHaveLength(1);
    });

    test('after the handover to the courier a booking can no longer be cancelled', async ({ p }) => {
      const { booking, payment, trackingToken } = await createPaidBooking(p, offices.fee);
      await forceStatus(p, booking.id, 'handed_over');
      for (const headers of [{ 'tracking-token': trackingToken }, clerk.headers]) {
        const res = await cancel(p, booking.id, headers);
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('booking.not_cancellable');
      }
      expect((await bookingRow(p, booking.id)).status).toBe('handed_over');
      expect(await refundRows(p, booking.id)).toEqual([]);
      expect(await stripeRefunds(p, payment.paymentIntentId)).toEqual([]);
    });

    test("a cancel racing the payment's webhook ends in exactly one full refund, never an error or a lost payment", async ({ p }) => {
      const runs = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const { booking, payment, trackingToken } = await createPaidBooking(p, offices.full, { pay: false });
          // The citizen pays and cancels at once: Stripe's webhook and the cancel reach the platform together.
          await p.stripe.paymentIntents.confirm(payment.paymentIntentId, { payment_method: 'pm_card_visa' });
          const cancelled = await cancel(p, booking.id, { 'tracking-token': trackingToken });
          return { booking, payment, cancelled };
        }),
      );
      await p.sandbox.flushWebhooks();
      const attempts = p.sandbox.webhookAttempts();
      expect(attempts.filter((a) => !a.ok).map((a) => [a.eventType, a.statusCode, a.error])).toEqual([]);
      for (const { booking, payment, cancelled } of runs) {
        expect(cancelled.status).toBe(200);
        expect((await bookingRow(p, booking.id)).status).toBe('cancelled');
        const rows = await eventually(
          () => refundRows(p, booking.id),
          (r) => r.length === 1 && r[0]?.status === 'succeeded',
        );
        expect(must(rows[0], 'rows[0]').amountCents).toBe(450);
        await eventually(
          () => stripeRefunds(p, payment.paymentIntentId),
          (l) => l.length === 1,
        );
      }
    });

    describe('carrying out a refund is safe to repeat', () => {
      async function pendingRefund(p: TestPlatform, policy: RefundPolicy = 'full') {
        const { booking, payment } = await createPaidBooking(p, offices[policy]);
        const row = await paymentRow(p, booking.id);
        // A refund the platform decided on, whose job was never enqueued (a crash right after commit).
        const refund = await createPaymentsRepository(p.db).insertRefund({
          paymentId: row.id,
          bookingId: booking.id,
          amountCents: 200,
          reason: 'cancelled',
        });
        return { booking, paymentIntentId: payment.paymentIntentId as string, refund };
      }

      test("a refund retried after Stripe's answer was lost refunds once (idempotency key refund:<id>)", async ({ p }) => {
        const { paymentIntentId, refund, booking } = await pendingRefund(p);
        const answerLost: PaymentGateway = {
          ...p.gateway,
          async createRefund(input) {
            expect(input.idempotencyKey).toBe(`refund:${refund.id}`);
            await p.gateway.createRefund(input);
            throw new PaymentProviderError('Stripe: socket hang up', true);
          },
        };
        const flaky = createPaymentUpkeepService({ db: p.db, gateway: answerLost, clock: p.clock });
        await expect(flaky.executeRefund(refund.id)).rejects.toThrow('socket hang up');
        expect(await refundRows(p, booking.id)).toMatchObject([{ status: 'pending', attempts: 1, lastError: 'Stripe: socket hang up' }]);
        expect(await stripeRefunds(p, paymentIntentId)).toHaveLength(1);

        expect(await upkeep.executeRefund(refund.id)).toBe('succeeded');
        expect(await upkeep.executeRefund(refund.id)).toBe('already_done');
        const refunds = await stripeRefunds(p, paymentIntentId);
        expect(refunds.map((r) => r.amount)).toEqual([200]);
        expect(await refundRows(p, booking.id)).toMatchObject([
          { status: 'succeeded', attempts: 2, lastError: null, stripeRefundId: must(refunds[0], 'refunds[0]').id },
        ]);
      });

      test('a refund retried after Stripe forgot its idempotency key (more than 24 h later) is not made twice', async ({ p }) => {
        const { paymentIntentId, refund, booking } = await pendingRefund(p);
        // The first attempt reached Stripe, its answer was lost, and the key has expired since:
        // Stripe holds a refund for this row that the key no longer leads to.
        const first = await p.stripe.refunds.create(
          { payment_intent: paymentIntentId, amount: 200, metadata: { booking_id: booking.id, refund_id: refund.id } },
          { idempotencyKey: `expired-${refund.id}` },
        );
        expect(await upkeep.executeRefund(refund.id)).toBe('succeeded');
        expect((await stripeRefunds(p, paymentIntentId)).map((r) => r.id)).toEqual([first.id]);
        expect(await refundRows(p, booking.id)).toMatchObject([{ status: 'succeeded', stripeRefundId: first.id }]);
      });

      test('the same refund carried out concurrently refunds once and is recorded once', async ({ p }) => {
        const { paymentIntentId, refund, booking } = await pendingRefund(p);
        const outcomes = await Promise.all([1, 2, 3].map(() => upkeep.executeRefund(refund.id)));
        expect(outcomes).toContain('succeeded');
        expect((await stripeRefunds(p, paymentIntentId)).map((r) => r.amount)).toEqual([200]);
        expect(await refundRows(p, booking.id)).toMatchObject([{ status: 'succeeded' }]);
        expect(await auditRows(p, booking.id, 'refund.executed')).toHaveLength(1);
      });

      test('a refund Stripe refuses for good is marked failed for a person to see, and not retried', async ({ p }) => {
        const { booking, payment } = await createPaidBooking(p, offices.full);
        const row = await paymentRow(p, booking.id);
        // More than is left on the charge: Stripe answers with an invalid_request_error.
        const refund = await createPaymentsRepository(p.db).insertRefund({
          paymentId: row.id,
          bookingId: booking.id,
          amountCents: 9_999,
          reason: 'cancelled',
        });
        expect(await upkeep.executeRefund(refund.id)).toBe('already_done');
        const [stored] = await refundRows(p, booking.id);
        expect(stored).toMatchObject({ status: 'failed', attempts: 1 });
        expect(must(stored, 'stored').lastError).toMatch(/Stripe/);
        expect(await stripeRefunds(p, payment.paymentIntentId)).toEqual([]);
      });

      test('a refund left pending with no job (a crash after commit) is picked up by the sweep-refunds job', async ({ p }) => {
        const { paymentIntentId, refund, booking } = await pendingRefund(p);
        // The sweep leaves fresh rows to their own job; this one has waited long enough.
        p.clock.advance(2 * 60_000);
        await p.queues.enqueue('payments', 'sweep-refunds', {});
        await eventually(
          () => refundRows(p, booking.id),
          (r) => r[0]?.id === refund.id && r[0].status === 'succeeded',
        );
        expect((await stripeRefunds(p, paymentIntentId)).map((r) => r.amount)).toEqual([200]);
      });
    });
  });

  describe('unpaid bookings expire after PAYMENT_EXPIRY_MINUTES', () => {
    let officeId: string;
    let upkeep: ReturnType<typeof createPaymentUpkeepService>;

    test.beforeAll(async ({ p }) => {
      ({
        office: { id: officeId },
      } = await seedOffice(p.db));
      upkeep = createPaymentUpkeepService({ db: p.db, gateway: p.gateway, clock: p.clock });
    });

    test('not before the deadline; after it the booking is expired and its PaymentIntent cancelled at Stripe as abandoned', async ({
      p,
    }) => {
      const before = p.clock().getTime();
      const { booking, payment } = await createPaidBooking(p, officeId, { pay: false });
      const deadlineIn = new Date(booking.paymentDeadline).getTime() - before;
      expect(deadlineIn).toBeGreaterThanOrEqual(60_000);
      // PAYMENT_EXPIRY_MINUTES (1) after booking; the margin for the booking round trip (it was
      // 10 s) is loose for a loaded 2-core machine.
      expect(deadlineIn).toBeLessThan(60_000 + 50_000);
      expect(await upkeep.expireBooking(booking.id)).toBe('not_due');
      expect((await p.stripe.paymentIntents.retrieve(payment.paymentIntentId)).status).toBe('requires_payment_method');

      p.clock.advance(PAST_DEADLINE_MS);
      // The workers run here too: their sweep-expired scheduler (real time, platform clock) can find
      // the booking overdue between the advance and this call. Either one expires it, exactly once
      // (the single audit row and event below).
      expect(['expired', 'not_awaiting_payment']).toContain(await upkeep.expireBooking(booking.id));
      await eventually(
        () => bookingRow(p, booking.id),
        (b) => b.status === 'expired',
      );
      const pi = await p.stripe.paymentIntents.retrieve(payment.paymentIntentId);
      expect([pi.status, pi.cancellation_reason]).toEqual(['canceled', 'abandoned']);
      expect((await bookingRow(p, booking.id)).status).toBe('expired');
      expect((await paymentRow(p, booking.id)).status).toBe('canceled');
      expect(await auditRows(p, booking.id, 'booking.expired')).toHaveLength(1);

      // Stripe's payment_intent.canceled then arrives and changes nothing; a second run neither.
      await p.sandbox.flushWebhooks();
      expect(await upkeep.expireBooking(booking.id)).toBe('not_awaiting_payment');
      expect((await eventRows(p, booking.id)).map((e) => e.toStatus)).toEqual(['awaiting_payment', 'expired']);
      // The citizen can no longer pay: Stripe refuses the cancelled PaymentIntent.
      await expect(p.stripe.paymentIntents.confirm(payment.paymentIntentId, { payment_method: 'pm_card_visa' })).rejects.toThrow(
        /canceled/,
      );
    });

    test('the sweep-expired job finds overdue bookings and the worker expires them', async ({ p }) => {
      const a = await createPaidBooking(p, officeId, { pay: false });
      const b = await createPaidBooking(p, officeId, { pay: false });
      const paid = await createPaidBooking(p, officeId);
      p.clock.advance(PAST_DEADLINE_MS);
      await p.queues.enqueue('payments', 'sweep-expired', {});
      for (const { booking, payment } of [a, b]) {
        await eventually(
          () => bookingRow(p, booking.id),
          (r) => r.status === 'expired',
        );
        expect((await p.stripe.paymentIntents.retrieve(payment.paymentIntentId)).status).toBe('canceled');
      }
      expect((await bookingRow(p, paid.booking.id)).status).toBe('paid');
      expect((await p.stripe.paymentIntents.retrieve(paid.payment.paymentIntentId)).status).toBe('succeeded');
    });

    test('a booking paid in the last second before its expiry is not expired (paid_meanwhile) and ends up paid', async ({ p }) => {
      const { booking, payment } = await createPaidBooking(p, officeId, { pay: false });
      p.clock.advance(PAST_DEADLINE_MS);
      // The citizen's payment reaches Stripe just before the expiry's cancellation does.
      const racing: PaymentGateway = {
        ...p.gateway,
        async cancelPaymentIntent(id, input) {
          await p.stripe.paymentIntents.confirm(id, { payment_method: 'pm_card_visa' });
          return p.gateway.cancelPaymentIntent(id, input);
        },
      };
      const racingUpkeep = createPaymentUpkeepService({ db: p.db, gateway: racing, clock: p.clock });
      expect(await racingUpkeep.expireBooking(booking.id)).toBe('paid_meanwhile');
      await p.sandbox.flushWebhooks();
      expect((await bookingRow(p, booking.id)).status).toBe('paid');
      expect((await p.stripe.paymentIntents.retrieve(payment.paymentIntentId)).status).toBe('succeeded');
      expect(await refundRows(p, booking.id)).toEqual([]);
      // The delayed expire job that runs later finds nothing to do.
      expect(await upkeep.expireBooking(booking.id)).toBe('not_awaiting_payment');
    });

    test('a booking whose PaymentIntent Stripe does not know (it can never be paid) still expires', async ({ p }) => {
      const { booking } = await createPaidBooking(p, officeId, { pay: false });
      // Setup: the PaymentIntent id points nowhere (a sandbox restarted, an account switched).
      await p.db
        .update(payments)
        .set({ paymentIntentId: `pi_unknown_${booking.id.slice(0, 8)}` })
        .where(eq(payments.bookingId, booking.id));
      p.clock.advance(PAST_DEADLINE_MS);
      expect(await upkeep.expireBooking(booking.id)).toBe('expired');
      expect((await bookingRow(p, booking.id)).status).toBe('expired');
    });

    /** Stripe was unreachable when the citizen booked: the booking is committed, its PaymentIntent is not. */
    async function bookWhileStripeIsDown(p: TestPlatform) {
      const unreachable: PaymentGateway = {
        ...p.gateway,
        createPaymentIntent: () => Promise.reject(new PaymentProviderError('Stripe: connection refused', true)),
      };
      const service = createBookingsService({
        db: p.db,
        gateway: unreachable,
        clock: p.clock,
        paymentExpiryMinutes: 1,
        afterCommit: { scheduleExpiry: async () => {}, refundOwed: async () => {} },
      });
      const quote = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: NEAR } });
      const body = bookingBody(quote.body.id, {}, p.clock());
      const key = randomUUID();
      await expect(service.createBooking(body as CreateBookingInput, { idempotencyKey: key, staff: null })).rejects.toMatchObject({
        code: 'payment.provider_unavailable',
        status: 502,
      });
      const [record] = await p.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
      const bookingId = must(must(record, 'record').resourceId, 'record.resourceId');
      expect((await paymentRow(p, bookingId)).paymentIntentId).toBeNull();
      const retry = () => api(p, 'POST', '/v1/bookings', { body, headers: { 'idempotency-key': key } });
      return { bookingId, retry };
    }

    const intentsOf = async (p: TestPlatform, bookingId: string) =>
      (await p.stripe.paymentIntents.list({ limit: 100 })).data.filter((pi) => pi.metadata.booking_id === bookingId);

    test('a booking whose payment could not start is not handed a payable PaymentIntent on retry once it expired or was cancelled', async ({
      p,
    }) => {
      const expired = await bookWhileStripeIsDown(p);
      p.clock.advance(PAST_DEADLINE_MS);
      expect(await upkeep.expireBooking(expired.bookingId)).toBe('expired');
      // The citizen retries the booking request (same key, same body) once Stripe is back.
      const retried = await expired.retry();
      expect(retried.status).toBe(410);
      expect(retried.body.error.code).toBe('booking.expired');
      expect((await paymentRow(p, expired.bookingId)).paymentIntentId).toBeNull();
      expect(await intentsOf(p, expired.bookingId)).toEqual([]);

      const cancelled = await bookWhileStripeIsDown(p);
      const clerk = await p.staff(['clerk'], officeId);
      expect((await api(p, 'POST', `/v1/bookings/${cancelled.bookingId}/cancel`, { headers: clerk.headers, body: {} })).status).toBe(200);
      const again = await cancelled.retry();
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('booking.cancelled');
      expect(await intentsOf(p, cancelled.bookingId)).toEqual([]);
    });

    test('while the booking is still open, the retry starts its payment', async ({ p }) => {
      const open = await bookWhileStripeIsDown(p);
      const retried = await open.retry();
      expect(retried.status).toBe(201);
      expect(retried.body.booking.status).toBe('awaiting_payment');
      expect((await paymentRow(p, open.bookingId)).paymentIntentId).toBe(retried.body.payment.paymentIntentId);
      expect((await intentsOf(p, open.bookingId)).map((pi) => pi.id)).toEqual([retried.body.payment.paymentIntentId]);
    });

    test('a payment that Stripe reports after the booking expired is refunded in full by the worker', async ({ p }) => {
      const restore = await holdWebhooks(p);
      let booking;
      let paymentIntentId: string;
      try {
        ({
          booking,
          payment: { paymentIntentId },
        } = await createPaidBooking(p, officeId, { pay: false }));
        // The citizen pays at Stripe, but the succeeded event is delayed; the booking is treated as
        // expired first (its expiry is recorded while the payment is still in flight at Stripe).
        await p.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_card_visa' });
        await forceStatus(p, booking.id, 'expired');
      } finally {
        restore();
      }
      const late = await deliver(p, sandboxEvent(p, 'payment_intent.succeeded', paymentIntentId));
      expect(late.body.outcome).toBe('paid_after_cancellation_refund_owed');
      const refunds = await eventually(
        () => p.stripe.refunds.list({ payment_intent: paymentIntentId }),
        (l) => l.data.length > 0,
      );
      expect(refunds.data.map((r) => [r.amount, r.status])).toEqual([[450, 'succeeded']]);
      await eventually(
        () => refundRows(p, booking.id),
        (r) => r.length === 1 && r[0]?.status === 'succeeded' && r[0]?.reason === 'paid_after_expired',
      );
      expect((await bookingRow(p, booking.id)).status).toBe('expired');
    });
  });
});
