import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileStore, createStripeSandbox } from '../../src/stripe-sandbox/index.ts';
import { findReplay, IDEMPOTENCY_TTL_MS } from '../../src/stripe-sandbox/idempotency.ts';

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

describe('the sandbox file: a change log with compaction', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const fileIn = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-log-'));
    dirs.push(dir);
    return path.join(dir, 'stripe-sandbox.json');
  };
  const pi = (id: string, amount: number) => ({ id, object: 'payment_intent', amount }) as unknown as Stripe.PaymentIntent;

  it('appends each change instead of rewriting the store, and replays the log at start', () => {
    const file = fileIn();
    const store = createFileStore(file, { compactAfterLines: 1_000 });
    for (let i = 0; i < 50; i++) store.save('payment_intent', pi(`pi_${i}`, i));
    store.save('payment_intent', pi('pi_3', 999));
    store.remove('payment_intent', 'pi_4');
    store.flush();
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(`${file}.log`, 'utf8').trim().split('\n')).toHaveLength(52);
    // A crash in the middle of an append leaves a torn last line: it is skipped.
    appendFileSync(`${file}.log`, '{"s":"payment_intent","o":{"id":"pi_t');
    const again = createFileStore(file);
    expect(again.count('payment_intent')).toBe(49);
    expect(again.get('payment_intent', 'pi_3')?.amount).toBe(999);
    expect(again.has('payment_intent', 'pi_4')).toBe(false);
  });

  it('folds the log into a snapshot once it outgrows what the store holds', () => {
    const file = fileIn();
    const store = createFileStore(file, { compactAfterLines: 100 });
    // 10 objects changed 30 times each: 300 lines for 10 live objects.
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 10; i++) store.save('payment_intent', pi(`pi_${i}`, round));
      store.flush();
    }
    expect(existsSync(file)).toBe(true);
    const lines = existsSync(`${file}.log`) ? readFileSync(`${file}.log`, 'utf8').trim().split('\n').filter(Boolean).length : 0;
    expect(lines).toBeLessThanOrEqual(110);
    const again = createFileStore(file);
    expect(again.count('payment_intent')).toBe(10);
    expect(again.get('payment_intent', 'pi_7')?.amount).toBe(29);
  });

  it('prunes idempotency records by age without walking the young ones, and never replays an expired key', () => {
    const store = createFileStore(fileIn());
    const now = Date.now();
    const rec = (key: string, createdAtMs: number) => ({
      key,
      method: 'POST',
      path: '/v1/payment_intents',
      fingerprint: 'f',
      statusCode: 200,
      body: '{}',
      requestId: 'req',
      createdAtMs,
    });
    store.saveIdempotencyRecord(rec('old-1', now - 2 * IDEMPOTENCY_TTL_MS));
    store.saveIdempotencyRecord(rec('old-2', now - IDEMPOTENCY_TTL_MS - 1));
    for (let i = 0; i < 100; i++) store.saveIdempotencyRecord(rec(`young-${i}`, now));
    expect(store.pruneIdempotencyRecords(now - IDEMPOTENCY_TTL_MS)).toBe(2);
    expect(store.idempotencyCount()).toBe(100);
    // A record older than its lifetime that escaped pruning is not replayed.
    store.saveIdempotencyRecord(rec('late-old', now - 2 * IDEMPOTENCY_TTL_MS));
    expect(findReplay(store, { key: 'late-old', method: 'POST', path: '/v1/payment_intents', fingerprint: 'f' }, now)).toBeUndefined();
  });
});
