import { randomBytes } from 'node:crypto';
import type { Config } from '../config/config.ts';
import { createStripeGateway } from '../payments/stripe-gateway.ts';
import type { PaymentGateway } from '../payments/payment-gateway.ts';
import { createFileStore, createStripeSandbox, type StripeSandbox } from '../stripe-sandbox/index.ts';
import path from 'node:path';
import type { Logger } from 'pino';

export const SANDBOX_SECRET_KEY = 'sk_test_amtsbote_sandbox';

/**
 * The payment gateway for this process. With STRIPE_SECRET_KEY: real Stripe. Without: the bundled
 * offline sandbox, reached through the same stripe-node client. The process that serves the API
 * hosts the sandbox (`host: true`) so it can deliver webhooks to it; worker processes only talk to it.
 */
export async function setUpPayments(
  config: Config,
  opts: { logger: Logger; hostSandbox: boolean },
): Promise<{
  gateway: PaymentGateway;
  sandbox: StripeSandbox | null;
  /** Tells the sandbox where the API listens, so it delivers signed events there. */
  connectSandboxWebhook(apiBaseUrl: string): void;
}> {
  const noop = () => {};
  const { env } = config;
  if (!config.stripeSandbox) {
    return {
      gateway: createStripeGateway({ secretKey: env.STRIPE_SECRET_KEY!, webhookSecret: env.STRIPE_WEBHOOK_SECRET! }),
      sandbox: null,
      connectSandboxWebhook: noop,
    };
  }
  const endpoint = { host: '127.0.0.1', port: env.STRIPE_SANDBOX_PORT, protocol: 'http' as const };
  if (!opts.hostSandbox) {
    // Workers never verify webhooks; the secret is only needed by the API process.
    return {
      gateway: createStripeGateway({ secretKey: SANDBOX_SECRET_KEY, webhookSecret: 'whsec_unused', endpoint, sandbox: true }),
      sandbox: null,
      connectSandboxWebhook: noop,
    };
  }
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET ?? `whsec_${randomBytes(24).toString('base64url')}`;
  const sandbox = createStripeSandbox({
    logger: opts.logger.child({ component: 'stripe-sandbox' }),
    // Kept in DATA_DIR so a restart does not forget PaymentIntents the database still refers to.
    store: createFileStore(path.resolve(env.DATA_DIR, 'stripe-sandbox.json')),
  });
  const { port } = await sandbox.listen({ port: env.STRIPE_SANDBOX_PORT, host: '127.0.0.1' });
  opts.logger.warn(
    // The sandbox's signing secret is no secret worth keeping (no money moves); logging it lets a
    // tester sign events of their own with stripe-node's webhooks.generateTestHeaderString.
    { sandboxUrl: `http://127.0.0.1:${port}`, webhookSecret },
    'STRIPE SANDBOX IN USE: no STRIPE_SECRET_KEY is set, payments go to the offline Stripe sandbox and no real money moves',
  );
  return {
    gateway: createStripeGateway({ secretKey: SANDBOX_SECRET_KEY, webhookSecret, endpoint: { ...endpoint, port }, sandbox: true }),
    sandbox,
    connectSandboxWebhook: (apiBaseUrl) => {
      sandbox.addWebhookEndpoint(`${apiBaseUrl}/v1/webhooks/stripe`, webhookSecret);
    },
  };
}
