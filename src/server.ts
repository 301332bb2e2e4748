import { buildApp } from './app.ts';
import { loadConfig } from './config/config.ts';
import { openDatabase } from './db/client.ts';
import { connectRedis } from './infra/redis.ts';
import { setUpPayments } from './infra/payments.ts';
import { createLogger, handleShutdown } from './infra/process.ts';
import { createQueues } from './jobs/queues.ts';

/**
 * An API process on its own (`npm run start:api`), next to separate worker processes. Migrations
 * run here (drizzle's migrator takes a lock, so several API processes may start at once).
 */
const config = loadConfig();
const logger = createLogger(config, 'amtsbote-api');
if (config.embeddedDatabase) {
  logger.fatal(
    'A separate API process needs DATABASE_URL (a PostgreSQL server). Without one, run everything in one process with `npm start`.',
  );
  process.exit(1);
}
const database = await openDatabase({ url: config.env.DATABASE_URL, dataDir: config.env.DATA_DIR });
await database.migrate();
const redis = await connectRedis(config.env.REDIS_URL, (err) => logger.warn({ err: err.message }, 'redis connection error'));
const queues = createQueues(redis, config.env.QUEUE_PREFIX);
const { gateway, sandbox, connectSandboxWebhook } = await setUpPayments(config, { logger, hostSandbox: true });
const app = await buildApp({ config, database, redis, queues, gateway, logger });
const address = await app.listen({ host: config.env.HOST, port: config.env.PORT });
connectSandboxWebhook(address);
handleShutdown(logger, async () => {
  await app.close();
  await sandbox?.close();
  await queues.close();
  redis.disconnect();
  await database.close();
});
