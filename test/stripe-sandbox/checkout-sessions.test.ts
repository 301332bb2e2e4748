import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catchError, rawRequest, startSandbox, startWebhookReceiver, type SandboxHarness, type WebhookReceiver } from './helpers.ts';
import { must } from '../helpers/must.ts';

describe('stripe sandbox: Checkout Sessions and the hosted page', () => {
  let harness: SandboxHarness;
  let stripe: Stripe;
  let receiver: WebhookReceiver;
  let nowMs = Date.UTC(2026, 2, 2, 10, 0, 0);

  beforeEach(async () => {
    nowMs = Date.UTC(2026, 2, 2, 10, 0, 0);
    receiver = await startWebhookReceiver();
    harness = await startSandbox({ clock: () => new Date(nowMs) });
    harness.sandbox.addWebhookEndpoint(receiver.url, 'whsec_test');
    stripe = harness.stripe;
  });

  afterEach(async () => {
    await harness.sandbox.close();
    await receiver.close();
  });

  const createSession = (overrides: Partial<Stripe.Checkout.SessionCreateParams> = {}, key?: string) =>
    stripe.checkout.sessions.create(
      {
        mode: 'payment',
        line_items: [
          {
            price_data: {
              currency: 'eur',
              unit_amount: 450,
              product_data: { name: 'Zustellung Ausweisdokument', description: 'Kurier <Fahrrad>' },
            },
            quantity: 1,
          },
        ],
        success_url: 'https://amtsbote.example/bezahlt?session_id={CHECKOUT_SESSION_ID}',
        cancel_url: 'https://amtsbote.example/abgebrochen',
        client_reference_id: 'booking-1',
        metadata: { booking_id: 'b-1', kassenzeichen: 'KZ-2026-000001' },
        payment_intent_data: { metadata: { booking_id: 'b-1', kassenzeichen: 'KZ-2026-000001' }, description: 'Zustellung KZ-2026-000001' },
        custom_text: { submit: { message: 'Kassenzeichen: KZ-2026-000001' } },
        locale: 'de',
        expires_at: Math.floor(nowMs / 1000) + 3600,
        ...overrides,
      },
      key ? { idempotencyKey: key } : undefined,
    );

  const pay = (session: Stripe.Checkout.Session, card: string) =>
    rawRequest(`${must(session.url, 'url')}/pay`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ card }).toString(),
    });

  it('creates an open, unpaid payment session in Stripe’s shape, with its line items and url', async () => {
    const session = await createSession();
    expect(session).toMatchObject({
      object: 'checkout.session',
      mode: 'payment',
      status: 'open',
      payment_status: 'unpaid',
      amount_total: 450,
      currency: 'eur',
      payment_intent: null,
      client_reference_id: 'booking-1',
      locale: 'de',
      success_url: 'https://amtsbote.example/bezahlt?session_id={CHECKOUT_SESSION_ID}',
      custom_text: { submit: { message: 'Kassenzeichen: KZ-2026-000001' } },
      metadata: { booking_id: 'b-1', kassenzeichen: 'KZ-2026-000001' },
    });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.url).toBe(`${harness.url}/sandbox/checkout/${session.id}`);
    expect(await stripe.checkout.sessions.retrieve(session.id)).toEqual(session);
    const items = await stripe.checkout.sessions.listLineItems(session.id);
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({ object: 'item', amount_total: 450, quantity: 1, description: 'Zustellung Ausweisdokument' });
    expect(items.data[0]?.price).toMatchObject({ object: 'price', unit_amount: 450, currency: 'eur', type: 'one_time' });
  });

  it('refuses what Stripe refuses: another mode, no line items, an expiry under 30 minutes, unknown parameters', async () => {
    expect((await catchError(() => createSession({ mode: 'subscription' }))).param).toBe('mode');
    expect((await catchError(() => createSession({ line_items: [] }))).code).toBe('parameter_missing');
    expect((await catchError(() => createSession({ expires_at: Math.floor(nowMs / 1000) + 600 }))).param).toBe('expires_at');
    const unknown = await catchError(() => createSession({ shipping_options: [{ shipping_rate: 'shr_1' }] }));
    expect(unknown.code).toBe('parameter_unknown');
  });

  it('a retry with the same Idempotency-Key returns the same session', async () => {
    const first = await createSession({}, 'checkout-key-1');
    const again = await createSession({}, 'checkout-key-1');
    expect(again.id).toBe(first.id);
    expect((await stripe.checkout.sessions.list({ limit: 100 })).data).toHaveLength(1);
  });

  it('the hosted page shows amount, description and Kassenzeichen in German, with labelled test cards and a cancel link', async () => {
    const session = await createSession();
    const page = await rawRequest(must(session.url, 'url'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.text).toContain('<html lang="de">');
    expect(page.text).toMatch(/<h1>Bezahlen<\/h1>/);
    expect(page.text).toContain('4,50');
    expect(page.text).toContain('Kassenzeichen: KZ-2026-000001');
    expect(page.text).toContain('Zustellung Ausweisdokument');
    expect(page.text).toContain('<legend>Testkarte</legend>');
    expect(page.text).toMatch(/<label><input type="radio" name="card" value="pm_card_visa" checked>/);
    expect(page.text).toContain('href="https://amtsbote.example/abgebrochen"');
    expect(page.text).not.toMatch(/<script|<link|src=/);
    const english = await rawRequest(must((await createSession({ locale: 'en' })).url, 'url'));
    expect(english.text).toContain('<html lang="en">');
  });

  it('paying on the page creates and confirms the PaymentIntent, completes the session and redirects to success_url', async () => {
    const session = await createSession();
    const res = await pay(session, 'pm_card_visa');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`https://amtsbote.example/bezahlt?session_id=${session.id}`);
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    expect([done.status, done.payment_status]).toEqual(['complete', 'paid']);
    const pi = done.payment_intent as Stripe.PaymentIntent;
    expect(pi).toMatchObject({
      status: 'succeeded',
      amount_received: 450,
      description: 'Zustellung KZ-2026-000001',
      metadata: { booking_id: 'b-1', kassenzeichen: 'KZ-2026-000001' },
    });
    expect((await stripe.checkout.sessions.list({ payment_intent: pi.id })).data.map((s) => s.id)).toEqual([session.id]);
    await harness.sandbox.flushWebhooks();
    const types = harness.sandbox.events().map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded', 'checkout.session.completed']),
    );
    const completed = must(
      harness.sandbox.events().find((e) => e.type === 'checkout.session.completed'),
      'completed event',
    );
    expect(completed.data.object).toMatchObject({ id: session.id, payment_intent: pi.id, payment_status: 'paid' });
    // Delivered signed, as Stripe delivers.
    const delivered = receiver.received.find((r) => r.rawBody.includes('checkout.session.completed'));
    const verified = stripe.webhooks.constructEvent(
      must(delivered, 'delivery').rawBody,
      String(must(delivered, 'delivery').headers['stripe-signature']),
      'whsec_test',
    );
    expect(verified.type).toBe('checkout.session.completed');
    // The page now says it is paid; paying again changes nothing.
    expect((await rawRequest(must(session.url, 'url'))).text).toContain('abgeschlossen');
    expect((await pay(session, 'pm_card_visa')).status).toBe(200);
    expect((await stripe.paymentIntents.list()).data).toHaveLength(1);
  });

  it('a declined card shows the error on the page; the session stays open and a second card pays it', async () => {
    const session = await createSession();
    const declined = await pay(session, 'pm_card_chargeDeclinedInsufficientFunds');
    expect(declined.status).toBe(402);
    expect(declined.text).toContain('role="alert"');
    expect(declined.text).toContain('insufficient funds');
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    const paid = await pay(session, 'pm_card_mastercard');
    expect(paid.status).toBe(303);
    const done = await stripe.checkout.sessions.retrieve(session.id);
    expect(done.status).toBe('complete');
    // One PaymentIntent for both attempts, as Stripe keeps.
    expect((await stripe.paymentIntents.list()).data.map((p) => p.id)).toEqual([done.payment_intent]);
  });

  it('expire ends an open session (checkout.session.expired); a complete one cannot be expired', async () => {
    const session = await createSession();
    await pay(session, 'pm_card_chargeDeclined');
    const expired = await stripe.checkout.sessions.expire(session.id);
    expect(expired.status).toBe('expired');
    // The PaymentIntent the failed attempt left is cancelled with it.
    const pi = await stripe.paymentIntents.retrieve(String(expired.payment_intent));
    expect(pi.status).toBe('canceled');
    expect((await rawRequest(must(session.url, 'url'))).status).toBe(410);
    expect((await pay(session, 'pm_card_visa')).status).toBe(410);
    expect(harness.sandbox.events().filter((e) => e.type === 'checkout.session.expired')).toHaveLength(1);

    const paid = await createSession();
    await pay(paid, 'pm_card_visa');
    const error = await catchError(() => stripe.checkout.sessions.expire(paid.id));
    expect(error.statusCode).toBe(400);
  });

  it('a session expires by itself at expires_at on the sandbox clock', async () => {
    const session = await createSession({ expires_at: Math.floor(nowMs / 1000) + 1800 });
    nowMs += 1801_000;
    const seen = await stripe.checkout.sessions.retrieve(session.id);
    expect(seen.status).toBe('expired');
    expect(harness.sandbox.events().filter((e) => e.type === 'checkout.session.expired')).toHaveLength(1);
  });
});
