import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { startEmbeddedRedis, type EmbeddedRedis } from './embedded-redis.ts';
import { StartupError } from './process.ts';
import { connectRedis, describeTarget, nothingListens } from './redis.ts';

export interface PlatformRedisOptions {
  /** REDIS_URL, or its default when not set. */
  url: string;
  /** Whether the operator set REDIS_URL: a Redis they chose is never replaced by an embedded one. */
  configured: boolean;
  /** `npm start` only: may start a redis-server of its own (split API/worker processes must share one Redis). */
  mayEmbed: boolean;
  dataDir: string;
  logger: Logger;
  /** Tests: the address tried when REDIS_URL is not set (the machine's 6379 may answer), and where redis-server is looked for. */
  embedded?: { defaultUrl?: string; searchPath?: readonly string[] };
  /** The embedded server died under the platform (see PlatformOptions.onFatal). */
  onServerExit?: () => void;
}

/**
 * The platform's Redis connection: REDIS_URL when set; without it the default address if a Redis
 * answers there (an installed system service), and only when none does and the process may, a
 * redis-server child with its data in DATA_DIR/redis. `server` is that child, stopped by the
 * caller after the connection is closed.
 */
export async function openPlatformRedis(opts: PlatformRedisOptions): Promise<{ redis: Redis; server: EmbeddedRedis | null }> {
  const { logger } = opts;
  const onError = (err: Error) => logger.warn({ err: err.message }, 'redis connection error');
  const url = opts.configured ? opts.url : (opts.embedded?.defaultUrl ?? opts.url);
  // Where an embedded Redis may follow, the refused first try is expected: not a warning.
  let connected = false;
  const quietUntilConnected = (err: Error) => {
    if (connected || !opts.mayEmbed || opts.configured) onError(err);
  };
  // An embedded Redis that was used before holds the queued jobs (its append-only file): it is used
  // again even if a Redis answers at the default address now, so no job is left behind unseen.
  const usedBefore = !opts.configured && opts.mayEmbed && existsSync(join(opts.dataDir, 'redis', 'appendonlydir'));
  if (!usedBefore) {
    try {
      const redis = await connectRedis(url, quietUntilConnected);
      connected = true;
      logger.info({ redis: describeTarget(url) }, 'redis connected');
      return { redis, server: null };
    } catch (err) {
      // Only when nothing listens there: a Redis that wants a password, is still loading or is
      // slow is the operator's, and falling back would split the queues between two servers.
      if (opts.configured || !opts.mayEmbed || !(err instanceof StartupError) || !nothingListens(err)) throw err;
    }
  }
  const server = await startEmbeddedRedis({
    dataDir: opts.dataDir,
    logger,
    searchPath: opts.embedded?.searchPath,
    onUnexpectedExit: opts.onServerExit,
  });
  try {
    const redis = await connectRedis({ path: server.socket }, onError);
    logger.info(
      { socket: server.socket, dir: server.dir, executable: server.executable, redisPid: server.pid, appendOnly: true },
      `embedded Redis started: REDIS_URL is not set and ${
        usedBefore
          ? `the embedded Redis in ${server.dir} holds this installation's queued jobs`
          : `nothing answers at ${describeTarget(url)}`
      }, so npm start runs redis-server itself (stopped with Amtsbote; queued jobs kept in ${server.dir}; set REDIS_URL to use another Redis)`,
    );
    return { redis, server };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
