import { Redis, type RedisOptions } from 'ioredis';
import { StartupError } from './process.ts';

/** A Redis server by URL (`redis://…`, `rediss://…`) or by unix socket (the embedded one). */
export type RedisTarget = string | { path: string };

/**
 * A Redis connection for BullMQ (which needs `maxRetriesPerRequest: null`). At start the platform
 * checks once that Redis answers, and fails with a message that says how to get one.
 */
export async function connectRedis(target: RedisTarget, onError: (err: Error) => void = () => {}): Promise<Redis> {
  const options: RedisOptions = {
    maxRetriesPerRequest: null,
    lazyConnect: true,
    connectTimeout: 3_000,
    retryStrategy: (n) => Math.min(n * 200, 2_000),
  };
  const redis = typeof target === 'string' ? new Redis(target, options) : new Redis({ ...options, path: target.path });
  // Without a listener ioredis prints every reconnect failure to stderr; the process logger gets
  // them instead (the connection keeps retrying on its own).
  redis.on('error', onError);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new StartupError(
      `Redis does not answer at ${describeTarget(target)} (${(err as Error).message}).\n` +
        'Amtsbote needs Redis for its job queues. Start one, for example:\n' +
        '  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\n' +
        '(Debian/Ubuntu: apt-get install redis-server), or point REDIS_URL at yours.',
    );
  }
  return redis;
}

export const redactUrl = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');

/** For log lines and messages: the URL without its password, or the socket's path. */
export const describeTarget = (target: RedisTarget) => (typeof target === 'string' ? redactUrl(target) : `unix socket ${target.path}`);
