import type { Platform } from '../platform.ts';
import { redactUrl } from './redis.ts';

/**
 * What the start-up log says once the API listens: where the API and its documentation are, how
 * to sign in (the demo credentials file when there is one, also on a later start), which Redis the
 * queues are in (an embedded one is stopped with the process), and which Stripe payments go to.
 */
export function describeRunning(platform: Pick<Platform, 'config' | 'address' | 'demo' | 'sandbox' | 'embeddedRedis'>) {
  const address = platform.address ?? '(not listening)';
  const credentialsFile = platform.demo?.credentialsFile;
  return {
    citizenPages: `${address}/ (book, pay, track)`,
    api: `${address}/v1`,
    docs: `${address}/docs`,
    openapi: `${address}/docs/json`,
    signIn: credentialsFile
      ? `POST ${address}/v1/auth/sessions with a username and password from ${credentialsFile}`
      : platform.config.embeddedDatabase
        ? // The embedded database takes one process at a time: the command is refused while this one runs.
          `POST ${address}/v1/auth/sessions (stop Amtsbote, then create the first admin with: npm run admin:create)`
        : `POST ${address}/v1/auth/sessions (create the first admin with: npm run admin:create)`,
    redis: platform.embeddedRedis
      ? `EMBEDDED redis-server (pid ${platform.embeddedRedis.pid}) on ${platform.embeddedRedis.socket}, queued jobs in its append-only file in ${platform.embeddedRedis.dir}; stopped with Amtsbote`
      : `Redis at ${redactUrl(platform.config.env.REDIS_URL)}`,
    stripe: platform.sandbox
      ? `OFFLINE SANDBOX at http://127.0.0.1:${platform.sandbox.clientOptions().port}/sandbox (no real money moves)`
      : 'Stripe (live or test key from STRIPE_SECRET_KEY)',
  };
}
