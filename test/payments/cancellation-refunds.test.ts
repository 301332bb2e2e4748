import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefundPolicy } from '../../src/offices/offices.table.ts';
import { PaymentProviderError, type PaymentGateway } from '../../src/payments/payment-gateway.ts';
import { createPaymentUpkeepService } from '../../src/payments/payment-upkeep.service.ts';
import { createPaymentsRepository } from '../../src/payments/payments.repository.ts';
import { api, createPaidBooking, eventually, seedOffice, startTestPlatform, type TestPlatform } from '../helpers/test-platform.ts';
import { auditRows, bookingRow, eventRows, forceStatus, paymentRow, refundRows } from './stripe-events.ts';

describe('cancellation and refunds', () => {
  let p: TestPlatform;
  const offices = {} as Record<RefundPolicy, string>;
  let clerk: { headers: Record<string, string> };
  let upkeep: ReturnType<typeof createPaymentUpkeepService>;

  beforeAll(async () => {
    p = await startTestPlatform({ workers: true });
    for (const policy of ['full', 'fee', 'fee_after_ready'] as const) {
      offices[policy] = (await seedOffice(p.db, { refundPolicy: policy, feeCents: 150 })).office.id;
    }
    clerk = await p.staff(['clerk'], offices.fee);
    upkeep = createPaymentUpkeepService({ db: p.db, gateway: p.gateway, clock: p.clock });
  });
  afterAll(async () => p?.close());

  const stripeRefunds = async (paymentIntentId: string) => (await p.stripe.refunds.list({ payment_intent: paymentIntentId })).data;
  const cancel = (bookingId: string, headers: Record<string, string>) => api(p, 'POST', `/v1/bookings/${bookingId}/cancel`, { headers, body: { reason: 'test' } });

  it('a clerk cancels a paid booking: the office keeps its fee, the worker refunds the rest at Stripe, and the charge.refunded is recorded', async () => {
    const { booking, payment } = await createPaidBooking(p, offices.fee);
    const res = await cancel(booking.id, clerk.headers);
    expect(res.status).toBe(200);
    expect(res.body.booking.status).toBe('cancelled');
    expect(res.body.refund).toMatchObject({ amountCents: 300, status: 'pending' });

    const refunds = await eventually(() => stripeRefunds(payment.paymentIntentId), (l) => l.length > 0);
    expect(refunds.map((r) => [r.amount, r.status])).toEqual([[300, 'succeeded']]);
    expect(refunds[0]!.metadata).toMatchObject({ booking_id: booking.id, refund_id: res.body.refund.id, kassenzeichen: booking.kassenzeichen });
    await p.sandbox.flushWebhooks();
    await eventually(() => paymentRow(p, booking.id), (r) => r.amountRefundedCents === 300);
    expect(await refundRows(p, booking.id)).toMatchObject([{ status: 'succeeded', stripeRefundId: refunds[0]!.id, attempts: 1 }]);
    expect((await auditRows(p, booking.id, 'booking.cancelled'))[0]).toMatchObject({ actorType: 'staff', details: { from: 'paid', refundCents: 300 } });
    expect(await auditRows(p, booking.id, 'refund.executed')).toHaveLength(1);
  });

  it('a citizen cancels with the tracking token and gets everything back; a wrong token or another office\'s clerk cannot cancel', async () => {
    const { booking, payment, trackingToken } = await createPaidBooking(p, offices.full);
    expect((await cancel(booking.id, { 'tracking-token': 'ab_track_wrong' })).status).toBe(404);
    expect((await cancel(booking.id, clerk.headers)).status).toBe(404);
    expect((await bookingRow(p, booking.id)).status).toBe('paid');

    const res = await cancel(booking.id, { 'tracking-token': trackingToken });
    expect(res.status).toBe(200);
    expect(res.body.refund).toMatchObject({ amountCents: 450 });
    const refunds = await eventually(() => stripeRefunds(payment.paymentIntentId), (l) => l.length > 0);
    expect(refunds.map((r) => r.amount)).toEqual([450]);
    expect((await auditRows(p, booking.id, 'booking.cancelled'))[0]).toMatchObject({ actorType: 'citizen' });
  });

  it('fee_after_ready refunds in full before the document arrives', async () => {
    const { booking, payment, trackingToken } = await createPaidBooking(p, offices.fee_after_ready);
    expect((await cancel(booking.id, { 'tracking-token': trackingToken })).body.refund).toMatchObject({ amountCents: 450 });
    await eventually(() => stripeRefunds(payment.paymentIntentId), (l) => l.length === 1 && l[0]!.amount === 450);
  });

  it('cancelling an unpaid booking cancels its PaymentIntent at Stripe, refunds nothing, and the booking stays cancelled (not expired)', async () => {
    const { booking, payment, trackingToken } = await createPaidBooking(p, offices.fee, { pay: false });
    const res = await cancel(booking.id, { 'tracking-token': trackingToken });
    expect(res.status).toBe(200);
    expect(res.body.refund).toBeNull();
    const pi = await p.stripe.paymentIntents.retrieve(payment.paymentIntentId);
    expect([pi.status, pi.cancellation_reason]).toEqual(['canceled', 'requested_by_customer']);
    await p.sandbox.flushWebhooks();
    await eventually(() => paymentRow(p, booking.id), (r) => r.status === 'canceled');
    expect((await bookingRow(p, booking.id)).status).toBe('cancelled');
    expect(await refundRows(p, booking.id)).toEqual([]);
  });

  it('a second cancel is harmless, also three at once: one cancellation, one refund', async () => {
    const { booking, payment, trackingToken } = await createPaidBooking(p, offices.full);
    const fullClerk = await p.staff(['clerk'], offices.full);
    const citizen = { 'tracking-token': trackingToken };
    const together = await Promise.all([cancel(booking.id, citizen), cancel(booking.id, fullClerk.headers), cancel(booking.id, citizen)]);
    expect(together.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(together.filter((r) => r.body.refund !== null).map((r) => r.body.refund.amountCents)).toEqual([450]);
    const later = await cancel(booking.id, citizen);
    expect(later.status).toBe(200);
    expect(later.body.booking.status).toBe('cancelled');
    expect(later.body.refund).toBeNull();
    await eventually(() => refundRows(p, booking.id), (r) => r.length > 0 && r.every((x) => x.status === 'succeeded'));
    expect(await refundRows(p, booking.id)).toHaveLength(1);
    expect((await stripeRefunds(payment.paymentIntentId)).map((r) => r.amount)).toEqual([450]);
    expect(await auditRows(p, booking.id, 'booking.cancelled')).toHaveLength(1);
    expect((await eventRows(p, booking.id)).filter((e) => e.toStatus === 'cancelled')).toHaveLength(1);
  });

  it('after the handover to the courier a booking can no longer be cancelled', async () => {
    const { booking, payment, trackingToken } = await createPaidBooking(p, offices.fee);
    await forceStatus(p, booking.id, 'handed_over');
    for (const headers of [{ 'tracking-token': trackingToken }, clerk.headers]) {
      const res = await cancel(booking.id, headers);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('booking.not_cancellable');
    }
    expect((await bookingRow(p, booking.id)).status).toBe('handed_over');
    expect(await refundRows(p, booking.id)).toEqual([]);
    expect(await stripeRefunds(payment.paymentIntentId)).toEqual([]);
  });

  it('a cancel racing the payment\'s webhook ends in exactly one full refund, never an error or a lost payment', async () => {
    const runs = await Promise.all(Array.from({ length: 6 }, async () => {
      const { booking, payment, trackingToken } = await createPaidBooking(p, offices.full, { pay: false });
      // The citizen pays and cancels at once: Stripe's webhook and the cancel reach the platform together.
      await p.stripe.paymentIntents.confirm(payment.paymentIntentId, { payment_method: 'pm_card_visa' });
      const cancelled = await cancel(booking.id, { 'tracking-token': trackingToken });
      return { booking, payment, cancelled };
    }));
    await p.sandbox.flushWebhooks();
    const attempts = p.sandbox.webhookAttempts();
    expect(attempts.filter((a) => !a.ok).map((a) => [a.eventType, a.statusCode, a.error])).toEqual([]);
    for (const { booking, payment, cancelled } of runs) {
      expect(cancelled.status).toBe(200);
      expect((await bookingRow(p, booking.id)).status).toBe('cancelled');
      const rows = await eventually(() => refundRows(p, booking.id), (r) => r.length === 1 && r[0]!.status === 'succeeded');
      expect(rows[0]!.amountCents).toBe(450);
      await eventually(() => stripeRefunds(payment.paymentIntentId), (l) => l.length === 1);
    }
  });

  describe('carrying out a refund is safe to repeat', () => {
    async function pendingRefund(policy: RefundPolicy = 'full') {
      const { booking, payment } = await createPaidBooking(p, offices[policy]);
      const row = (await paymentRow(p, booking.id));
      // A refund the platform decided on, whose job was never enqueued (a crash right after commit).
      const refund = await createPaymentsRepository(p.db).insertRefund({ paymentId: row.id, bookingId: booking.id, amountCents: 200, reason: 'cancelled' });
      return { booking, paymentIntentId: payment.paymentIntentId as string, refund };
    }

    it('a refund retried after Stripe\'s answer was lost refunds once (idempotency key refund:<id>)', async () => {
      const { paymentIntentId, refund, booking } = await pendingRefund();
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
      expect(await stripeRefunds(paymentIntentId)).toHaveLength(1);

      expect(await upkeep.executeRefund(refund.id)).toBe('succeeded');
      expect(await upkeep.executeRefund(refund.id)).toBe('already_done');
      const refunds = await stripeRefunds(paymentIntentId);
      expect(refunds.map((r) => r.amount)).toEqual([200]);
      expect(await refundRows(p, booking.id)).toMatchObject([{ status: 'succeeded', attempts: 2, lastError: null, stripeRefundId: refunds[0]!.id }]);
    });

    it('a refund retried after Stripe forgot its idempotency key (more than 24 h later) is not made twice', async () => {
      const { paymentIntentId, refund, booking } = await pendingRefund();
      // The first attempt reached Stripe, its answer was lost, and the key has expired since:
      // Stripe holds a refund for this row that the key no longer leads to.
      const first = await p.stripe.refunds.create(
        { payment_intent: paymentIntentId, amount: 200, metadata: { booking_id: booking.id, refund_id: refund.id } },
        { idempotencyKey: `expired-${refund.id}` },
      );
      expect(await upkeep.executeRefund(refund.id)).toBe('succeeded');
      expect((await stripeRefunds(paymentIntentId)).map((r) => r.id)).toEqual([first.id]);
      expect(await refundRows(p, booking.id)).toMatchObject([{ status: 'succeeded', stripeRefundId: first.id }]);
    });

    it('the same refund carried out concurrently refunds once and is recorded once', async () => {
      const { paymentIntentId, refund, booking } = await pendingRefund();
      const outcomes = await Promise.all([1, 2, 3].map(() => upkeep.executeRefund(refund.id)));
      expect(outcomes).toContain('succeeded');
      expect((await stripeRefunds(paymentIntentId)).map((r) => r.amount)).toEqual([200]);
      expect(await refundRows(p, booking.id)).toMatchObject([{ status: 'succeeded' }]);
      expect(await auditRows(p, booking.id, 'refund.executed')).toHaveLength(1);
    });

    it('a refund Stripe refuses for good is marked failed for a person to see, and not retried', async () => {
      const { booking, payment } = await createPaidBooking(p, offices.full);
      const row = await paymentRow(p, booking.id);
      // More than is left on the charge: Stripe answers with an invalid_request_error.
      const refund = await createPaymentsRepository(p.db).insertRefund({ paymentId: row.id, bookingId: booking.id, amountCents: 9_999, reason: 'cancelled' });
      expect(await upkeep.executeRefund(refund.id)).toBe('already_done');
      const [stored] = await refundRows(p, booking.id);
      expect(stored).toMatchObject({ status: 'failed', attempts: 1 });
      expect(stored!.lastError).toMatch(/Stripe/);
      expect(await stripeRefunds(payment.paymentIntentId)).toEqual([]);
    });

    it('a refund left pending with no job (a crash after commit) is picked up by the sweep-refunds job', async () => {
      const { paymentIntentId, refund, booking } = await pendingRefund();
      // The sweep leaves fresh rows to their own job; this one has waited long enough.
      p.clock.advance(2 * 60_000);
      await p.queues.enqueue('payments', 'sweep-refunds', {});
      await eventually(() => refundRows(p, booking.id), (r) => r[0]?.id === refund.id && r[0].status === 'succeeded');
      expect((await stripeRefunds(paymentIntentId)).map((r) => r.amount)).toEqual([200]);
    });
  });
});
