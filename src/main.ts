import { runProcess } from './infra/process.ts';
import { describeRunning } from './infra/startup-message.ts';
import { createPlatform } from './platform.ts';

/**
 * `npm start`: API and workers in one process, on embedded defaults where nothing is configured
 * (PGlite in DATA_DIR without DATABASE_URL, the offline Stripe sandbox without STRIPE_SECRET_KEY).
 */
await runProcess({
  name: 'amtsbote',
  start: async (config, logger) => {
    const platform = await createPlatform(config, { api: 'listen', workers: true, migrate: true, seedDemo: true }, { logger });
    logger.info(describeRunning(platform), 'Amtsbote is running');
    return platform;
  },
});
