import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { distance } from '@turf/turf';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, test } from 'vitest';
import {
  createRandom,
  decideOffer,
  decideReceiverAnswer,
  decideStopOutcome,
  identityCheckAtDoor,
} from '../../src/courier-sim/decisions.ts';
import { withDemoCourierAllowList, demoAdminPassword } from '../../src/courier-sim/demo-courier.ts';
import { createPlatformClient, DEFAULT_RETRY, PlatformError } from '../../src/courier-sim/platform-client.ts';
import { startSimReceiver } from '../../src/courier-sim/receiver.ts';
import { createRouteBook, type SimRoute } from '../../src/courier-sim/route-book.ts';
import { parseSimOptions, SimOptionsError } from '../../src/courier-sim/sim-options.ts';
import { driveTimeline } from '../../src/courier-sim/timeline.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const route = (version: number, stops = 2): SimRoute => ({
  routeId: '11111111-1111-4111-8111-111111111111',
  version,
  deliveryDate: '2027-03-01',
  vehicleType: 'bike',
  pickupAt: '2027-03-01T07:00:00.000Z',
  returnBy: '2027-03-01T11:00:00.000Z',
  offerDeadline: null,
  stops: Array.from({ length: stops }, (_, i) => ({
    jobId: `job-${i + 1}`,
    sequence: stops - i,
    location: [9.17, 48.77],
    // The second stop in sequence is planned earlier than the first: the courier never goes back in time.
    plannedArrival: `2027-03-01T0${8 + (i % 2)}:00:00.000Z`,
    window: { start: '2027-03-01T08:00:00.000Z', end: '2027-03-01T09:00:00.000Z' },
    identityCheck: { requiredMethods: ['photo_comparison'], minor: false },
  })),
});

describe('the reference courier company: its decisions (pure)', () => {
  test('a webhook-id is processed once, and an older version of a route never overwrites a newer one', () => {
    const book = createRouteBook();
    const at = '2027-03-01T06:00:00Z';
    expect(book.receive('msg_1', { type: 'route.offered', timestamp: at, data: route(2) }).kind).toBe('offered');
    expect(book.receive('msg_1', { type: 'route.offered', timestamp: at, data: route(2) }).kind).toBe('duplicate');
    expect(book.receive('msg_0', { type: 'route.offered', timestamp: at, data: route(1) }).kind).toBe('stale');
    expect(book.receive('msg_2', { type: 'route.updated', timestamp: at, data: route(3, 1) }).kind).toBe('updated');
    expect(book.routes.get(route(3).routeId)?.route?.stops).toHaveLength(1);
    // A cancellation of an older version (an expired offer the route has since left behind) changes nothing.
    expect(
      book.receive('msg_3', {
        type: 'route.cancelled',
        timestamp: at,
        data: { routeId: route(1).routeId, version: 2, reason: 'offer_expired' },
      }).kind,
    ).toBe('stale');
    expect(
      book.receive('msg_4', {
        type: 'route.cancelled',
        timestamp: at,
        data: { routeId: route(1).routeId, version: 4, reason: 'released_by_office' },
      }),
    ).toEqual({
      kind: 'cancelled',
      routeId: route(1).routeId,
      reason: 'released_by_office',
    });
    expect(book.routes.get(route(1).routeId)?.cancelled).toBe(true);
    expect(book.receive('msg_5', { type: 'route.exploded', timestamp: at, data: {} }).kind).toBe('unknown_type');
  });

  test('the drive follows the planned order in accelerated time and never goes back in time', () => {
    const steps = driveTimeline(route(1, 3), { timeFactor: 3600, doorSeconds: 180 });
    expect(steps.map((s) => s.action)).toEqual(['start', 'arrive', 'door', 'arrive', 'door', 'arrive', 'door', 'finish']);
    // Sequence order: job-3 (sequence 1), job-2, job-1.
    expect(steps.filter((s) => s.action === 'arrive').map((s) => ('jobId' in s ? s.jobId : ''))).toEqual(['job-3', 'job-2', 'job-1']);
    const times = steps.map((s) => s.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // 07:00 → 08:00 planned is one simulated hour: one real second at 3600×; return at 11:00 is 4 s.
    expect(steps[1]?.atMs).toBe(1000);
    expect(steps.at(-1)?.atMs).toBe(4000);
  });

  test('an identity check at the door uses the stop’s methods and a position near the address', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.double({ min: 5.8, max: 15, noNaN: true }),
        fc.double({ min: 47, max: 55, noNaN: true }),
        fc.boolean(),
        (seed, lng, lat, passed) => {
          const check = identityCheckAtDoor({
            random: createRandom(seed),
            location: [lng, lat],
            requiredMethods: ['parental_custody', 'second_id_document'],
            passed,
            courierRef: 'r-1',
            at: new Date('2027-03-01T08:00:00Z'),
          });
          expect(check.methods).toEqual(['parental_custody', 'second_id_document']);
          expect(check.result).toBe(passed ? 'passed' : 'failed');
          expect(check.recipientConfirmed).toBe(passed);
          expect(distance([lng, lat], [check.position.lng, check.position.lat], { units: 'meters' })).toBeLessThanOrEqual(26);
        },
      ),
    );
  });

  test('stop outcomes and receiver answers follow their shares', () => {
    const random = createRandom(42);
    const outcomes = Array.from({ length: 4000 }, () => decideStopOutcome(random, { failedStops: 0.2, failedIdentityChecks: 0.1 }));
    const failed = outcomes.filter((o) => o.kind === 'failed');
    const identity = failed.filter((o) => o.kind === 'failed' && o.reason === 'identity_mismatch');
    expect(failed.length / 4000).toBeCloseTo(0.2 + 0.8 * 0.1, 1);
    expect(identity.length / 4000).toBeCloseTo(0.08, 1);
    expect(outcomes.filter((o) => o.kind === 'failed' && o.reason === 'not_home').length).toBeGreaterThan(identity.length);
    expect(Array.from({ length: 100 }, () => decideStopOutcome(random, { failedStops: 0, failedIdentityChecks: 0 }).kind)).not.toContain(
      'failed',
    );

    const offers = Array.from({ length: 4000 }, () => decideOffer(random, 0.25));
    expect(offers.filter((o) => o === 'decline').length / 4000).toBeCloseTo(0.25, 1);
    expect(Array.from({ length: 100 }, () => decideOffer(random, 0))).not.toContain('decline');

    const answers = Array.from({ length: 4000 }, () =>
      decideReceiverAnswer(random, { slow: 0.1, serverError: 0.2, throttled: 0.1, slowMs: 500, retryAfterSeconds: 3 }),
    );
    expect(answers.filter((a) => a.kind === 'server_error').length / 4000).toBeCloseTo(0.2, 1);
    expect(answers.filter((a) => a.kind === 'throttled').length / 4000).toBeCloseTo(0.1, 1);
    expect(answers.filter((a) => a.kind === 'accept' && a.delayMs === 500).length / 4000).toBeCloseTo(0.1, 1);
  });
});

