import { runProcess } from '../src/infra/process.ts';
import { createPlatform } from '../src/platform.ts';
import { required } from '../src/shared/required.ts';

/**
 * A worker process on its own (`npm run start:workers`), for a city that scales out. It needs a
 * PostgreSQL server: the embedded database lives inside the one `npm start` process.
 */
await runProcess({
  name: 'amtsbote-workers',
  needsDatabaseServer: 'A separate worker process',
  start: async (config, logger) => {
    const platform = await createPlatform(config, { api: 'none', workers: true }, { logger });
    const { workers } = required(platform.workers, 'the workers of createPlatform({ workers: true })');
    logger.info({ workers: workers.map((w) => w.name) }, 'workers running');
    return platform;
  },
});
