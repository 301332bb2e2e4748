import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { createStripeGateway, STRIPE_WEBHOOK_EVENTS } from '../payments/stripe-gateway.ts';
import type { PaymentGateway } from '../payments/payment-gateway.ts';
import { createFileStore, createStripeSandbox, type StripeSandbox, type StripeSandboxOptions } from '../stripe-sandbox/index.ts';

export const SANDBOX_SECRET_KEY = 'sk_test_amtsbote_sandbox';

export interface PaymentsSetUp {
  gateway: PaymentGateway;
  sandbox: StripeSandbox | null;
  /** Tells the sandbox where the API listens, so it delivers signed events there. */
  connectSandboxWebhook(apiBaseUrl: string): void;
}

/**
 * What this process is to the offline Stripe sandbox: nothing (`live`), a client of one elsewhere
 * (`client`: STRIPE_SANDBOX=external, or a worker process), or its host (`host`, with a store of
 * its own or the file store in DATA_DIR). setUpPayments follows it, and createPlatform reads it to
 * know whether this process keeps the sandbox's file in DATA_DIR.
 */
export function sandboxRole(
  config: Config,
  opts: { hostSandbox: boolean; sandbox?: StripeSandboxOptions },
): 'live' | 'client' | 'host' | 'host-file' {
  const { stripe } = config;
  if (stripe.mode === 'live') return 'live';
  if ((stripe.external && stripe.webhookSecret) || !opts.hostSandbox) return 'client';
  return opts.sandbox?.store ? 'host' : 'host-file';
}

/**
 * The payment gateway for this process. In `live` mode: real Stripe. In `sandbox` mode: the bundled
 * offline sandbox, reached through the same stripe-node client. The process that serves the API
 * hosts the sandbox (`hostSandbox: true`) so it can deliver webhooks to it; worker processes only
 * talk to it.
 */
export async function setUpPayments(
  config: Config,
  opts: {
    logger: Logger;
    hostSandbox: boolean;
    /** Options of a hosted sandbox (tests: fast webhook retries, an in-memory store). */
    sandbox?: StripeSandboxOptions;
    /** The hosted sandbox's signing secret, instead of STRIPE_WEBHOOK_SECRET or a random one. */
    webhookSecret?: string;
  },
): Promise<PaymentsSetUp> {
  const noop = () => {};
  const { stripe } = config;
  const role = sandboxRole(config, opts);
  if (stripe.mode === 'live') {
    return {
      gateway: createStripeGateway({ secretKey: stripe.secretKey, webhookSecret: stripe.webhookSecret }),
      sandbox: null,
      connectSandboxWebhook: noop,
    };
  }
  const endpoint = { host: '127.0.0.1', port: stripe.port, protocol: 'http' as const };
  if (role === 'client') {
    // A sandbox in a process of its own (STRIPE_SANDBOX=external): every process is its client, and the
    // API verifies its webhooks with the secret both were given; its webhook endpoint is its own setting.
    // Workers never verify webhooks; the secret is only needed by the API process.
    return {
      gateway: createStripeGateway({
        secretKey: SANDBOX_SECRET_KEY,
        webhookSecret: stripe.webhookSecret ?? 'whsec_unused',
        endpoint,
        sandbox: true,
      }),
      sandbox: null,
      connectSandboxWebhook: noop,
    };
  }
  const given = opts.webhookSecret ?? stripe.webhookSecret;
  const webhookSecret = given ?? `whsec_${randomBytes(24).toString('base64url')}`;
  const sandbox = createStripeSandbox({
    logger: opts.logger.child({ component: 'stripe-sandbox' }),
    ...opts.sandbox,
    // Kept in DATA_DIR so a restart does not forget PaymentIntents the database still refers to.
    store: opts.sandbox?.store ?? createFileStore(path.resolve(config.env.DATA_DIR, 'stripe-sandbox.json')),
  });
  const { port } = await sandbox.listen({ port: stripe.port, host: '127.0.0.1' });
  opts.logger.warn(
    {
      sandboxUrl: `http://127.0.0.1:${port}`,
      // A secret the operator chose may be in use elsewhere too, so it is never logged. A random
      // one is no secret worth keeping (no money moves); logging it lets a tester sign events of
      // their own with stripe-node's webhooks.generateTestHeaderString.
      webhookSecret: given ? 'STRIPE_WEBHOOK_SECRET (as configured; not logged)' : webhookSecret,
    },
    'STRIPE SANDBOX IN USE: no STRIPE_SECRET_KEY is set, payments go to the offline Stripe sandbox and no real money moves',
  );
  return {
    gateway: createStripeGateway({ secretKey: SANDBOX_SECRET_KEY, webhookSecret, endpoint: { ...endpoint, port }, sandbox: true }),
    sandbox,
    connectSandboxWebhook: (apiBaseUrl) => {
      // Subscribed as the README tells an operator to subscribe a real endpoint: only what the platform reads.
      sandbox.addWebhookEndpoint(`${apiBaseUrl}/v1/webhooks/stripe`, webhookSecret, [...STRIPE_WEBHOOK_EVENTS]);
    },
  };
}
