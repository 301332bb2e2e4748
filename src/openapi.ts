import { pino } from 'pino';
import { buildApp } from './app.ts';
import { loadConfig } from './config/config.ts';
import type { DatabaseHandle } from './db/client.ts';
import type { Queues } from './jobs/queues.ts';
import type { PaymentGateway } from './payments/payment-gateway.ts';
import type { Redis } from 'ioredis';

/**
 * The OpenAPI document as the running app generates it. Building the app needs no live
 * connections: nothing is called until a request arrives, so inert stand-ins suffice here.
 */
export async function generateOpenApiDocument(): Promise<Record<string, unknown>> {
  const unused = (what: string) => () => {
    throw new Error(`${what} is not available while generating the OpenAPI document`);
  };
  const app = await buildApp({
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    database: {
      db: null as never,
      kind: 'postgres',
      migrate: unused('database'),
      ping: unused('database'),
      close: async () => {},
    } satisfies DatabaseHandle,
    redis: null as unknown as Redis,
    queues: { enqueue: unused('queues'), queue: unused('queues'), close: async () => {} } satisfies Queues,
    gateway: { sandbox: false } as PaymentGateway,
    logger: pino({ level: 'silent' }),
  });
  await app.ready();
  const doc = app.swagger() as unknown as Record<string, unknown>;
  await app.close();
  return doc;
}
