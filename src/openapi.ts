import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { loadConfig } from './config/config.ts';
import type { DatabaseHandle } from './db/client.ts';
import type { Queues } from './jobs/queues.ts';
import type { PaymentGateway } from './payments/payment-gateway.ts';
import { createPlatform } from './platform.ts';
import { required } from './shared/required.ts';

/**
 * The OpenAPI document as the running app generates it. Building the app needs no live
 * connections: nothing is called until a request arrives, so the platform is given inert
 * stand-ins for its database, Redis, queues and gateway.
 */
export async function generateOpenApiDocument(): Promise<Record<string, unknown>> {
  const unused = (what: string) => () => {
    throw new Error(`${what} is not available while generating the OpenAPI document`);
  };
  const platform = await createPlatform(
    loadConfig({ LOG_LEVEL: 'silent' }),
    { api: 'build' },
    {
      logger: pino({ level: 'silent' }),
      parts: {
        database: {
          db: null as never,
          kind: 'postgres',
          migrate: unused('database'),
          ping: unused('database'),
          close: async () => {},
        } satisfies DatabaseHandle,
        redis: null as unknown as Redis,
        queues: { enqueue: unused('queues'), queue: unused('queues'), close: async () => {} } satisfies Queues,
        gateway: { sandbox: false, hostedPageOrigins: ['https://checkout.stripe.com'] } as unknown as PaymentGateway,
      },
    },
  );
  try {
    const app = required(platform.app, "the app of createPlatform({ api: 'build' })");
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await platform.close();
  }
}
