import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { startWorkers, type StartedWorkers } from '../workers/index.ts';
import { buildApp } from './app.ts';
import type { Config } from './config/config.ts';
import { openDatabase, type DatabaseHandle } from './db/client.ts';
import { analyzeTablesWithoutStatistics } from './db/statistics.ts';
import { setUpDemo } from './demo/demo-setup.ts';
import { lockDataDir, type DataDirLock } from './infra/data-dir-lock.ts';
import { sandboxRole, setUpPayments } from './infra/payments.ts';
import { createLogger } from './infra/process.ts';
import type { EmbeddedRedis } from './infra/embedded-redis.ts';
import { openPlatformRedis, type PlatformRedisOptions } from './infra/platform-redis.ts';
import { createQueues, type Queues } from './jobs/queues.ts';
import type { PaymentGateway } from './payments/payment-gateway.ts';
import type { App } from './shared/app-types.ts';
import type { StripeSandbox, StripeSandboxOptions } from './stripe-sandbox/index.ts';
import { startMetricsServer, type MetricsServer } from './metrics/metrics-server.ts';
import { createWorkerMetrics } from './metrics/worker-metrics.ts';

/** Which parts of the platform this process runs. */
export interface PlatformOptions {
  /** The HTTP API: `listen` on HOST:PORT, `build` it without a listener (the OpenAPI document), or `none`. Default `listen`. */
  api?: 'listen' | 'build' | 'none';
  /** The BullMQ workers. Default false. */
  workers?: boolean;
  /** Apply the migrations first (API processes; workers expect them applied). Default false. */
  migrate?: boolean;
  /** Host the offline Stripe sandbox here (it delivers webhooks to this process's API). Default: when the API listens. */
  hostSandbox?: boolean;
  /** `npm start`: the demo office and accounts on an empty database (if SEED_DEMO=auto). Default false. */
  seedDemo?: boolean;
  /**
   * `npm start`: when REDIS_URL is not set and no Redis answers at the default address, run a
   * redis-server from the PATH (socket and append-only file in DATA_DIR/redis), stopped with the
   * platform. The split processes never do: they must share one Redis. Default false.
   */
  embeddedRedis?: boolean;
  /** The logger's name when no logger is given. */
  name?: string;
  /**
   * Something the process cannot run without died under it (the embedded Redis): `npm start`
   * ends the process then, with exit code 1, so its supervisor starts it again with its Redis.
   */
  onFatal?: (reason: string) => void;
  /**
   * Another process took this one's lock on DATA_DIR (see infra/data-dir-lock.ts): the entry points
   * end the process at once (`exitAtOnce`), without the graceful close, which would write there.
   */
  onDataDirLockLost?: (reason: string) => void;
}

/** What tests (and the OpenAPI generator) put in instead of the defaults. */
export interface PlatformOverrides {
  logger?: Logger;
  clock?: () => Date;
  /** Another database than DATABASE_URL, or a smaller pool. */
  database?: { url?: string; maxConnections?: number };
  /** Options of a hosted sandbox: fast webhook retries, an in-memory store. */
  sandbox?: StripeSandboxOptions;
  /** The hosted sandbox's webhook signing secret. */
  webhookSecret?: string;
  /**
   * Ready-made parts used instead of opening them; the platform does not close what it is given.
   * The OpenAPI generator gives inert stand-ins, so building the app needs no live connection.
   */
  parts?: { database?: DatabaseHandle; redis?: Redis; queues?: Queues; gateway?: PaymentGateway };
  /** How old a lock on DATA_DIR left by an ended process must be before a start takes it over (default 20 s). */
  dataDirLockStaleMs?: number;
  /** The address tried when REDIS_URL is not set (instead of the machine's 6379), and where redis-server is looked for. */
  embeddedRedis?: PlatformRedisOptions['embedded'];
}

