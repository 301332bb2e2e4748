import { loadConfig } from '../src/config/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { connectRedis } from '../src/infra/redis.ts';
import { setUpPayments } from '../src/infra/payments.ts';
import { createLogger, handleShutdown } from '../src/infra/process.ts';
import { createQueues } from '../src/jobs/queues.ts';
import { startWorkers } from './start-workers.ts';

/**
 * A worker process on its own (`npm run start:workers`), for a city that scales out. It needs a
 * PostgreSQL server: the embedded database lives inside the one `npm start` process.
 */
const config = loadConfig();
const logger = createLogger(config, 'amtsbote-workers');
if (config.embeddedDatabase) {
  logger.fatal('Worker processes need DATABASE_URL (a PostgreSQL server). Without one, run everything in one process with `npm start`.');
  process.exit(1);
}
const database = await openDatabase({ url: config.env.DATABASE_URL, dataDir: config.env.DATA_DIR });
const redis = await connectRedis(config.env.REDIS_URL, (err) => logger.warn({ err: err.message }, 'redis connection error'));
const queues = createQueues(redis, config.env.QUEUE_PREFIX);
const { gateway } = await setUpPayments(config, { logger, hostSandbox: false });
const workers = await startWorkers({ config, db: database.db, connection: redis, queues, gateway, logger });
logger.info({ workers: workers.workers.map((w) => w.name) }, 'workers running');
handleShutdown(logger, async () => {
  await workers.close();
  await queues.close();
  redis.disconnect();
  await database.close();
});
