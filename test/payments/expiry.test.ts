import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createBookingsService, type CreateBookingInput } from '../../src/bookings/bookings.service.ts';
import { idempotencyKeys } from '../../src/idempotency/idempotency.table.ts';
import { payments } from '../../src/payments/payments.table.ts';
import { PaymentProviderError, type PaymentGateway } from '../../src/payments/payment-gateway.ts';
import { createPaymentUpkeepService } from '../../src/payments/payment-upkeep.service.ts';
import { ADDRESS, api, bookingBody, createPaidBooking, eventually, NEAR, seedOffice, startTestPlatform, type TestPlatform } from '../helpers/test-platform.ts';
import { auditRows, bookingRow, deliver, eventRows, forceStatus, holdWebhooks, paymentRow, refundRows, sandboxEvent } from './stripe-events.ts';

const PAST_DEADLINE_MS = 61_000;

describe('unpaid bookings expire after PAYMENT_EXPIRY_MINUTES', () => {
  let p: TestPlatform;
  let officeId: string;
  let upkeep: ReturnType<typeof createPaymentUpkeepService>;

  beforeAll(async () => {
    p = await startTestPlatform({ workers: true, env: { PAYMENT_EXPIRY_MINUTES: '1' } });
    ({ office: { id: officeId } } = await seedOffice(p.db));
    upkeep = createPaymentUpkeepService({ db: p.db, gateway: p.gateway, clock: p.clock });
  });
  afterAll(async () => p?.close());

  it('not before the deadline; after it the booking is expired and its PaymentIntent cancelled at Stripe as abandoned', async () => {
    const { booking, payment } = await createPaidBooking(p, officeId, { pay: false });
    expect(new Date(booking.paymentDeadline).getTime() - new Date(booking.createdAt).getTime()).toBeLessThanOrEqual(60_000);
    expect(await upkeep.expireBooking(booking.id)).toBe('not_due');
    expect((await p.stripe.paymentIntents.retrieve(payment.paymentIntentId)).status).toBe('requires_payment_method');

    p.clock.advance(PAST_DEADLINE_MS);
    expect(await upkeep.expireBooking(booking.id)).toBe('expired');
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
    await expect(p.stripe.paymentIntents.confirm(payment.paymentIntentId, { payment_method: 'pm_card_visa' })).rejects.toThrow(/canceled/);
  });

  it('the sweep-expired job finds overdue bookings and the worker expires them', async () => {
    const a = await createPaidBooking(p, officeId, { pay: false });
    const b = await createPaidBooking(p, officeId, { pay: false });
    const paid = await createPaidBooking(p, officeId);
    p.clock.advance(PAST_DEADLINE_MS);
    await p.queues.enqueue('payments', 'sweep-expired', {});
    for (const { booking, payment } of [a, b]) {
      await eventually(() => bookingRow(p, booking.id), (r) => r.status === 'expired');
      expect((await p.stripe.paymentIntents.retrieve(payment.paymentIntentId)).status).toBe('canceled');
    }
    expect((await bookingRow(p, paid.booking.id)).status).toBe('paid');
    expect((await p.stripe.paymentIntents.retrieve(paid.payment.paymentIntentId)).status).toBe('succeeded');
  });

  it('a booking paid in the last second before its expiry is not expired (paid_meanwhile) and ends up paid', async () => {
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

  it('a booking whose PaymentIntent Stripe does not know (it can never be paid) still expires', async () => {
    const { booking } = await createPaidBooking(p, officeId, { pay: false });
    // Setup: the PaymentIntent id points nowhere (a sandbox restarted, an account switched).
    await p.db.update(payments).set({ paymentIntentId: `pi_unknown_${booking.id.slice(0, 8)}` }).where(eq(payments.bookingId, booking.id));
    p.clock.advance(PAST_DEADLINE_MS);
    expect(await upkeep.expireBooking(booking.id)).toBe('expired');
    expect((await bookingRow(p, booking.id)).status).toBe('expired');
  });

  /** Stripe was unreachable when the citizen booked: the booking is committed, its PaymentIntent is not. */
  async function bookWhileStripeIsDown() {
    const unreachable: PaymentGateway = {
      ...p.gateway,
      createPaymentIntent: () => Promise.reject(new PaymentProviderError('Stripe: connection refused', true)),
    };
    const service = createBookingsService({
      db: p.db, gateway: unreachable, clock: p.clock, paymentExpiryMinutes: 1,
      afterCommit: { scheduleExpiry: async () => {}, refundOwed: async () => {} },
    });
    const quote = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: NEAR } });
    const body = bookingBody(quote.body.id, {}, p.clock());
    const key = randomUUID();
    await expect(service.createBooking(body as CreateBookingInput, { idempotencyKey: key, staff: null })).rejects.toMatchObject({ code: 'payment.provider_unavailable', status: 502 });
    const [record] = await p.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
    const bookingId = record!.resourceId!;
    expect((await paymentRow(p, bookingId)).paymentIntentId).toBeNull();
    const retry = () => api(p, 'POST', '/v1/bookings', { body, headers: { 'idempotency-key': key } });
    return { bookingId, retry };
  }

  const intentsOf = async (bookingId: string) => (await p.stripe.paymentIntents.list({ limit: 100 })).data.filter((pi) => pi.metadata.booking_id === bookingId);

  it('a booking whose payment could not start is not handed a payable PaymentIntent on retry once it expired or was cancelled', async () => {
    const expired = await bookWhileStripeIsDown();
    p.clock.advance(PAST_DEADLINE_MS);
    expect(await upkeep.expireBooking(expired.bookingId)).toBe('expired');
    // The citizen retries the booking request (same key, same body) once Stripe is back.
    const retried = await expired.retry();
    expect(retried.status).toBe(410);
    expect(retried.body.error.code).toBe('booking.expired');
    expect((await paymentRow(p, expired.bookingId)).paymentIntentId).toBeNull();
    expect(await intentsOf(expired.bookingId)).toEqual([]);

    const cancelled = await bookWhileStripeIsDown();
    const clerk = await p.staff(['clerk'], officeId);
    expect((await api(p, 'POST', `/v1/bookings/${cancelled.bookingId}/cancel`, { headers: clerk.headers, body: {} })).status).toBe(200);
    const again = await cancelled.retry();
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('booking.cancelled');
    expect(await intentsOf(cancelled.bookingId)).toEqual([]);
  });

  it('while the booking is still open, the retry starts its payment', async () => {
    const open = await bookWhileStripeIsDown();
    const retried = await open.retry();
    expect(retried.status).toBe(201);
    expect(retried.body.booking.status).toBe('awaiting_payment');
    expect((await paymentRow(p, open.bookingId)).paymentIntentId).toBe(retried.body.payment.paymentIntentId);
    expect((await intentsOf(open.bookingId)).map((pi) => pi.id)).toEqual([retried.body.payment.paymentIntentId]);
  });

  it('a payment that Stripe reports after the booking expired is refunded in full by the worker', async () => {
    const restore = await holdWebhooks(p);
    let booking;
    let paymentIntentId: string;
    try {
      ({ booking, payment: { paymentIntentId } } = await createPaidBooking(p, officeId, { pay: false }));
      // The citizen pays at Stripe, but the succeeded event is delayed; the booking is treated as
      // expired first (its expiry is recorded while the payment is still in flight at Stripe).
      await p.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_card_visa' });
      await forceStatus(p, booking.id, 'expired');
    } finally {
      restore();
    }
    const late = await deliver(p, sandboxEvent(p, 'payment_intent.succeeded', paymentIntentId));
    expect(late.body.outcome).toBe('paid_after_cancellation_refund_owed');
    const refunds = await eventually(() => p.stripe.refunds.list({ payment_intent: paymentIntentId }), (l) => l.data.length > 0);
    expect(refunds.data.map((r) => [r.amount, r.status])).toEqual([[450, 'succeeded']]);
    await eventually(() => refundRows(p, booking.id), (r) => r.length === 1 && r[0]!.status === 'succeeded' && r[0]!.reason === 'paid_after_expired');
    expect((await bookingRow(p, booking.id)).status).toBe('expired');
  });
});
