import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test as plain } from 'vitest';
import { courierCompanies } from '../../src/couriers/couriers.table.ts';
import { appendOutboundEvent } from '../../src/webhooks/outbox.ts';
import { createWebhookUrlPolicy } from '../../src/webhooks/ssrf-guard.ts';
import { createWebhookRelay } from '../../src/webhooks/webhook-relay.ts';
import { createWebhookSender } from '../../src/webhooks/webhook-sender.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api, eventually, seedOffice } from '../helpers/test-platform.ts';

const NO_ALLOW_LIST = { hostnames: [], addresses: [] };

describe('the SSRF guard refuses private, loopback and link-local targets, also as IP literals', () => {
  let hits = 0;
  let port = 0;
  const server = http.createServer((req, res) => {
    hits++;
    if (req.url === '/redirect') {
      res.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere` });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const sendWith = (allowedHosts: { hostnames: string[]; addresses: string[] }, url: string) => {
    const guard = createWebhookUrlPolicy({ requireHttps: false, allowedHosts });
    return createWebhookSender({ guard, timeoutMs: 2_000 })({ url, headers: {}, body: '{}' });
  };

  plain('without the allow-list, nothing reaches a loopback, private, link-local, CGNAT, multicast or unspecified address', async () => {
    const targets = [
      `http://127.0.0.1:${port}/`,
      `http://localhost:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://2130706433:${port}/`, // 127.0.0.1 as one decimal number
      `http://0.0.0.0:${port}/`,
      'http://10.0.0.1/',
      'http://192.168.1.1/',
      'http://172.16.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.64.0.1/',
      'http://224.0.0.1/',
      'http://[fe80::1]/',
      'http://[fc00::1]/',
      `https://127.0.0.1:${port}/`,
    ];
    for (const url of targets) {
      const result = await sendWith(NO_ALLOW_LIST, url);
      expect(result, url).toMatchObject({ kind: 'no_answer', reason: 'address_refused' });
    }
    expect(hits).toBe(0);
  });

  plain('the operator allow-list lets a named address, CIDR or host through (so the refusals above are the guard’s)', async () => {
    for (const [allow, url] of [
      [{ hostnames: [], addresses: ['127.0.0.1'] }, `http://127.0.0.1:${port}/`],
      [{ hostnames: [], addresses: ['127.0.0.0/8'] }, `http://127.0.0.1:${port}/`],
      [{ hostnames: ['localhost'], addresses: [] }, `http://localhost:${port}/`],
    ] as const) {
      const before = hits;
      const result = await sendWith({ hostnames: [...allow.hostnames], addresses: [...allow.addresses] }, url);
      expect(result, url).toMatchObject({ kind: 'answered', status: 200, excerpt: '{"ok":true}' });
      expect(hits).toBe(before + 1);
    }
  });

  plain('a redirect is not followed, even to an allowed address', async () => {
    const before = hits;
    const result = await sendWith({ hostnames: [], addresses: ['127.0.0.1'] }, `http://127.0.0.1:${port}/redirect`);
    expect(result).toMatchObject({ kind: 'answered', status: 302 });
    expect(hits).toBe(before + 1);
  });

  plain('a webhook URL is checked when it is set: https in production, no credentials, no private IP literal', () => {
    const prod = createWebhookUrlPolicy({ requireHttps: true, allowedHosts: NO_ALLOW_LIST });
    const dev = createWebhookUrlPolicy({ requireHttps: false, allowedHosts: NO_ALLOW_LIST });
    expect(prod.problem('http://courier.example/hooks')).toBe('https_required');
    expect(prod.problem('https://courier.example/hooks')).toBeNull();
    expect(dev.problem('http://courier.example/hooks')).toBeNull();
    expect(dev.problem('https://user:pw@courier.example/hooks')).toBe('credentials_in_url');
    expect(dev.problem('ftp://courier.example/')).toBe('invalid_url');
    for (const url of [
      'http://127.0.0.1/',
      'http://[::1]/',
      'http://10.1.2.3/',
      'http://169.254.169.254/',
      'http://localhost/',
      'http://0x7f000001/',
    ]) {
      expect(dev.problem(url), url).toBe('address_not_allowed');
    }
    expect(dev.problem('https://93.184.215.14/hooks')).toBeNull();
    const allowed = createWebhookUrlPolicy({ requireHttps: false, allowedHosts: { hostnames: [], addresses: ['10.0.0.0/8'] } });
    expect(allowed.problem('http://10.1.2.3/')).toBeNull();
  });
});

// The platform as it runs by default: no allow-list.
const test = platformTest({ workers: true, env: { WEBHOOK_RETRY_DELAYS_MS: '50,50', WEBHOOK_RELAY_EVERY_MS: '100' } });

describe('the platform without an allow-list', () => {
  test('refuses a loopback webhook URL when it is set, and again when sending (a URL that got into the row anyway)', async ({ p }) => {
    let hits = 0;
    const server = http.createServer((_req, res) => {
      hits++;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const { bikeZone } = await seedOffice(p.db);
      const admin = await p.staff(['admin'], null);
      const body = {
        name: 'Intern',
        vehicleTypes: ['bike'],
        zoneIds: [bikeZone.id],
        pricePerDeliveryCents: 1,
        pricePerFailedAttemptCents: 1,
        contact: { name: 'X', email: 'x@example.org' },
        webhookUrl: `http://127.0.0.1:${port}/hooks`,
      };
      const refused = await api(p, 'POST', '/v1/courier-companies', { headers: admin.headers, body });
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({
        code: 'courier_company.webhook_url_not_allowed',
        details: { problem: 'address_not_allowed' },
      });

      // Written straight to the row, past the check at setting time: the sending side checks again
      // (the connection-time address check of a name resolving to loopback is tested above, on the sender).
      const created = await api(p, 'POST', '/v1/courier-companies', {
        headers: admin.headers,
        body: { ...body, webhookUrl: 'https://courier.example/hooks' },
      });
      const companyId = created.body.company.id as string;
      await p.db
        .update(courierCompanies)
        .set({ webhookUrl: `http://localhost:${port}/hooks` })
        .where(eq(courierCompanies.id, companyId));
      const { id } = await p.db.transaction((tx) => appendOutboundEvent(tx, { companyId, type: 'route.offered', data: { routeId: 'r1' } }));
      await createWebhookRelay({ db: p.db, queues: p.queues }).relayPending();
      const dead = await eventually(
        async () => (await api(p, 'GET', `/v1/webhook-events/${id}`, { headers: admin.headers })).body,
        (e) => e.status === 'dead',
      );
      expect(dead.attempts.map((a: { error: string }) => a.error)).toEqual([
        'url_address_not_allowed',
        'url_address_not_allowed',
        'url_address_not_allowed',
      ]);
      expect(dead.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['refused', 'refused', 'refused']);
      expect(hits).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
