import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    const { url: secondUrl } = await second.listen({ port: 0 });
    const stripe2 = new Stripe('sk_test_file', { ...second.clientOptions(), maxNetworkRetries: 0 });
    // It says so on its info page (the in-memory sandbox says a restart loses everything).
    const info = (await (
      await fetch(`${secondUrl}/sandbox`, {
        headers: { accept: 'application/json' },
      })
    ).json()) as { message: string };
    expect(info.message).toMatch(/kept on disk and survive a restart/);
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

  it('lists and pages PaymentIntents and events from the file after compactions and a restart, oldest changes kept in place', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-'));
    dirs.push(dir);
    const file = path.join(dir, 'stripe-sandbox.json');
    const options = { compactAfterLines: 3, cacheObjects: 2 };

    const first = createStripeSandbox({ store: createFileStore(file, options) });
    await first.listen({ port: 0 });
    const stripe1 = new Stripe('sk_test_file', { ...first.clientOptions(), maxNetworkRetries: 0 });
    const created: string[] = [];
    for (let i = 0; i < 12; i++) created.push((await stripe1.paymentIntents.create({ amount: 450 + i, currency: 'eur' })).id);
    await stripe1.paymentIntents.update(created[0] ?? '', { metadata: { changed: 'yes' } });
    await first.close();

    const second = createStripeSandbox({ store: createFileStore(file, options) });
    await second.listen({ port: 0 });
    const stripe2 = new Stripe('sk_test_file', { ...second.clientOptions(), maxNetworkRetries: 0 });
    const newestFirst = [...created].reverse();
    const all = await stripe2.paymentIntents.list({ limit: 5 }).autoPagingToArray({ limit: 100 });
    expect(all.map((p) => p.id)).toEqual(newestFirst);
    expect(all.at(-1)?.metadata).toEqual({ changed: 'yes' });
    const before = await stripe2.paymentIntents.list({ limit: 3, ending_before: newestFirst[5] ?? '' });
    expect(before.data.map((p) => p.id)).toEqual(newestFirst.slice(2, 5));
    expect(before.has_more).toBe(true);
    const events = await stripe2.events.list({ type: 'payment_intent.created', limit: 100 });
    expect(events.data.map((e) => (e.data.object as Stripe.PaymentIntent).id)).toEqual(newestFirst);
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

  const ids = (objects: Iterable<{ id: string }>) => [...objects].map((object) => object.id);

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
    // The torn end was cut off at start: what is written next is not glued to it and survives.
    again.save('payment_intent', pi('pi_after_crash', 7));
    again.flush();
    const third = createFileStore(file);
    expect(third.get('payment_intent', 'pi_after_crash')?.amount).toBe(7);
    expect(third.count('payment_intent')).toBe(50);
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

  it('lists in insertion order after compactions and a restart, however often objects changed', () => {
    const file = fileIn();
    const store = createFileStore(file, { compactAfterLines: 5, cacheObjects: 3 });
    const order = Array.from({ length: 20 }, (_, i) => `pi_${(i * 7) % 20}`);
    for (const id of order) store.save('payment_intent', pi(id, 1));
    // Changing the oldest objects again (and again) does not move them to the end.
    for (let round = 0; round < 5; round++) store.save('payment_intent', pi(order[0] ?? '', 100 + round));
    store.remove('payment_intent', order[3] ?? '');
    store.save('payment_intent', pi(order[3] ?? '', 5)); // back, as a new object: at the end
    const expected = [...order.filter((_, i) => i !== 3), order[3]];
    expect(ids(store.list('payment_intent'))).toEqual(expected);
    store.flush();
    expect(existsSync(file)).toBe(true);

    const again = createFileStore(file, { cacheObjects: 3 });
    expect(ids(again.list('payment_intent'))).toEqual(expected);
    expect(ids(again.scan('payment_intent', { newestFirst: true }))).toEqual([...expected].reverse());
    expect(ids(again.scan('payment_intent', { after: order[1] ?? '' }))).toEqual(expected.slice(2));
    expect(ids(again.scan('payment_intent', { newestFirst: true, after: order[1] ?? '' }))).toEqual([order[0]]);
    expect(ids(again.scan('payment_intent', { after: 'pi_unknown' }))).toEqual([]);
    expect(again.get('payment_intent', order[0] ?? '')?.amount).toBe(104);
  });

  it('a list walked while a change compacts the files carries on where it was', () => {
    const store = createFileStore(fileIn(), { compactAfterLines: 0 });
    for (let i = 0; i < 6; i++) store.save('payment_intent', pi(`pi_${i}`, i));
    const walked: string[] = [];
    for (const object of store.scan('payment_intent')) {
      walked.push(object.id);
      // Every change compacts here: the slots are renumbered under the walk.
      if (object.id === 'pi_2') {
        store.remove('payment_intent', 'pi_0');
        store.save('payment_intent', pi('pi_6', 6));
      }
    }
    expect(walked).toEqual(['pi_0', 'pi_1', 'pi_2', 'pi_3', 'pi_4', 'pi_5', 'pi_6']);
  });

  it('keeps only a bounded number of objects in memory and reads the others back unchanged', () => {
    const file = fileIn();
    const store = createFileStore(file, { cacheObjects: 2 });
    const objects = Array.from({ length: 10 }, (_, i) => ({ ...pi(`pi_${i}`, i), metadata: { booking_id: `b${i}`, note: 'ü → €' } }));
    for (const object of objects) store.save('payment_intent', object);
    // pi_0 was evicted long ago: it comes back from the file, the same as it went in.
    expect(store.get('payment_intent', 'pi_0')).toEqual(objects[0]);
    for (const object of objects) expect(store.get('payment_intent', object.id)).toEqual(object);
    expect(store.list('payment_intent')).toEqual(objects);
  });

  it('hands out copies: neither the saved object nor a returned one can change what is stored', () => {
    const store = createFileStore(fileIn(), { cacheObjects: 10 });
    const original = { ...pi('pi_1', 450), metadata: { booking_id: 'b1' } };
    store.save('payment_intent', original);
    original.metadata.booking_id = 'changed after save';
    const first = store.get('payment_intent', 'pi_1');
    if (!first) throw new Error('pi_1 is not stored');
    first.amount = 1;
    first.metadata.booking_id = 'changed after get';
    const listed = store.list('payment_intent')[0];
    if (listed) listed.amount = 2;
    expect(store.get('payment_intent', 'pi_1')).toMatchObject({ amount: 450, metadata: { booking_id: 'b1' } });
  });

  it('a crash during compaction leaves a state that loads: before the rename, and between the rename and the emptied log', () => {
    const file = fileIn();
    const store = createFileStore(file, { compactAfterLines: 1_000 });
    for (let i = 0; i < 5; i++) store.save('payment_intent', pi(`pi_${i}`, i));
    store.flush();
    const log = readFileSync(`${file}.log`, 'utf8');

    // Crash before the rename: a half-written temporary file, the old snapshot and log untouched.
    writeFileSync(`${file}.tmp`, '{"version":2}\n{"s":"payment_intent","o":{"id":"pi_half');
    const beforeRename = createFileStore(file, { compactAfterLines: 0 });
    expect(existsSync(`${file}.tmp`)).toBe(false);
    expect(ids(beforeRename.list('payment_intent'))).toEqual(['pi_0', 'pi_1', 'pi_2', 'pi_3', 'pi_4']);

    // Crash after the rename: the new snapshot holds the old log and the change that compacted,
    // and the log was not emptied yet. Replaying it over the snapshot changes nothing.
    const change = pi('pi_1', 111);
    beforeRename.save('payment_intent', change); // compacts at once (compactAfterLines: 0)
    beforeRename.flush();
    expect(existsSync(`${file}.log`) ? readFileSync(`${file}.log`, 'utf8') : '').toBe('');
    writeFileSync(`${file}.log`, `${log}${JSON.stringify({ s: 'payment_intent', o: change })}\n`);
    const afterRename = createFileStore(file);
    expect(ids(afterRename.list('payment_intent'))).toEqual(['pi_0', 'pi_1', 'pi_2', 'pi_3', 'pi_4']);
    expect(afterRename.get('payment_intent', 'pi_1')?.amount).toBe(111);
  });

  it('reads a snapshot of the earlier one-document format and rewrites it as JSON lines', () => {
    const file = fileIn();
    const now = Date.now();
    const record = {
      key: 'k1',
      method: 'POST',
      path: '/v1/payment_intents',
      fingerprint: 'f',
      statusCode: 200,
      body: '{}',
      requestId: 'req',
      createdAtMs: now,
    };
    writeFileSync(file, JSON.stringify({ version: 1, objects: { payment_intent: [pi('pi_a', 1), pi('pi_b', 2)] }, idempotency: [record] }));
    appendFileSync(`${file}.log`, `${JSON.stringify({ s: 'payment_intent', o: pi('pi_a', 10) })}\n`);
    const store = createFileStore(file);
    expect(ids(store.list('payment_intent'))).toEqual(['pi_a', 'pi_b']);
    expect(store.get('payment_intent', 'pi_a')?.amount).toBe(10);
    expect(store.getIdempotencyRecord('k1')).toEqual(record);
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('{"version":2}');
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

  it('idempotency records past 24 hours are gone after a restart, from the log and from a compacted snapshot', () => {
    const file = fileIn();
    const now = Date.now();
    const rec = (key: string, createdAtMs: number) => ({
      key,
      method: 'POST',
      path: '/v1/payment_intents',
      fingerprint: 'f',
      statusCode: 200,
      body: JSON.stringify({ id: `pi_${key}` }),
      requestId: `req_${key}`,
      createdAtMs,
    });
    const store = createFileStore(file, { compactAfterLines: 1_000 });
    store.saveIdempotencyRecord(rec('expired', now - IDEMPOTENCY_TTL_MS - 1_000));
    store.saveIdempotencyRecord(rec('young', now));
    store.flush();
    const fromLog = createFileStore(file, { compactAfterLines: 0 });
    expect(fromLog.getIdempotencyRecord('expired')).toBeUndefined();
    expect(fromLog.getIdempotencyRecord('young')).toEqual(rec('young', now));
    // The next change compacts (compactAfterLines: 0); the snapshot keeps the young record only.
    fromLog.saveIdempotencyRecord(rec('younger', now + 1));
    fromLog.flush();
    expect(readFileSync(file, 'utf8')).not.toContain('expired');
    const fromSnapshot = createFileStore(file);
    expect(fromSnapshot.idempotencyRecords().map((r) => r.key)).toEqual(['young', 'younger']);
    expect(fromSnapshot.getIdempotencyRecord('young')?.body).toBe('{"id":"pi_young"}');
  });
});
