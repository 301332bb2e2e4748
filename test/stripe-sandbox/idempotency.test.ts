import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catchError, rawRequest, startSandbox, type SandboxHarness } from './helpers.ts';
import { must } from '../helpers/must.ts';

describe('stripe sandbox: idempotency', () => {
  let harness: SandboxHarness;
  let stripe: Stripe;

  beforeEach(async () => {
    harness = await startSandbox();
    stripe = harness.stripe;
  });

  afterEach(async () => {
    await harness.sandbox.close();
  });

  it('replays the stored response for the same key and parameters', async () => {
    const params = { amount: 1500, currency: 'eur', metadata: { booking_id: 'bk_1' } };
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'booking-bk_1' });
    const second = await stripe.paymentIntents.create(params, { idempotencyKey: 'booking-bk_1' });
    expect(second).toEqual(first);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect((await stripe.paymentIntents.list()).data).toHaveLength(1);
    // Only one payment_intent.created: the replay did not execute again.
    expect(harness.sandbox.events().filter((event) => event.type === 'payment_intent.created')).toHaveLength(1);
    expect(must(harness.sandbox.events()[0], 'harness.sandbox.events()[0]').request).toEqual({
      id: first.lastResponse.requestId,
      idempotency_key: 'booking-bk_1',
    });
  });

  it('replays byte-identical bodies and statuses over raw HTTP, including card declines', async () => {
    const paymentIntent = await stripe.paymentIntents.create({ amount: 1500, currency: 'eur' });
    const request = {
      method: 'POST',
      headers: {
        Authorization: 'Bearer sk_test_x',
        'Content-Type': 'application/x-www-form-urlencoded',
        'Idempotency-Key': 'decline-1',
      },
      body: 'payment_method=pm_card_chargeDeclined',
    };
    const url = `${harness.url}/v1/payment_intents/${paymentIntent.id}/confirm`;
    const first = await rawRequest(url, request);
    const second = await rawRequest(url, request);
    expect(first.status).toBe(402);
    expect(second.status).toBe(402);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('original-request')).toBe(first.headers.get('request-id'));
    expect(harness.sandbox.events().filter((event) => event.type === 'payment_intent.payment_failed')).toHaveLength(1);
  });

  it('rejects the same key with different parameters or on another endpoint', async () => {
    await stripe.paymentIntents.create({ amount: 1500, currency: 'eur' }, { idempotencyKey: 'key-1' });
    const changed = await catchError(() => stripe.paymentIntents.create({ amount: 1600, currency: 'eur' }, { idempotencyKey: 'key-1' }));
    expect(changed).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(changed.statusCode).toBe(400);
    expect(changed.rawType).toBe('idempotency_error');
    expect(changed.message).toContain("Try using a key other than 'key-1'");

    const otherEndpoint = await catchError(() => stripe.refunds.create({ charge: 'ch_x' }, { idempotencyKey: 'key-1' }));
    expect(otherEndpoint).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('does not store validation failures, so a corrected retry with the same key executes', async () => {
    const invalid = await catchError(() => stripe.paymentIntents.create({ amount: 10, currency: 'eur' }, { idempotencyKey: 'retry-me' }));
    expect(invalid.code).toBe('amount_too_small');
    const valid = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur' }, { idempotencyKey: 'retry-me' });
    expect(valid.status).toBe('requires_payment_method');
  });

  it('forgets keys after 24 hours', async () => {
    let now = new Date('2026-05-01T08:00:00Z');
    const clocked = await startSandbox({ clock: () => now });
    try {
      const first = await clocked.stripe.paymentIntents.create({ amount: 1000, currency: 'eur' }, { idempotencyKey: 'daily' });
      now = new Date('2026-05-02T08:00:01Z');
      const second = await clocked.stripe.paymentIntents.create({ amount: 2000, currency: 'eur' }, { idempotencyKey: 'daily' });
      expect(second.id).not.toBe(first.id);
    } finally {
      await clocked.sandbox.close();
    }
  });
});
