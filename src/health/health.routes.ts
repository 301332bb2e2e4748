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
    async (_request, reply) => {
      const check = async (fn: () => Promise<void>) => {
        try {
          await withTimeout(fn(), 2_000);
          return { status: 'ok' as const };
        } catch (err) {
          return { status: 'failing' as const, error: String((err as Error).message ?? err).slice(0, 500) };
        }
      };
      const [database, redis] = await Promise.all([check(opts.pingDatabase), check(opts.pingRedis)]);
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
