import { Redis, type RedisOptions } from 'ioredis';
import { StartupError } from './process.ts';

/** A Redis server by URL (`redis://…`, `rediss://…`) or by unix socket (the embedded one). */
export type RedisTarget = string | { path: string };

/**
 * A Redis connection for BullMQ (which needs `maxRetriesPerRequest: null`). At start the platform
 * checks once that Redis answers, and fails with a message that says how to get one.
 */
const START_TIMEOUT_MS = 8_000;

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
  // ioredis rejects connect() with a bare "Connection is closed."; why (ECONNREFUSED, NOAUTH, …)
  // came through the error event, so the last one is what the message and the cause say.
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => {
    lastError = err;
    onError(err);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    // Bounded: a server that answers wrongly (a password it is not given) would keep it retrying.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    });
    await Promise.race([redis.connect().then(() => redis.ping()), timeout]);
  } catch (err) {
    redis.disconnect();
    const cause = lastError ?? (err as Error);
    throw new StartupError(refusalMessage(describeTarget(target), cause), { cause });
  } finally {
    clearTimeout(timer);
  }
  return redis;
}

/** What the operator reads: a Redis that wants a password needs no advice on starting one. */
function refusalMessage(where: string, cause: Error): string {
  if (/\b(NOAUTH|WRONGPASS)\b/.test(cause.message)) {
    return (
      `Redis at ${where} wants a password that it was not given, or not this one (${cause.message}).\n` +
      'Put it in REDIS_URL: redis://:PASSWORD@host:port (with an ACL user: redis://USER:PASSWORD@host:port).'
    );
  }
  return (
    `Redis does not answer at ${where} (${cause.message}).\n` +
    'Amtsbote needs Redis for its job queues. Start one, for example:\n' +
    '  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\n' +
    '(Debian/Ubuntu: apt-get install redis-server), or point REDIS_URL at yours.'
  );
}

/** True when nothing listens at the address (as opposed to a Redis that answers wrongly, slowly or wants a password). */
export function nothingListens(err: unknown): boolean {
  const cause = err instanceof Error ? err.cause : undefined;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? '';
  return (
    ['ECONNREFUSED', 'ENOENT', 'EADDRNOTAVAIL'].includes(code) || /ECONNREFUSED/.test(String((cause as Error | undefined)?.message ?? ''))
  );
}

export const redactUrl = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');

/** For log lines and messages: the URL without its password, or the socket's path. */
export const describeTarget = (target: RedisTarget) => (typeof target === 'string' ? redactUrl(target) : `unix socket ${target.path}`);
