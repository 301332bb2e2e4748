import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { createRateLimitedError } from '../shared/request.errors.ts';
import { createLeasedRateLimitStore } from './rate-limit-lease-store.ts';

/**
 * Limits kept in Redis, so they hold across API processes. Only routes that declare
 * `config.rateLimit` are limited (sign-in against password guessing, the citizen-facing
 * operations against abuse). If Redis is away or does not answer within a second, requests pass
 * rather than fail or wait. Counts are taken
 * from Redis in leases (rate-limit-lease-store.ts), so a busy client costs Redis a script call
 * every few requests, not one each.
 */
export const rateLimitPlugin = fp(
  async (app: FastifyInstance, opts: { redis: Redis | null; prefix: string; citizenPerMinute: number }) => {
    app.decorate('citizenRateLimit', opts.citizenPerMinute);
    await app.register(rateLimit, {
      global: false,
      ...(opts.redis ? { store: leasedStore(opts.redis, `${opts.prefix}:rate-limit:`) } : {}),
      skipOnError: true,
      errorResponseBuilder: (_request, context) => Object.assign(createRateLimitedError(context.after), { statusCode: context.statusCode }),
    });
  },
  { name: 'rate-limit', dependencies: ['error-handler'] },
);

/**
 * The plugin constructs its store with `new`; a constructor that returns an object hands that
 * object over. Its typings omit the window and limit that it passes to `incr`, and name the
 * route's options where it passes its own merged parameters (with `routeInfo`), hence the cast.
 */
function leasedStore(redis: Redis, prefix: string): FastifyRateLimitStoreCtor {
  return function LeasedStore() {
    return createLeasedRateLimitStore({ redis, prefix });
  } as unknown as FastifyRateLimitStoreCtor;
}

declare module 'fastify' {
  interface FastifyInstance {
    citizenRateLimit: number;
  }
}

export const RATE_LIMITS = {
  /**
   * Per address and username: ten guesses, then a pause. Counted in preHandler, once the body is
   * parsed: at the default onRequest the username is not there yet and every sign-in from one
   * address (a whole office behind one NAT) would share a single counter.
   */
  signIn: {
    max: 10,
    timeWindow: '5 minutes',
    hook: 'preHandler' as const,
    keyGenerator: (request: FastifyRequest) =>
      `${request.ip}:${String((request.body as { username?: unknown } | undefined)?.username ?? '')
        .toLowerCase()
        .slice(0, 64)}`,
  },
  /** Per address, for the operations citizens reach without signing in (RATE_LIMIT_PER_MINUTE). */
  citizen: { max: async (request: FastifyRequest) => request.server.citizenRateLimit, timeWindow: '1 minute' },
};
