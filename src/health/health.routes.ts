import { Type } from '@sinclair/typebox';
import type { App } from '../shared/app-types.ts';

const CheckSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('failing')]),
  error: Type.Optional(Type.String({ maxLength: 500 })),
});
const ReadySchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Object({ database: CheckSchema, redis: CheckSchema }),
  stripeSandbox: Type.Boolean(),
});

const FAILING = {
  database: 'The database does not answer (or not within 2 s); the reason is in the API log.',
  redis: 'Redis does not answer (or not within 2 s); the reason is in the API log.',
} as const;

export async function healthRoutes(app: App, opts: { pingDatabase(): Promise<void>; pingRedis(): Promise<void>; stripeSandbox: boolean }) {
  app.get(
    '/health/live',
    {
      schema: {
        operationId: 'getLiveness',
        tags: ['health'],
        summary: 'The process answers',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        operationId: 'getReadiness',
        tags: ['health'],
        summary: 'Database and Redis answer',
        response: { 200: ReadySchema, 503: ReadySchema },
      },
    },
    async (request, reply) => {
      // The probe says which dependency fails; why (a driver message that may name hosts, users or
      // URLs) goes to the log only.
      const check = async (name: 'database' | 'redis', fn: () => Promise<void>) => {
        try {
          await withTimeout(fn(), 2_000);
          return { status: 'ok' as const };
        } catch (err) {
          request.log.warn({ err, check: name }, 'readiness check failed');
          return { status: 'failing' as const, error: FAILING[name] };
        }
      };
      const [database, redis] = await Promise.all([check('database', opts.pingDatabase), check('redis', opts.pingRedis)]);
      const ready = database.status === 'ok' && redis.status === 'ok';
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'not_ready', checks: { database, redis }, stripeSandbox: opts.stripeSandbox });
    },
  );
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
