import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { createPaymentStateService } from '../../src/payments/payment-state.service.ts';
import { createPaymentUpkeepService } from '../../src/payments/payment-upkeep.service.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { ADDRESS, api, bookingBody, eventually, NEAR, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import { bookingRow, deliver, forceStatus, holdWebhooks, paymentRow, refundRows, sandboxEvent } from './stripe-events.ts';

const test = platformTest({ workers: true, env: { PAYMENT_EXPIRY_MINUTES: '1' } });

const PAST_DEADLINE_MS = 61_000;
const SUCCESS_URL = 'https://amtsbote.example/bezahlt?session_id={CHECKOUT_SESSION_ID}';
const CANCEL_URL = 'https://amtsbote.example/abgebrochen';

describe('paying on Stripe’s hosted page (Checkout), offline in the sandbox', () => {
  let officeId: string;
  test.beforeAll(async ({ p }) => {
    ({
      office: { id: officeId },
    } = await seedOffice(p.db));
  });

  async function bookWithCheckout(p: TestPlatform, key = randomUUID()) {
    const quote = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: NEAR } });
    const body = bookingBody(quote.body.id, {
      payment: { flow: 'checkout', successUrl: SUCCESS_URL, cancelUrl: CANCEL_URL, locale: 'de' },
    });
    const res = await api(p, 'POST', '/v1/bookings', { body, headers: { 'idempotency-key': key } });
    if (res.status !== 201) throw new Error(`booking failed: ${JSON.stringify(res.body)}`);
    return {
      ...(res.body as { booking: { id: string; kassenzeichen: string }; payment: Record<string, string>; trackingToken: string }),
      body,
      key,
    };
  }

  const payForm = (url: string, card: string) =>
    fetch(`${url}/pay`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ card }).toString(),
    });

  test('book with checkout → hosted page → pay with a test card → success_url with the session id → the webhook marks it paid', async ({
    p,
  }) => {
    const states = createPaymentStateService({ db: p.db });
    const { booking, payment, trackingToken } = await bookWithCheckout(p);
    expect(payment).toMatchObject({ provider: 'stripe', flow: 'checkout', sandbox: true });
    expect(payment.checkoutSessionId).toMatch(/^cs_test_/);
    expect((await paymentRow(p, booking.id)).checkoutSessionId).toBe(payment.checkoutSessionId);
    expect(await states.paymentState({ bookingId: booking.id, trackingToken })).toMatchObject({ state: 'waiting' });

    const page = await fetch(String(payment.checkoutUrl));
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('lang="de"');
    expect(html).toContain(`Kassenzeichen: ${booking.kassenzeichen}`);
    expect(html).toContain('4,50');

    const paid = await payForm(String(payment.checkoutUrl), 'pm_card_visa');
    expect(paid.status).toBe(303);
    const location = new URL(String(paid.headers.get('location')));
    expect(`${location.origin}${location.pathname}`).toBe('https://amtsbote.example/bezahlt');
    const sessionId = String(location.searchParams.get('session_id'));
    expect(sessionId).toBe(payment.checkoutSessionId);

    await p.sandbox.flushWebhooks();
    expect((await bookingRow(p, booking.id)).status).toBe('paid');
    const session = await p.stripe.checkout.sessions.retrieve(sessionId);
    const row = await paymentRow(p, booking.id);
    expect(row).toMatchObject({ status: 'succeeded', paymentIntentId: session.payment_intent, amountReceivedCents: 450 });
    // Whichever of the two events came second filled in the charge (the session's carries none).
    expect(row.latestChargeId).toMatch(/^ch_/);
    expect(await states.paymentState({ checkoutSessionId: sessionId })).toEqual({ state: 'paid', bookingStatus: 'paid', held: false });
    expect(await states.paymentState({ bookingId: booking.id, trackingToken: 'ab_track_wrong' })).toBeNull();
  });

  test('either event alone pays the booking: checkout.session.completed first, or payment_intent.succeeded first', async ({ p }) => {
    for (const first of ['checkout.session.completed', 'payment_intent.succeeded'] as const) {
      const restore = await holdWebhooks(p);
      let booking, sessionId: string;
      try {
        const made = await bookWithCheckout(p);
        booking = made.booking;
        sessionId = made.payment.checkoutSessionId as string;
        await payForm(String(made.payment.checkoutUrl), 'pm_card_visa');
      } finally {
        restore();
      }
      const session = await p.stripe.checkout.sessions.retrieve(sessionId);
      const piId = String(session.payment_intent);
      const events = {
        'checkout.session.completed': sandboxEvent(p, 'checkout.session.completed', sessionId),
        'payment_intent.succeeded': sandboxEvent(p, 'payment_intent.succeeded', piId),
      };
      const second = first === 'checkout.session.completed' ? 'payment_intent.succeeded' : 'checkout.session.completed';
      expect((await deliver(p, events[first])).body.outcome).toBe('booking_paid');
      expect((await deliver(p, events[second])).body.outcome).toBe('no_change');
      expect(await paymentRow(p, booking.id)).toMatchObject({ paymentIntentId: piId, status: 'succeeded' });
      expect((await paymentRow(p, booking.id)).latestChargeId).toMatch(/^ch_/);
    }
  });

  test('a declined card shows the error on the hosted page and the booking stays unpaid', async ({ p }) => {
    const { booking, payment, trackingToken } = await bookWithCheckout(p);
    const declined = await payForm(String(payment.checkoutUrl), 'pm_card_chargeDeclined');
    expect(declined.status).toBe(402);
    const html = await declined.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain('Your card was declined.');
    await p.sandbox.flushWebhooks();
    expect((await bookingRow(p, booking.id)).status).toBe('awaiting_payment');
    const states = createPaymentStateService({ db: p.db });
    expect((await states.paymentState({ bookingId: booking.id, trackingToken }))?.state).toBe('waiting');
    // The tracking page still offers the hosted page.
    const tracking = await api(p, 'GET', '/v1/tracking', { headers: { 'tracking-token': trackingToken } });
    expect(JSON.stringify(tracking.body)).toContain(String(payment.checkoutUrl));
  });

  test('the cancel link goes back to cancel_url', async ({ p }) => {
    const { payment } = await bookWithCheckout(p);
    const html = await (await fetch(String(payment.checkoutUrl))).text();
    expect(html).toContain(`href="${CANCEL_URL}"`);
  });

  test('expiry of the unpaid booking expires its session at Stripe; the page can no longer be paid', async ({ p }) => {
    const upkeep = createPaymentUpkeepService({ db: p.db, gateway: p.gateway, clock: p.clock });
    const { booking, payment, trackingToken } = await bookWithCheckout(p);
    p.clock.advance(PAST_DEADLINE_MS);
    expect(await upkeep.expireBooking(booking.id)).toBe('expired');
    expect((await p.stripe.checkout.sessions.retrieve(String(payment.checkoutSessionId))).status).toBe('expired');
    expect((await bookingRow(p, booking.id)).status).toBe('expired');
    expect((await payForm(String(payment.checkoutUrl), 'pm_card_visa')).status).toBe(410);
    await p.sandbox.flushWebhooks();
    expect((await bookingRow(p, booking.id)).status).toBe('expired');
    const states = createPaymentStateService({ db: p.db });
    expect((await states.paymentState({ bookingId: booking.id, trackingToken }))?.state).toBe('expired');
  });

  test('a session paid just as the booking expires is not expired (paid_meanwhile) and ends up paid', async ({ p }) => {
    const upkeep = createPaymentUpkeepService({ db: p.db, gateway: p.gateway, clock: p.clock });
    const { booking, payment } = await bookWithCheckout(p);
    await payForm(String(payment.checkoutUrl), 'pm_card_visa');
    p.clock.advance(PAST_DEADLINE_MS);
    expect(await upkeep.expireBooking(booking.id)).toBe('paid_meanwhile');
    await p.sandbox.flushWebhooks();
    expect((await bookingRow(p, booking.id)).status).toBe('paid');
    expect(await refundRows(p, booking.id)).toEqual([]);
  });

  test('a payment Stripe reports after the booking expired is refunded in full', async ({ p }) => {
    const restore = await holdWebhooks(p);
    let booking, sessionId: string;
    try {
      const made = await bookWithCheckout(p);
      booking = made.booking;
      sessionId = String(made.payment.checkoutSessionId);
      await payForm(String(made.payment.checkoutUrl), 'pm_card_visa');
      await forceStatus(p, booking.id, 'expired');
    } finally {
      restore();
    }
    const late = await deliver(p, sandboxEvent(p, 'checkout.session.completed', sessionId));
    expect(late.body.outcome).toBe('paid_after_cancellation_refund_owed');
    const piId = String((await p.stripe.checkout.sessions.retrieve(sessionId)).payment_intent);
    const refunds = await eventually(
      () => p.stripe.refunds.list({ payment_intent: piId }),
      (l) => l.data.length > 0,
    );
    expect(refunds.data.map((r) => [r.amount, r.status])).toEqual([[450, 'succeeded']]);
    expect((await bookingRow(p, booking.id)).status).toBe('expired');
  });

  test('a retry with the same Idempotency-Key makes no second session', async ({ p }) => {
    const first = await bookWithCheckout(p);
    const retry = await api(p, 'POST', '/v1/bookings', { body: first.body, headers: { 'idempotency-key': first.key } });
    expect(retry.status).toBe(201);
    expect(retry.body.payment.checkoutSessionId).toBe(first.payment.checkoutSessionId);
    const sessions = await p.stripe.checkout.sessions.list({ limit: 100 });
    expect(sessions.data.filter((s) => s.metadata?.booking_id === first.booking.id)).toHaveLength(1);
  });

  test('bad checkout options are a 400 with the error shape, never a 500', async ({ p }) => {
    const quote = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: NEAR } });
    const body = bookingBody(quote.body.id, { payment: { flow: 'checkout', successUrl: 'javascript:alert(1)', cancelUrl: CANCEL_URL } });
    const res = await api(p, 'POST', '/v1/bookings', { body, headers: { 'idempotency-key': randomUUID() } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String), requestId: expect.any(String) });
  });
});
