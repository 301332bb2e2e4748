import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileStore, createStripeSandbox } from '../../src/stripe-sandbox/index.ts';

describe('the sandbox kept in a file', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('a restarted sandbox still knows the PaymentIntents, charges and idempotency keys of before', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-'));
    dirs.push(dir);
    const file = path.join(dir, 'stripe-sandbox.json');

    const first = createStripeSandbox({ store: createFileStore(file) });
    await first.listen({ port: 0 });
    const stripe1 = new Stripe('sk_test_file', { ...first.clientOptions(), maxNetworkRetries: 0 });
    const pi = await stripe1.paymentIntents.create(
      { amount: 450, currency: 'eur', metadata: { booking_id: 'b1' } },
      { idempotencyKey: 'same-key' },
    );
    await stripe1.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    await first.close();

    const second = createStripeSandbox({ store: createFileStore(file) });
    await second.listen({ port: 0 });
    const stripe2 = new Stripe('sk_test_file', { ...second.clientOptions(), maxNetworkRetries: 0 });
    const again = await stripe2.paymentIntents.retrieve(pi.id);
    expect(again.status).toBe('succeeded');
    expect(again.metadata).toEqual({ booking_id: 'b1' });
    const refund = await stripe2.refunds.create({ payment_intent: pi.id, amount: 100 });
    expect(refund.status).toBe('succeeded');
    // The idempotency key survives too: the same request returns the same PaymentIntent.
    const replay = await stripe2.paymentIntents.create(
      { amount: 450, currency: 'eur', metadata: { booking_id: 'b1' } },
      { idempotencyKey: 'same-key' },
    );
    expect(replay.id).toBe(pi.id);
    await second.close();
  });
});
