import Stripe from 'stripe';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { setUpPayments } from '../../src/infra/payments.ts';
import { createStripeSandbox } from '../../src/stripe-sandbox/index.ts';
import { describeRunning } from '../../src/infra/startup-message.ts';
import { createPlatform } from '../../src/platform.ts';
import { createMemoryStore } from '../../src/stripe-sandbox/index.ts';
import { createLogCapture } from '../helpers/log-capture.ts';
import { TEST_REDIS_URL } from '../helpers/test-env.ts';
import { must } from '../helpers/must.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const dataDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'amtsbote-start-'));
  dirs.push(dir);
  return dir;
};

describe('what the start-up log says', () => {
  it('after a restart with the same DATA_DIR it still points at the demo credentials file instead of "create the first admin"', async () => {
    // `npm start` as an operator runs it: embedded PGlite in DATA_DIR, the hosted sandbox, the demo.
    const config = loadConfig({
      DATA_DIR: dataDir(),
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
      PORT: '0',
      STRIPE_SANDBOX_PORT: '0',
    });
    const start = () => createPlatform(config, { api: 'listen', migrate: true, seedDemo: true }, { logger: createLogCapture().logger });
    const credentials = path.join(config.env.DATA_DIR, 'demo-credentials.txt');

    const first = await start();
    try {
      expect(first.demo).toEqual({ credentialsFile: credentials });
      expect(readFileSync(credentials, 'utf8')).toMatch(/^admin +\S+ +roles: admin$/m);
    } finally {
      await first.close();
    }

    const second = await start();
    try {
      expect(second.demo).toEqual({ credentialsFile: credentials });
      const message = describeRunning(second);
      expect(message.signIn).toBe(`POST ${second.address}/v1/auth/sessions with a username and password from ${credentials}`);
      expect(message.citizenPages).toBe(`${second.address}/ (book, pay, track)`);
      expect(message.stripe).toMatch(/^OFFLINE SANDBOX at http:\/\/127\.0\.0\.1:\d+\/sandbox/);
    } finally {
      await second.close();
    }
  }, 60_000);

  it('without a credentials file it says how to create the first admin (with the embedded database: after stopping it)', () => {
    const embedded = describeRunning({
      config: loadConfig({}),
      address: 'http://127.0.0.1:3000',
      demo: { credentialsFile: null },
      sandbox: null,
      embeddedRedis: null,
    });
    expect(embedded.signIn).toBe(
      'POST http://127.0.0.1:3000/v1/auth/sessions (stop Amtsbote, then create the first admin with: npm run admin:create)',
    );
    const message = describeRunning({
      config: loadConfig({ REDIS_URL: 'redis://:s3cret@redis.example:6379', DATABASE_URL: 'postgres://db.example/amtsbote' }),
      address: 'http://127.0.0.1:3000',
      demo: { credentialsFile: null },
      sandbox: null,
      embeddedRedis: null,
    });
    expect(message.signIn).toBe('POST http://127.0.0.1:3000/v1/auth/sessions (create the first admin with: npm run admin:create)');
    expect(message.stripe).toBe('Stripe (live or test key from STRIPE_SECRET_KEY)');
    expect(message.redis).toBe('Redis at redis://***@redis.example:6379');
  });

  describe('the Stripe sandbox line', () => {
    const startSandbox = async (env: Record<string, string>) => {
      const logs = createLogCapture();
      const config = loadConfig({ STRIPE_SANDBOX_PORT: '0', ...env });
      const payments = await setUpPayments(config, { logger: logs.logger, hostSandbox: true, sandbox: { store: createMemoryStore() } });
      await must(payments.sandbox, 'payments.sandbox').close();
      const line = logs.lines.find((l) => l.includes('STRIPE SANDBOX IN USE'));
      expect(line).toBeDefined();
      return JSON.parse(must(line, 'line')) as { sandboxUrl: string; webhookSecret: string };
    };

    it('never prints a webhook secret the operator set in STRIPE_WEBHOOK_SECRET', async () => {
      const secret = `whsec_${randomBytes(16).toString('hex')}`;
      const line = await startSandbox({ STRIPE_WEBHOOK_SECRET: secret });
      expect(JSON.stringify(line)).not.toContain(secret);
      expect(line.webhookSecret).toMatch(/STRIPE_WEBHOOK_SECRET .*not logged/);
    });

    it('prints the random secret it made up, so a tester can sign events of their own', async () => {
      const line = await startSandbox({});
      expect(line.webhookSecret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
      expect(line.sandboxUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    });
  });

  describe('a sandbox in a process of its own (STRIPE_SANDBOX=external)', () => {
    it('needs the secret it signs with, hosts nothing, and pays and verifies against the sandbox on its port', async () => {
      expect(() => loadConfig({ STRIPE_SANDBOX: 'external' })).toThrow(/STRIPE_WEBHOOK_SECRET is required with STRIPE_SANDBOX=external/);
      const secret = `whsec_${randomBytes(16).toString('hex')}`;
      // What sandbox.cli.ts starts, here in the test's process on a port of its own.
      const outside = createStripeSandbox({ store: createMemoryStore() });
      const { port } = await outside.listen({ port: 0, host: '127.0.0.1' });
      try {
        const config = loadConfig({ STRIPE_SANDBOX: 'external', STRIPE_SANDBOX_PORT: String(port), STRIPE_WEBHOOK_SECRET: secret });
        const payments = await setUpPayments(config, { logger: createLogCapture().logger, hostSandbox: true });
        expect(payments.sandbox).toBeNull();
        const intent = await payments.gateway.createPaymentIntent({
          amountCents: 450,
          currency: 'EUR',
          description: 'external sandbox',
          metadata: {},
          idempotencyKey: randomBytes(8).toString('hex'),
        });
        expect(intent.id).toMatch(/^pi_/);
        // Its webhooks are signed with the shared secret and verified by the API's gateway.
        const payload = JSON.stringify({
          id: 'evt_external',
          object: 'event',
          type: 'payment_intent.succeeded',
          created: Math.floor(Date.now() / 1000),
          data: { object: { id: intent.id, object: 'payment_intent', amount: 450, currency: 'eur', status: 'succeeded', metadata: {} } },
        });
        const header = new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload, secret });
        expect(() => payments.gateway.parseWebhook(Buffer.from(payload), header)).not.toThrow();
        const wrong = new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload, secret: 'whsec_other' });
        expect(() => payments.gateway.parseWebhook(Buffer.from(payload), wrong)).toThrow();
      } finally {
        await outside.close();
      }
    });
  });
});
