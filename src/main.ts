import { mkdirSync } from 'node:fs';
import { buildApp } from './app.ts';
import { createAuthService } from './auth/auth.service.ts';
import { loadConfig, ConfigError } from './config/config.ts';
import { openDatabase } from './db/client.ts';
import { createDemoStaff } from './demo/demo-staff.ts';
import { seedDemoIfEmpty } from './demo/seed-demo.ts';
import { setUpPayments } from './infra/payments.ts';
import { createLogger, handleShutdown } from './infra/process.ts';
import { connectRedis, redactUrl } from './infra/redis.ts';
import { createQueues } from './jobs/queues.ts';
import { startWorkers } from '../workers/start-workers.ts';

/**
 * `npm start`: API and workers in one process, on embedded defaults where nothing is configured
 * (PGlite in DATA_DIR without DATABASE_URL, the offline Stripe sandbox without STRIPE_SECRET_KEY).
 */
let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
const logger = createLogger(config, 'amtsbote');
mkdirSync(config.env.DATA_DIR, { recursive: true });

const database = await openDatabase({ url: config.env.DATABASE_URL, dataDir: config.env.DATA_DIR });
await database.migrate();
logger.info(
  { database: database.kind === 'pglite' ? `embedded PGlite in ${config.env.DATA_DIR}/pglite` : 'PostgreSQL server' },
  'database migrated',
);

let redis;
try {
  redis = await connectRedis(config.env.REDIS_URL, (err) => logger.warn({ err: err.message }, 'redis connection error'));
} catch (err) {
  logger.fatal((err as Error).message);
  await database.close();
  process.exit(1);
}
logger.info({ redis: redactUrl(config.env.REDIS_URL) }, 'redis connected');

let credentialsFile: string | null = null;
if (config.env.SEED_DEMO === 'auto') {
  const seeded = await seedDemoIfEmpty(database.db, new Date());
  if (seeded) {
    const auth = createAuthService({ db: database.db, clock: () => new Date(), sessionHours: config.env.STAFF_SESSION_HOURS });
    if ((await auth.countAdmins()) === 0) credentialsFile = await createDemoStaff(auth, seeded.office.id, config.env.DATA_DIR);
    logger.info({ office: seeded.office.name }, 'demo office created (Stuttgart; zone data © OpenStreetMap contributors, ODbL)');
  }
}

const queues = createQueues(redis, config.env.QUEUE_PREFIX);
const { gateway, sandbox, connectSandboxWebhook } = await setUpPayments(config, { logger, hostSandbox: true });
const app = await buildApp({ config, database, redis, queues, gateway, logger });
const address = await app.listen({ host: config.env.HOST, port: config.env.PORT });
connectSandboxWebhook(address);
const workers = await startWorkers({ config, db: database.db, connection: redis, queues, gateway, logger });

logger.info(
  {
    api: `${address}/v1`,
    docs: `${address}/docs`,
    openapi: `${address}/docs/json`,
    signIn: credentialsFile
      ? `POST ${address}/v1/auth/sessions with a username and password from ${credentialsFile}`
      : `POST ${address}/v1/auth/sessions (create the first admin with: npm run admin:create)`,
    stripe: sandbox
      ? `OFFLINE SANDBOX at http://127.0.0.1:${sandbox.clientOptions().port}/sandbox (no real money moves)`
      : 'Stripe (live or test key from STRIPE_SECRET_KEY)',
  },
  'Amtsbote is running',
);

handleShutdown(logger, async () => {
  await app.close();
  await workers.close();
  await sandbox?.close();
  await queues.close();
  redis.disconnect();
  await database.close();
});