export interface Platform {
  config: Config;
  logger: Logger;
  clock: () => Date;
  database: DatabaseHandle;
  redis: Redis;
  queues: Queues;
  gateway: PaymentGateway;
  /** The offline Stripe sandbox when this process hosts it. */
  sandbox: StripeSandbox | null;
  app: App | null;
  /** Where the API listens, e.g. `http://127.0.0.1:3000`. */
  address: string | null;
  /** A worker process without the API, with METRICS_PORT: where its GET /metrics listens. */
  metricsAddress: string | null;
  workers: StartedWorkers | null;
  /** With `embeddedRedis`: the redis-server this platform runs, if it started one. */
  embeddedRedis: Pick<EmbeddedRedis, 'socket' | 'dir' | 'pid'> | null;
  /** With `seedDemo`: the demo credentials file, if there is one. */
  demo: { credentialsFile: string | null } | null;
  /** Closes everything this platform opened: API, workers, sandbox, queues, Redis (and its server), database. */
  close(): Promise<void>;
}

/**
 * The one place that builds the platform: database (and its migrations), Redis, queues, payment
 * gateway (Stripe or the hosted sandbox), the API and the workers, in that order, and closes them
 * in the reverse order of use with one `close()`. A start that fails half-way closes what it had
 * opened before the error goes on to the caller.
 */
export async function createPlatform(config: Config, options: PlatformOptions = {}, overrides: PlatformOverrides = {}): Promise<Platform> {
  const api = options.api ?? 'listen';
  const logger = overrides.logger ?? createLogger(config, options.name ?? 'amtsbote');
  const clock = overrides.clock ?? (() => new Date());
  const given = overrides.parts ?? {};

  const owned: Owned = {};
  let closing: Promise<void> | null = null;
  const close = () => (closing ??= closeOwned(owned, logger));

  try {
    // Before anything is opened: a second process on this DATA_DIR is refused before it touches a file.
    const hostSandbox = options.hostSandbox ?? api === 'listen';
    const holds = [
      !given.database && !(overrides.database?.url ?? config.env.DATABASE_URL) ? 'the embedded PGlite database' : null,
      options.embeddedRedis && !config.redisConfigured ? 'the embedded Redis' : null,
      !given.gateway && sandboxRole(config, { hostSandbox, sandbox: overrides.sandbox }) === 'host-file'
        ? "the Stripe sandbox's file"
        : null,
    ].filter((h) => h !== null);
    if (holds.length > 0) {
      owned.dataDirLock = await lockDataDir({
        dataDir: config.env.DATA_DIR,
        holds: holds.join(' and '),
        onWait: (message) => logger.warn(message),
        staleMs: overrides.dataDirLockStaleMs,
        onLost: (reason) => {
          logger.fatal(reason);
          options.onDataDirLockLost?.(reason);
        },
      });
    }
    const database =
      given.database ??
      (owned.database = await openDatabase({
        url: overrides.database?.url ?? config.env.DATABASE_URL,
        dataDir: config.env.DATA_DIR,
        maxConnections: overrides.database?.maxConnections,
        dataDirLocked: owned.dataDirLock !== undefined,
      }));
    if (options.migrate) {
      await database.migrate();
      logger.info(
        { database: database.kind === 'pglite' ? `embedded PGlite in ${config.env.DATA_DIR}/pglite` : 'PostgreSQL server' },
        'database migrated',
      );
    }
    let redis = given.redis;
    if (redis === undefined) {
      const opened = await openPlatformRedis({
        url: config.env.REDIS_URL,
        configured: config.redisConfigured,
        mayEmbed: options.embeddedRedis ?? false,
        dataDir: config.env.DATA_DIR,
        logger,
        embedded: overrides.embeddedRedis,
        onServerExit: options.onFatal && (() => options.onFatal?.('the embedded Redis exited')),
      });
      redis = owned.redis = opened.redis;
      owned.redisServer = opened.server ?? undefined;
    }
    const demo = options.seedDemo
      ? await setUpDemo({
          db: database.db,
          dataDir: config.env.DATA_DIR,
          seed: config.env.SEED_DEMO === 'auto',
          sessionHours: config.env.STAFF_SESSION_HOURS,
          clock,
          logger,
        })
      : null;
    if (options.migrate) {
      // After the migrations and any seeding: the planner gets statistics on a new installation.
      const analysed = await analyzeTablesWithoutStatistics(database.db);
      if (analysed.length > 0) logger.info({ tables: analysed.length }, 'statistics gathered for tables that had none');
    }

    const queues = given.queues ?? (owned.queues = createQueues(redis, config.env.QUEUE_PREFIX));

    let gateway = given.gateway;
    let connectSandboxWebhook: (apiBaseUrl: string) => void = () => {};
    if (!gateway) {
      const payments = await setUpPayments(config, {
        logger,
        hostSandbox,
        sandbox: overrides.sandbox,
        webhookSecret: overrides.webhookSecret,
      });
      gateway = payments.gateway;
      owned.sandbox = payments.sandbox ?? undefined;
      connectSandboxWebhook = payments.connectSandboxWebhook;
    }

    // The workers' figures: in the API's /metrics when the API runs here, else on METRICS_PORT.
    const workerMetrics = options.workers ? createWorkerMetrics({ processMetrics: api === 'none' }) : undefined;
    let address: string | null = null;
    if (api !== 'none') {
      const app = (owned.app = await buildApp({ config, database, redis, queues, gateway, clock, logger, workerMetrics }));
      if (api === 'listen') {
        address = await app.listen({ host: config.env.HOST, port: config.env.PORT });
        connectSandboxWebhook(address);
      } else {
        await app.ready();
      }
    }
    if (options.workers) {
      owned.workers = await startWorkers({
        config,
        db: database.db,
        databaseKind: database.kind,
        connection: redis,
        queues,
        gateway,
        clock,
        logger,
        metrics: workerMetrics,
      });
    }
    const metricsPort = config.env.METRICS_PORT;
    const metricsToken = config.env.METRICS_TOKEN;
    if (workerMetrics && metricsPort !== undefined && metricsToken) {
      if (api === 'none') {
        owned.metricsServer = await startMetricsServer({
          host: config.env.HOST,
          port: metricsPort,
          token: metricsToken,
          metrics: workerMetrics,
          logger,
        });
        logger.info({ metrics: `${owned.metricsServer.address}/metrics` }, 'worker metrics served');
      } else {
        logger.info("METRICS_PORT is not opened: the API of this process shows the workers' metrics in its /metrics");
      }
    }

    return {
      config,
      logger,
      clock,
      database,
      redis,
      queues,
      gateway,
      sandbox: owned.sandbox ?? null,
      app: owned.app ?? null,
      address,
      metricsAddress: owned.metricsServer?.address ?? null,
      workers: owned.workers ?? null,
      embeddedRedis: owned.redisServer
        ? { socket: owned.redisServer.socket, dir: owned.redisServer.dir, pid: owned.redisServer.pid }
        : null,
      demo,
      close,
    };
  } catch (err) {
    await close().catch((closeErr: unknown) => logger.error({ err: closeErr }, 'could not close after a failed start'));
    throw err;
  }
}

