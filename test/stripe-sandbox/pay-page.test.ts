import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rawRequest, startSandbox, type SandboxHarness } from './helpers.ts';
import { must } from '../helpers/must.ts';

describe('stripe sandbox: paying as a person would', () => {
  let harness: SandboxHarness;
  let stripe: Stripe;

  beforeEach(async () => {
    harness = await startSandbox();
    stripe = harness.stripe;
  });

  afterEach(async () => {
    await harness.sandbox.close();
  });

  function submit(id: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return rawRequest(`${harness.url}/sandbox/pay/${id}/confirm`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }

  it('serves a clearly labelled page with pay and decline buttons', async () => {
    const paymentIntent = await stripe.paymentIntents.create({
      amount: 1290,
      currency: 'eur',
      description: 'Kurierzustellung <Personalausweis>',
    });
    const page = await rawRequest(harness.sandbox.payPageUrl(paymentIntent.id));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('<title>Stripe sandbox — no real money</title>');
    expect(page.text).toContain('Pay with test card');
    expect(page.text).toContain('Decline');
    expect(page.text).toContain('12,90');
    // User-provided text is escaped.
    expect(page.text).toContain('Kurierzustellung &lt;Personalausweis&gt;');
    expect(page.text).not.toContain('<Personalausweis>');
  });

  it('refuses a wrong or missing client secret', async () => {
    const paymentIntent = await stripe.paymentIntents.create({ amount: 1290, currency: 'eur' });
    expect((await rawRequest(`${harness.url}/sandbox/pay/${paymentIntent.id}`)).status).toBe(404);
    expect((await rawRequest(`${harness.url}/sandbox/pay/${paymentIntent.id}?client_secret=${paymentIntent.id}_secret_wrong`)).status).toBe(
      404,
    );
    const forged = await submit(paymentIntent.id, { client_secret: 'nope', outcome: 'succeed' });
    expect(forged.status).toBe(404);
    expect((await stripe.paymentIntents.retrieve(paymentIntent.id)).status).toBe('requires_payment_method');
  });

  it('confirms the PaymentIntent from the pay button and redirects to return_url like Stripe', async () => {
    const paymentIntent = await stripe.paymentIntents.create({ amount: 1290, currency: 'eur' });
    const response = await submit(paymentIntent.id, {
      client_secret: must(paymentIntent.client_secret, 'paymentIntent.client_secret'),
      outcome: 'succeed',
      return_url: 'http://localhost:3000/bookings/bk_1/paid',
    });
    expect(response.status).toBe(303);
    const location = new URL(must(response.headers.get('location'), "response.headers.get('location')"));
    expect(location.origin + location.pathname).toBe('http://localhost:3000/bookings/bk_1/paid');
    expect(location.searchParams.get('payment_intent')).toBe(paymentIntent.id);
    expect(location.searchParams.get('payment_intent_client_secret')).toBe(paymentIntent.client_secret);
    expect(location.searchParams.get('redirect_status')).toBe('succeeded');

    const after = await stripe.paymentIntents.retrieve(paymentIntent.id);
    expect(after.status).toBe('succeeded');
    expect(harness.sandbox.events().map((event) => event.type)).toContain('payment_intent.succeeded');

    const page = await rawRequest(harness.sandbox.payPageUrl(paymentIntent.id));
    expect(page.text).toContain('Payment succeeded');
    expect(page.text).not.toContain('Pay with test card');
  });

  it('declines from the decline button and lets the person try again', async () => {
    const paymentIntent = await stripe.paymentIntents.create({ amount: 1290, currency: 'eur' });
    const declined = await submit(paymentIntent.id, {
      client_secret: must(paymentIntent.client_secret, 'paymentIntent.client_secret'),
      outcome: 'decline',
    });
    expect(declined.status).toBe(303);
    expect(declined.headers.get('location')).toBe(
      `/sandbox/pay/${paymentIntent.id}?client_secret=${encodeURIComponent(must(paymentIntent.client_secret, 'paymentIntent.client_secret'))}`,
    );
    expect((await stripe.paymentIntents.retrieve(paymentIntent.id)).status).toBe('requires_payment_method');
    const page = await rawRequest(harness.sandbox.payPageUrl(paymentIntent.id));
    expect(page.text).toContain('Your card was declined.');

    const json = await submit(
      paymentIntent.id,
      { client_secret: must(paymentIntent.client_secret, 'paymentIntent.client_secret'), outcome: 'succeed' },
      { Accept: 'application/json' },
    );
    expect(json.status).toBe(200);
    expect(json.json).toMatchObject({ payment_intent: { id: paymentIntent.id, status: 'succeeded' }, error: null });
  });

  it('ignores non-http return URLs', async () => {
    const paymentIntent = await stripe.paymentIntents.create({ amount: 1290, currency: 'eur' });
    const response = await submit(paymentIntent.id, {
      client_secret: must(paymentIntent.client_secret, 'paymentIntent.client_secret'),
      outcome: 'succeed',
      return_url: 'javascript:alert(1)',
    });
    expect(response.headers.get('location')).toMatch(/^\/sandbox\/pay\//);
  });

  it('says plainly at /sandbox that this is the offline sandbox', async () => {
    const json = await rawRequest(`${harness.url}/sandbox`, { headers: { Accept: 'application/json' } });
    expect(json.status).toBe(200);
    expect(json.json).toMatchObject({ sandbox: true, livemode: false, api_version: Stripe.API_VERSION });
    expect((json.json as { message: string }).message).toContain('offline Stripe sandbox');
    expect((json.json as { message: string }).message).toContain('memory only');
    const html = await rawRequest(`${harness.url}/sandbox`);
    expect(html.text).toContain('Stripe sandbox — no real money');
    const root = await rawRequest(`${harness.url}/`);
    expect(root.text).toContain('Offline Stripe sandbox');
  });
});
