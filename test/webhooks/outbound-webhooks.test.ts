import { eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { appendOutboundEvent, type OutboundEventType } from '../../src/webhooks/outbox.ts';
import { createWebhookRelay } from '../../src/webhooks/webhook-relay.ts';
import { outboundEvents } from '../../src/webhooks/webhooks.table.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api, eventually, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import { freePort, startReceiver, type Behaviour, type Receiver } from '../helpers/webhook-receiver.ts';

// Retries in milliseconds instead of hours; 6 attempts in all. Receivers run on 127.0.0.1, which
// the operator allow-list lets through (the SSRF guard without it: ssrf-guard.test.ts).
const test = platformTest({
  workers: true,
  env: {
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    WEBHOOK_RETRY_DELAYS_MS: '100,300,600,1000,1500',
    WEBHOOK_TIMEOUT_MS: '500',
    WEBHOOK_RELAY_EVERY_MS: '200',
    WEBHOOK_RETRY_AFTER_MAX_SECONDS: '5',
  },
});

describe('outbound courier webhooks: outbox, signed delivery, retries, 410, dead letters and replay', () => {
  let admin: { headers: Record<string, string> };
  let supervisor: { headers: Record<string, string> };
  let zoneId: string;
  const receivers: Receiver[] = [];

  test.beforeAll(async ({ p }) => {
    const seeded = await seedOffice(p.db);
    zoneId = seeded.bikeZone.id;
    admin = await p.staff(['admin'], null);
    supervisor = await p.staff(['supervisor'], seeded.office.id);
  });
  test.afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });

  /** A company whose endpoint is a fresh receiver with the given behaviour. */
  async function companyWithReceiver(p: TestPlatform, behaviour?: Behaviour, opts: { port?: number; listen?: boolean } = {}) {
    let secret = '';
    const port = opts.port ?? (await freePort());
    const start = async (b = behaviour) => {
      const r = await startReceiver(() => secret, b, port);
      receivers.push(r);
      return r;
    };
    const receiver = opts.listen === false ? null : await start();
    const res = await api(p, 'POST', '/v1/courier-companies', {
      headers: admin.headers,
      body: {
        name: `Kurier ${port}`,
        vehicleTypes: ['bike'],
        zoneIds: [zoneId],
        pricePerDeliveryCents: 600,
        pricePerFailedAttemptCents: 300,
        contact: { name: 'Dispo', email: 'dispo@example.org' },
        webhookUrl: `http://127.0.0.1:${port}/hooks`,
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    secret = res.body.signingSecret;
    return { companyId: res.body.company.id as string, apiKey: res.body.apiKey as string, receiver, start };
  }

  async function emit(p: TestPlatform, companyId: string, n = 1, type: OutboundEventType = 'route.offered') {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const { id } = await p.db.transaction((tx) =>
        appendOutboundEvent(tx, {
          companyId,
          type,
          subjectId: `route-${i}`,
          data: { routeId: `route-${i}`, version: 1, stops: [{ recipient: 'Erika Mustermann', street: 'Marktplatz 1' }] },
        }),
      );
      ids.push(id);
    }
    await createWebhookRelay({ db: p.db, queues: p.queues, clock: p.clock }).relayPending();
    return ids;
  }

  const getEvent = async (p: TestPlatform, id: string) =>
    (await api(p, 'GET', `/v1/webhook-events/${id}`, { headers: admin.headers })).body;
  const untilStatus = (p: TestPlatform, id: string, status: string, timeoutMs = 15_000) =>
    eventually(
      () => getEvent(p, id),
      (e) => e.status === status,
      timeoutMs,
    );

  test('an event of a rolled-back transaction is never sent; a committed one arrives signed, with the body shape, and is recorded', async ({
    p,
  }) => {
    const { companyId, receiver } = await companyWithReceiver(p);
    await expect(
      p.db.transaction(async (tx) => {
        await appendOutboundEvent(tx, { companyId, type: 'route.cancelled', data: { routeId: 'r-rolled-back' } });
        throw new Error('the change that caused it fails');
      }),
    ).rejects.toThrow('the change that caused it fails');
    const [id] = await emit(p, companyId, 1, 'route.updated');
    const event = await untilStatus(p, id ?? '', 'delivered');
    expect(event).toMatchObject({ companyId, type: 'route.updated', subjectId: 'route-0', attemptCount: 1, lastStatusCode: 204 });
    expect(event.attempts).toEqual([
      expect.objectContaining({
        attemptNo: 1,
        round: 0,
        statusCode: 204,
        outcome: 'delivered',
        error: null,
        latencyMs: expect.any(Number),
      }),
    ]);
    // Staff never see the data (recipient names and addresses) in these views.
    expect(JSON.stringify(event)).not.toContain('Mustermann');

    expect(receiver?.receptions).toHaveLength(1);
    const [reception] = receiver?.receptions ?? [];
    expect(reception).toMatchObject({ id, verified: true });
    const body = JSON.parse(reception?.body ?? '{}');
    expect(body).toEqual({ type: 'route.updated', timestamp: expect.any(String), data: expect.objectContaining({ routeId: 'route-0' }) });
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
    // Nothing of the rolled-back transaction went anywhere.
    expect(JSON.stringify(receiver?.receptions)).not.toContain('r-rolled-back');
    expect(await p.db.select().from(outboundEvents).where(eq(outboundEvents.companyId, companyId))).toHaveLength(1);
  });

  test('500, then 429 with Retry-After, then 204: three attempts with the same webhook-id, the Retry-After waited for', async ({ p }) => {
    const { companyId, receiver } = await companyWithReceiver(p, (_id, n) =>
      n === 1 ? { status: 500, body: 'database down' } : n === 2 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 204 },
    );
    const [id = ''] = await emit(p, companyId);
    const event = await untilStatus(p, id, 'delivered');
    expect(event.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 429, 204]);
    expect(event.attempts[0]).toMatchObject({ outcome: 'failed', error: 'http_500', responseExcerpt: 'database down' });
    const got = receiver?.of(id) ?? [];
    expect(got.map((r) => r.id)).toEqual([id, id, id]);
    expect(got.every((r) => r.verified && r.body === got[0]?.body)).toBe(true);
    // The schedule says 300 ms before the third attempt; the receiver asked for 2 s.
    expect((got[2]?.at ?? 0) - (got[1]?.at ?? 0)).toBeGreaterThanOrEqual(1_900);
    expect(receiver?.processed.has(id)).toBe(true);
  });

  test('a receiver that is too slow, and one that is down, still get every event once in effect', async ({ p }) => {
    // Slow: the first answer comes after the 500 ms timeout (the receiver did accept it), so the
    // platform tries again and the receiver recognises the webhook-id.
    const slow = await companyWithReceiver(p, (_id, n) => (n === 1 ? { status: 200, delayMs: 1_500 } : { status: 200 }));
    const slowIds = await emit(p, slow.companyId, 3);
    for (const id of slowIds) {
      const e = await untilStatus(p, id, 'delivered');
      expect(e.attempts[0]).toMatchObject({ statusCode: null, error: 'timeout', outcome: 'failed' });
      expect(new Set(slow.receiver?.of(id).map((r) => r.id))).toEqual(new Set([id]));
      expect(slow.receiver?.of(id).length).toBeGreaterThanOrEqual(2);
    }
    expect([...(slow.receiver?.processed ?? [])].sort()).toEqual([...slowIds].sort());

    // Down: nothing listens until the first attempt has failed.
    const down = await companyWithReceiver(p, undefined, { listen: false });
    const [id = ''] = await emit(p, down.companyId);
    // The attempt is counted before it is made (claimAttempt): wait for its recorded outcome, not the count.
    await eventually(
      () => getEvent(p, id),
      (e) => e.attempts.length >= 1,
    );
    const receiver = await down.start(() => ({ status: 200 }));
    const e = await untilStatus(p, id, 'delivered');
    expect(e.attempts[0]).toMatchObject({ statusCode: null, error: 'connection_refused' });
    expect(receiver.of(id).length).toBe(1);
    expect([...receiver.processed]).toEqual([id]);
  });

  test('a 410 disables the endpoint: events wait, and are delivered once an admin enables it again', async ({ p }) => {
    let gone = true;
    const { companyId, receiver } = await companyWithReceiver(p, () => (gone ? { status: 410 } : { status: 200 }));
    const ids = await emit(p, companyId, 2);
    const company = await eventually(
      async () => (await api(p, 'GET', `/v1/courier-companies/${companyId}`, { headers: admin.headers })).body,
      (c) => c.webhookDisabled !== null,
    );
    expect(company.webhookDisabled.reason).toMatch(/410/);
    // Nothing more goes out while it is disabled; the events stay pending.
    await new Promise((r) => setTimeout(r, 1_000));
    const before = receiver?.receptions.length ?? 0;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(receiver?.receptions.length).toBe(before);
    for (const id of ids) expect((await getEvent(p, id)).status).toBe('pending');
    // A pending event is still being delivered: nothing to replay.
    const replay = await api(p, 'POST', `/v1/webhook-events/${ids[0] ?? ''}/replay`, { headers: admin.headers });
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('webhook_event.not_replayable');

    gone = false;
    const enabled = await api(p, 'POST', `/v1/courier-companies/${companyId}/webhook/enable`, { headers: admin.headers });
    expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
    expect(enabled.body.webhookDisabled).toBeNull();
    const outcomes: string[] = [];
    for (const id of ids) {
      const e = await untilStatus(p, id, 'delivered');
      expect(e.attempts.at(-1)).toMatchObject({ statusCode: 200, round: 1 });
      outcomes.push(...e.attempts.map((a: { outcome: string }) => a.outcome));
    }
    expect(outcomes).toContain('gone');
    expect([...(receiver?.processed ?? [])].sort()).toEqual([...ids].sort());
    const again = await api(p, 'POST', `/v1/courier-companies/${companyId}/webhook/enable`, { headers: admin.headers });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('courier_webhook.not_disabled');
  });

  test('after the last attempt an event is dead, staff see it, and a replay delivers it with the same webhook-id', async ({ p }) => {
    let failing = true;
    const { companyId, receiver } = await companyWithReceiver(p, () => (failing ? { status: 503 } : { status: 200 }));
    const [id = ''] = await emit(p, companyId);
    const dead = await untilStatus(p, id, 'dead', 20_000);
    expect(dead.attemptCount).toBe(6);
    expect(dead.deadAt).not.toBeNull();
    expect(dead.attempts.map((a: { attemptNo: number }) => a.attemptNo)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(receiver?.of(id)).toHaveLength(6);
    // No seventh attempt comes by itself.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(receiver?.of(id)).toHaveLength(6);

    const listed = await api(p, 'GET', `/v1/webhook-events?status=dead&companyId=${companyId}`, { headers: supervisor.headers });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((e: { id: string }) => e.id)).toEqual([id]);
    expect((await api(p, 'POST', `/v1/webhook-events/${id}/replay`, { headers: supervisor.headers })).status).toBe(403);

    failing = false;
    const replay = await api(p, 'POST', `/v1/webhook-events/${id}/replay`, { headers: admin.headers });
    expect(replay.status, JSON.stringify(replay.body)).toBe(200);
    expect(replay.body.status).toBe('pending');
    const delivered = await untilStatus(p, id, 'delivered');
    expect(delivered.attempts.at(-1)).toMatchObject({ attemptNo: 7, round: 1, statusCode: 200 });
    expect(new Set(receiver?.of(id).map((r) => r.id))).toEqual(new Set([id]));
    // A delivered event can be replayed too (the receiver dedupes it by its webhook-id).
    const twice = await api(p, 'POST', `/v1/webhook-events/${id}/replay`, { headers: admin.headers });
    expect(twice.status).toBe(200);
    const again = await untilStatus(p, id, 'delivered');
    expect(again.attempts.at(-1)).toMatchObject({ attemptNo: 8, round: 2 });
    expect([...(receiver?.processed ?? [])]).toEqual([id]);
  });

  test('a redirect is not followed: a 3xx is a failed attempt and its target hears nothing', async ({ p }) => {
    const target = await startReceiver(
      () => 'whsec_AAAA',
      () => ({ status: 200 }),
    );
    receivers.push(target);
    const { companyId, receiver } = await companyWithReceiver(p, () => ({ status: 307, headers: { location: target.url } }));
    const [id = ''] = await emit(p, companyId);
    const e = await eventually(
      () => getEvent(p, id),
      (ev) => ev.attemptCount >= 2,
    );
    expect(e.attempts[0]).toMatchObject({ statusCode: 307, outcome: 'failed', error: 'http_307' });
    expect(e.status).toBe('pending');
    expect(receiver?.of(id).length).toBeGreaterThanOrEqual(2);
    expect(target.receptions).toHaveLength(0);
  });

  test('a company sees its own events with their attempts, and none of another company’s', async ({ p }) => {
    const a = await companyWithReceiver(p, () => ({ status: 200 }));
    const b = await companyWithReceiver(p, () => ({ status: 200 }));
    const [idA = ''] = await emit(p, a.companyId);
    await untilStatus(p, idA, 'delivered');
    const asA = { authorization: `Bearer ${a.apiKey}` };
    const asB = { authorization: `Bearer ${b.apiKey}` };
    const own = await api(p, 'GET', '/v1/courier/webhook-events', { headers: asA });
    expect(own.status).toBe(200);
    expect(own.body.data.map((e: { id: string }) => e.id)).toEqual([idA]);
    expect(own.body.data[0].attempts).toHaveLength(1);
    expect((await api(p, 'GET', `/v1/courier/webhook-events/${idA}`, { headers: asA })).body.id).toBe(idA);
    expect((await api(p, 'GET', '/v1/courier/webhook-events', { headers: asB })).body.data).toEqual([]);
    const other = await api(p, 'GET', `/v1/courier/webhook-events/${idA}`, { headers: asB });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('webhook_event.not_found');
  });
});