/** What a platform opened itself (not what it was given). */
interface Owned {
  app?: App;
  metricsServer?: MetricsServer;
  workers?: StartedWorkers;
  sandbox?: StripeSandbox;
  queues?: Queues;
  redis?: Redis;
  redisServer?: EmbeddedRedis;
  database?: DatabaseHandle;
  dataDirLock?: DataDirLock;
}

/**
 * Closes in this order: first nothing new comes in (API), then running jobs stop (workers), then
 * what they used: the embedded redis-server only once no connection to it is left, the database,
 * and last the lock on DATA_DIR.
 */
async function closeOwned(owned: Owned, logger: Logger): Promise<void> {
  const steps: Array<[string, () => Promise<void> | void]> = [
    ['api', async () => void (await owned.app?.close())],
    ['metrics server', () => owned.metricsServer?.close()],
    ['workers', () => owned.workers?.close()],
    ['stripe sandbox', () => owned.sandbox?.close()],
    ['queues', () => owned.queues?.close()],
    ['redis', () => owned.redis?.disconnect()],
    ['embedded redis-server', () => owned.redisServer?.stop()],
    ['database', () => owned.database?.close()],
    // Last: only once nothing of this process writes DATA_DIR any more.
    ['DATA_DIR lock', () => owned.dataDirLock?.release()],
  ];
  let failure: unknown = null;
  for (const [part, step] of steps) {
    try {
      await step();
    } catch (err) {
      // The rest is still closed: a stuck sandbox must not leave database connections open.
      logger.error({ err, part }, 'error while closing');
      failure ??= err;
    }
  }
  if (failure) throw failure;
}