describe('the reference courier company: options', () => {
  test('flags win over environment variables; a wrong value names the option and its variable', () => {
    const env = {
      COURIER_SIM_ADMIN_USERNAME: 'admin',
      COURIER_SIM_ADMIN_PASSWORD: 'pw',
      COURIER_SIM_TIME_FACTOR: '120',
      COURIER_SIM_EVENTS: 'signed',
    };
    const options = parseSimOptions(['--time-factor', '600', '--fail-share=0.3', '--port', '0'], env);
    expect(options).toMatchObject({
      timeFactor: 600,
      transport: 'signed',
      port: 0,
      outcomes: { failedStops: 0.3 },
      office: { slug: 'stuttgart-mitte' },
    });
    expect(options.register).toMatchObject({ adminUsername: 'admin', vehicleTypes: ['bike', 'ecar'] });
    expect(() => parseSimOptions(['--fail-share', '1.5'], env)).toThrow(
      /--fail-share \(COURIER_SIM_FAIL_SHARE\) must be a number from 0 to 1/,
    );
    expect(() => parseSimOptions(['--events', 'carrier-pigeon'], env)).toThrow(SimOptionsError);
    expect(() => parseSimOptions(['--nope', '1'], env)).toThrow(/unknown option --nope/);
    expect(() => parseSimOptions([], {})).toThrow(/existing company .* or admin credentials/);
    expect(() => parseSimOptions(['--api-key', 'ab_courier_x'], {})).toThrow(/all three/);
    const existing = parseSimOptions(
      [
        '--company-id',
        '11111111-1111-4111-8111-111111111111',
        '--api-key',
        'ab_courier_x',
        '--signing-secret',
        'whsec_eA==',
        '--office',
        '22222222-2222-4222-8222-222222222222',
      ],
      {},
    );
    expect(existing).toMatchObject({ credentials: { apiKey: 'ab_courier_x' }, office: { id: '22222222-2222-4222-8222-222222222222' } });
    expect(existing.register).toBeUndefined();
  });

  test('COURIER_SIM=1 adds the sim’s host to the SSRF allow-list, once; otherwise the environment is untouched', () => {
    expect(withDemoCourierAllowList({ WEBHOOK_ALLOWED_HOSTS: '10.0.0.0/8' })).toEqual({
      env: { WEBHOOK_ALLOWED_HOSTS: '10.0.0.0/8' },
      added: null,
    });
    expect(withDemoCourierAllowList({ COURIER_SIM: '1', WEBHOOK_ALLOWED_HOSTS: '10.0.0.0/8' })).toEqual({
      env: { COURIER_SIM: '1', WEBHOOK_ALLOWED_HOSTS: '10.0.0.0/8,127.0.0.1' },
      added: '127.0.0.1',
    });
    expect(withDemoCourierAllowList({ COURIER_SIM: '1', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' }).added).toBeNull();
    expect(withDemoCourierAllowList({ COURIER_SIM: '1', COURIER_SIM_HOST: 'sim.internal' }).env.WEBHOOK_ALLOWED_HOSTS).toBe('sim.internal');
  });

  test('the demo admin’s password is read from the credentials file the first start wrote', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sim-'));
    const file = path.join(dir, 'demo-credentials.txt');
    writeFileSync(file, '# Amtsbote demo accounts\nadmin        s3cr3t   roles: admin\nclerk        other   roles: clerk\n');
    expect(demoAdminPassword(file)).toBe('s3cr3t');
    expect(demoAdminPassword(path.join(dir, 'missing.txt'))).toBeNull();
  });
});

describe('the reference courier company: its receiver and its event posts', () => {
  const secret = `whsec_${Buffer.from('a'.repeat(32)).toString('base64')}`;
  const signed = (id: string, body: string, key = secret) => {
    const now = new Date();
    return {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(key).sign(id, now, body),
    };
  };

  test('verifies every message with standardwebhooks; a simulated 500 or 429 leaves it unprocessed', async () => {
    const processed: string[] = [];
    const answers = [
      { kind: 'server_error' as const },
      { kind: 'throttled' as const, retryAfterSeconds: 7 },
      { kind: 'accept' as const, delayMs: 0 },
    ];
    const receiver = await startSimReceiver({
      host: '127.0.0.1',
      port: 0,
      secret: () => secret,
      answer: () => answers.shift() ?? { kind: 'accept', delayMs: 0 },
      onMessage: (id) => processed.push(id),
    });
    try {
      const url = `http://127.0.0.1:${receiver.port}/webhooks`;
      const body = JSON.stringify({ type: 'route.offered', timestamp: new Date().toISOString(), data: {} });
      const post = (headers: Record<string, string>) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const otherSecret = `whsec_${Buffer.from('b'.repeat(32)).toString('base64')}`;
      expect((await post(signed('msg_x', body, otherSecret))).status).toBe(401);
      expect((await post(signed('msg_a', body))).status).toBe(500);
      const throttled = await post(signed('msg_a', body));
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('7');
      expect(processed).toEqual([]);
      expect((await post(signed('msg_a', body))).status).toBe(204);
      expect(processed).toEqual(['msg_a']);
    } finally {
      await receiver.close();
    }
  });

  test('an event post is retried on 5xx and network errors with the same id and body, for less than the platform’s tolerance; a 409 is not retried', async () => {
    let total = 0;
    for (let a = 1; a < DEFAULT_RETRY.attempts; a++) total += Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** (a - 1));
    expect(total).toBeGreaterThan(240_000);
    expect(total).toBeLessThan(300_000);

    const seen: { id: string; body: string }[] = [];
    let answer = [503, 502, 200];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ id: (JSON.parse(body) as { id: string }).id, body });
        const status = answer.shift() ?? 409;
        if (status === 502) {
          req.socket.destroy();
          return;
        }
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(
          status === 200
            ? '{"received":true,"outcome":"applied"}'
            : JSON.stringify({ error: { code: 'route.wrong_state', message: 'no' } }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const client = createPlatformClient({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        retry: { attempts: 5, baseDelayMs: 5, maxDelayMs: 20 },
      });
      const creds = { companyId: '11111111-1111-4111-8111-111111111111', apiKey: 'ab_courier_x', signingSecret: secret };
      const event = { id: 'sim.route.started.r1', type: 'route.started', timestamp: new Date().toISOString(), data: { routeId: 'r1' } };
      expect(await client.postEvent(creds, 'api-key', event)).toEqual({ received: true, outcome: 'applied' });
      expect(seen).toHaveLength(3);
      expect(new Set(seen.map((s) => s.body)).size).toBe(1);
      seen.length = 0;
      answer = [409];
      await expect(client.postEvent(creds, 'signed', event)).rejects.toBeInstanceOf(PlatformError);
      expect(seen).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
