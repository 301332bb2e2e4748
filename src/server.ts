import { exitAtOnce, runProcess } from './infra/process.ts';
import { describeRunning } from './infra/startup-message.ts';
import { createPlatform } from './platform.ts';

/**
 * An API process on its own (`npm run start:api`), next to separate worker processes. Migrations
 * run here (drizzle's migrator takes a lock, so several API processes may start at once).
 */
await runProcess({
  name: 'amtsbote-api',
  needsDatabaseServer: 'A separate API process',
  start: async (config, logger) => {
    const platform = await createPlatform(config, { api: 'listen', migrate: true, onDataDirLockLost: exitAtOnce }, { logger });
    logger.info(describeRunning(platform), 'Amtsbote API is running');
    return platform;
  },
});
