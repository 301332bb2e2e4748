import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { catchError, startSandbox, startWebhookReceiver, type SandboxHarness, type WebhookReceiver } from './helpers.ts';
import { must } from '../helpers/must.ts';

const SECRET = 'whsec_test_sandbox_secret';

describe('stripe sandbox: events and webhooks', () => {
  const cleanups: Array<() => Promise<void>> = [];

  afterEach(async () => {
    while (cleanups.length > 0) await must(cleanups.pop(), 'cleanups.pop()')();
  });

  async function setup(
    respond?: (index: number, rawBody: string) => number,
    maxAttempts = 3,
  ): Promise<SandboxHarness & { receiver: WebhookReceiver }> {
    const receiver = await startWebhookReceiver(respond);
    cleanups.push(() => receiver.close());
    const harness = await startSandbox({
      webhookEndpoints: [{ url: receiver.url, secret: SECRET }],
      retry: { baseDelayMs: 50, maxAttempts },
    });
    cleanups.push(() => harness.sandbox.close());
    return { ...harness, receiver };
  }

  function verify(stripe: Stripe, received: { rawBody: string; headers: Record<string, unknown> }): Stripe.Event {
    return stripe.webhooks.constructEvent(received.rawBody, received.headers['stripe-signature'] as string, SECRET);
  }

  it('delivers signed events that stripe.webhooks.constructEvent accepts', async () => {
    const { stripe, sandbox, receiver } = await setup();
    const created = await stripe.paymentIntents.create({ amount: 1500, currency: 'eur', metadata: { booking_id: 'bk_9' } });
    const paid = await stripe.paymentIntents.confirm(created.id, { payment_method: 'pm_card_visa' });
    await sandbox.flushWebhooks({ timeoutMs: 5_000 });

    const events = receiver.received.map((received) => verify(stripe, received));
    expect(events.map((event) => event.type)).toEqual(['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded']);
    const succeeded = must(events[2], 'events[2]');
    expect(succeeded).toMatchObject({
      object: 'event',
      api_version: Stripe.API_VERSION,
      livemode: false,
      type: 'payment_intent.succeeded',
      request: { id: paid.lastResponse.requestId, idempotency_key: expect.stringMatching(/^stripe-node-retry-/) },
    });
    expect(succeeded.id).toMatch(/^evt_/);
    if (succeeded.type !== 'payment_intent.succeeded') throw new Error('narrowing');
    expect(succeeded.data.object).toMatchObject({ id: created.id, status: 'succeeded', metadata: { booking_id: 'bk_9' } });
    // Only the fields that changed, with their earlier values.
    expect(succeeded.data.previous_attributes).toEqual({
      status: 'requires_payment_method',
      amount_received: 0,
      latest_charge: null,
      payment_method: null,
    });

    const header = must(receiver.received[0], 'receiver.received[0]').headers;
    expect(header['content-type']).toBe('application/json; charset=utf-8');
    expect(header['user-agent']).toContain('Stripe/1.0');
    expect(header['stripe-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    // A tampered body or a wrong secret fails verification.
    expect(() =>
      stripe.webhooks.constructEvent(
        must(receiver.received[0], 'receiver.received[0]').rawBody + ' ',
        header['stripe-signature'] as string,
        SECRET,
      ),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
    expect(() =>
      stripe.webhooks.constructEvent(
        must(receiver.received[0], 'receiver.received[0]').rawBody,
        header['stripe-signature'] as string,
        'whsec_other',
      ),
    ).toThrow();

    // All delivered: nothing pending any more.
    const listed = await stripe.events.list({ delivery_success: true });
    expect(listed.data).toHaveLength(3);
    expect(listed.data.every((event) => event.pending_webhooks === 0)).toBe(true);
  });

  it('does not hold the API response until webhooks are delivered', async () => {
    const receiver = await startWebhookReceiver(() => 200, { delayMs: 1_000 });
    cleanups.push(() => receiver.close());
    const { stripe, sandbox } = await startSandbox({ webhookEndpoints: [{ url: receiver.url, secret: SECRET }] });
    cleanups.push(() => sandbox.close());
    const started = Date.now();
    await stripe.paymentIntents.create({ amount: 1500, currency: 'eur' });
    // The answer came while the delivery was still held by the receiver: no attempt has finished.
    // (Asked of the sandbox rather than of the wall clock, which a loaded machine stretches.)
    expect(sandbox.webhookAttempts()).toEqual([]);
    await sandbox.flushWebhooks({ timeoutMs: 10_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(receiver.received).toHaveLength(1);
  });

  it('retries with exponential backoff after the receiver answers 500', async () => {
    const { stripe, sandbox, receiver } = await setup((index) => (index < 2 ? 500 : 200), 4);
    const started = Date.now();
    await stripe.paymentIntents.create({ amount: 1500, currency: 'eur' });
    await sandbox.flushWebhooks({ timeoutMs: 5_000 });

    expect(receiver.received.map((received) => received.status)).toEqual([500, 500, 200]);
    // 50 ms, then 100 ms backoff.
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const attempts = sandbox.webhookAttempts();
    expect(attempts.map((attempt) => [attempt.attempt, attempt.ok, attempt.statusCode])).toEqual([
      [1, false, 500],
      [2, false, 500],
      [3, true, 200],
    ]);
    // Every retry is freshly signed and verifiable.
    for (const received of receiver.received) expect(verify(stripe, received).type).toBe('payment_intent.created');
    expect(must(sandbox.events()[0], 'sandbox.events()[0]').pending_webhooks).toBe(0);
  });

  it('gives up after maxAttempts and keeps the event pending', async () => {
    const { stripe, sandbox, receiver } = await setup(() => 503, 2);
    await stripe.paymentIntents.create({ amount: 1500, currency: 'eur' });
    await sandbox.flushWebhooks({ timeoutMs: 5_000 });

    expect(receiver.received).toHaveLength(2);
    const pending = await stripe.events.list({ delivery_success: false });
    expect(pending.data).toHaveLength(1);
    expect(must(pending.data[0], 'pending.data[0]').pending_webhooks).toBe(1);
  });

  it('retries network errors too', async () => {
    const { stripe, sandbox } = await startSandbox({
      webhookEndpoints: [{ url: 'http://127.0.0.1:1/unreachable', secret: SECRET }],
      retry: { baseDelayMs: 20, maxAttempts: 2 },
    });
    cleanups.push(() => sandbox.close());
    await stripe.paymentIntents.create({ amount: 1500, currency: 'eur' });
    await sandbox.flushWebhooks({ timeoutMs: 5_000 });
    const attempts = sandbox.webhookAttempts();
    expect(attempts).toHaveLength(2);
    expect(attempts.every((attempt) => !attempt.ok && attempt.statusCode === null && attempt.error !== null)).toBe(true);
  });

  it('delivers events for one object in creation order even while an earlier one is retried', async () => {
    // The first delivery (payment_intent.created) fails once; the later events must wait for it.
    const { stripe, sandbox, receiver } = await setup((index) => (index === 0 ? 500 : 200), 3);
    const created = await stripe.paymentIntents.create({ amount: 1500, currency: 'eur' });
    await stripe.paymentIntents.confirm(created.id, { payment_method: 'pm_card_visa' });
    await sandbox.flushWebhooks({ timeoutMs: 5_000 });

    const delivered = receiver.received.filter((received) => received.status === 200).map((received) => verify(stripe, received));
    const forIntent = delivered.filter((event) => (event.data.object as { id: string }).id === created.id).map((event) => event.type);
    expect(forIntent).toEqual(['payment_intent.created', 'payment_intent.succeeded']);
  });

  it('emits charge.dispute.created shortly after a pm_card_createDispute payment', async () => {
    const { stripe, sandbox, receiver } = await setup();
    const paid = await stripe.paymentIntents.create({
      amount: 5000,
      currency: 'eur',
      payment_method: 'pm_card_createDispute',
      confirm: true,
    });
    expect(paid.status).toBe('succeeded');
    await sandbox.flushWebhooks({ timeoutMs: 5_000 });

    const events = receiver.received.map((received) => verify(stripe, received));
    const disputeEvent = events.find((event) => event.type === 'charge.dispute.created');
    if (disputeEvent?.type !== 'charge.dispute.created') throw new Error('no charge.dispute.created delivered');
    const dispute = disputeEvent.data.object;
    expect(dispute).toMatchObject({
      object: 'dispute',
      amount: 5000,
      charge: paid.latest_charge,
      payment_intent: paid.id,
      reason: 'fraudulent',
      status: 'needs_response',
    });
    expect(dispute.id).toMatch(/^dp_/);
    expect(disputeEvent.request).toEqual({ id: null, idempotency_key: null });
    expect(events.map((event) => event.type)).toContain('charge.dispute.funds_withdrawn');

    const charge = await stripe.charges.retrieve(paid.latest_charge as string);
    expect(charge.disputed).toBe(true);
    const retrieved = await stripe.disputes.retrieve(dispute.id);
    expect(retrieved.balance_transactions[0]).toMatchObject({ amount: -5000, fee: 2000, net: -7000, reporting_category: 'dispute' });
    const refund = await catchError(() => stripe.refunds.create({ payment_intent: paid.id }));
    expect(refund.code).toBe('charge_disputed');
  });

  it('registers endpoints through POST /v1/webhook_endpoints, revealing the secret once', async () => {
    const receiver = await startWebhookReceiver();
    cleanups.push(() => receiver.close());
    const { stripe, sandbox } = await startSandbox();
    cleanups.push(() => sandbox.close());

    const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['payment_intent.succeeded'] });
    expect(endpoint).toMatchObject({
      object: 'webhook_endpoint',
      url: receiver.url,
      status: 'enabled',
      enabled_events: ['payment_intent.succeeded'],
    });
    expect(endpoint.id).toMatch(/^we_/);
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect((await stripe.webhookEndpoints.retrieve(endpoint.id)).secret).toBeUndefined();

    await stripe.paymentIntents.create({ amount: 1500, currency: 'eur', payment_method: 'pm_card_visa', confirm: true });
    await sandbox.flushWebhooks({ timeoutMs: 5_000 });
    expect(receiver.received).toHaveLength(1);
    const event = stripe.webhooks.constructEvent(
      must(receiver.received[0], 'receiver.received[0]').rawBody,
      must(receiver.received[0], 'receiver.received[0]').headers['stripe-signature'] as string,
      must(endpoint.secret, 'endpoint.secret'),
    );
    expect(event.type).toBe('payment_intent.succeeded');

    const bad = await catchError(() => stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['invoice.paid'] }));
    expect(bad).toMatchObject({ statusCode: 400, param: 'enabled_events' });

    await stripe.webhookEndpoints.del(endpoint.id);
    expect((await stripe.webhookEndpoints.list()).data).toEqual([]);
  });

  it('adds endpoints through the JS control surface and stops cleanly on close', async () => {
    const receiver = await startWebhookReceiver(() => 500);
    cleanups.push(() => receiver.close());
    const { stripe, sandbox } = await startSandbox({ retry: { baseDelayMs: 10_000, maxAttempts: 5 } });
    const { secret } = sandbox.addWebhookEndpoint(receiver.url);
    expect(secret).toMatch(/^whsec_/);
    await stripe.paymentIntents.create({ amount: 1500, currency: 'eur' });
    // Wait for the first failed attempt; the next retry would be 10 s away.
    for (let waited = 0; receiver.received.length === 0 && waited < 10_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(receiver.received).toHaveLength(1);
    const started = Date.now();
    await sandbox.close();
    // close() neither waits for the retry timer nor leaves flushWebhooks hanging. The bound is
    // loose for a loaded 2-core machine (it was 1 s) and still well below the 10 s retry.
    await sandbox.flushWebhooks();
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
