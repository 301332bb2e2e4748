import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { HousekeepingService } from '../src/housekeeping/housekeeping.service.ts';
import { HOUSEKEEPING_EVERY_MS } from '../src/jobs/queue-config.ts';
import type { Queues } from '../src/jobs/queues.ts';
import { parseJobPayload } from '../src/jobs/registry.ts';

/** Runs the hourly housekeeping (retention, purges); the decisions live in the service. */
export async function startHousekeepingWorker(deps: {
  connection: Redis;
  prefix: string;
  queues: Queues;
  housekeeping: HousekeepingService;
  logger: Logger;
}) {
  const worker = new Worker(
    'housekeeping',
    async (job: Job) => {
      if (job.name !== 'run-housekeeping') throw new UnrecoverableError(`Unknown housekeeping job ${job.name}`);
      parseJobPayload('housekeeping', 'run-housekeeping', job.data);
      const result = await deps.housekeeping.run();
      deps.logger.info(result, 'housekeeping done');
      return result;
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => deps.logger.warn({ jobId: job?.id, err: err.message }, 'housekeeping failed'));
  worker.on('error', (err) => deps.logger.error({ err }, 'housekeeping worker error'));
  await deps.queues
    .queue('housekeeping')
    .upsertJobScheduler('housekeeping-hourly', { every: HOUSEKEEPING_EVERY_MS }, { name: 'run-housekeeping', data: {} });
  return worker;
}
