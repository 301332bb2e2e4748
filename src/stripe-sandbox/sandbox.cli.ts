/**
 * Runs the offline Stripe sandbox on its own, e.g. for poking at it with curl or pointing a
 * second checkout of the platform at it:
 *
 *   STRIPE_SANDBOX_PORT=12111 STRIPE_SANDBOX_WEBHOOK_URL=http://127.0.0.1:3000/v1/webhooks/stripe \
 *   STRIPE_WEBHOOK_SECRET=whsec_dev npx tsx src/stripe-sandbox/sandbox.cli.ts
 *
 * STRIPE_SANDBOX_WEBHOOK_EVENTS (comma-separated event types) is the endpoint's enabled_events;
 * every event (`*`) when it is not set.
 *
 * The API server normally hosts the sandbox in-process (src/infra/payments.ts); this is optional.
 */
import { createStripeSandbox } from './index.ts';
import type { SandboxLogger } from './logger.ts';

function createLineLogger(level: string) {
  return (details: object, message?: string) =>
    console.log(JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...details }));
}

const logger: SandboxLogger = {
  debug: createLineLogger('debug'),
  info: createLineLogger('info'),
  warn: createLineLogger('warn'),
  error: createLineLogger('error'),
};
const port = Number(process.env.STRIPE_SANDBOX_PORT ?? 12111);
const host = process.env.STRIPE_SANDBOX_HOST ?? '127.0.0.1';
const webhookUrl = process.env.STRIPE_SANDBOX_WEBHOOK_URL;
const secret = process.env.STRIPE_WEBHOOK_SECRET;
const enabledEvents = process.env.STRIPE_SANDBOX_WEBHOOK_EVENTS?.split(',')
  .map((type) => type.trim())
  .filter((type) => type !== '');

const sandbox = createStripeSandbox({ logger });
const { url } = await sandbox.listen({ port, host });
if (webhookUrl) {
  const endpoint = sandbox.addWebhookEndpoint(webhookUrl, secret, enabledEvents?.length ? enabledEvents : undefined);
  logger.info(
    {
      url: webhookUrl,
      enabledEvents: enabledEvents?.length ? enabledEvents : ['*'],
      secret: secret === undefined ? endpoint.secret : '(from STRIPE_WEBHOOK_SECRET)',
    },
    'webhook endpoint registered',
  );
}
logger.warn(
  { url, apiKey: 'any sk_test_… key' },
  'Offline Stripe sandbox running — no real money. Point stripe-node at it with { host, port, protocol: "http" }.',
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.close().then(() => process.exit(0));
  });
}
