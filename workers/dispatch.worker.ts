import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DispatchService } from '../src/dispatch/dispatch.service.ts';
import { SWEEP_EVERY_MS } from '../src/jobs/queue-config.ts';
import type { Queues } from '../src/jobs/queues.ts';
import { parseJobPayload } from '../src/jobs/registry.ts';

/** Offer deadlines: an offer nobody answered in time moves to the next company. */
export async function startDispatchWorker(deps: {
  connection: Redis;
  prefix: string;
  queues: Queues;
  dispatch: DispatchService;
  logger: Logger;
}) {
  const worker = new Worker(
    'dispatch',
    async (job: Job) => {
      switch (job.name) {
        case 'expire-offer': {
          const { offerId } = parseJobPayload('dispatch', 'expire-offer', job.data);
          return { outcome: await deps.dispatch.expireOffer(offerId) };
        }
        case 'sweep-offers': {
          parseJobPayload('dispatch', 'sweep-offers', job.data);
          const ids = await deps.dispatch.overdueOfferIds();
          for (const id of ids) await deps.dispatch.expireOffer(id);
          return { expired: ids.length };
        }
        default:
          throw new UnrecoverableError(`Unknown dispatch job ${job.name}`);
      }
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 2 },
  );
  worker.on('failed', (job, err) => deps.logger.warn({ jobId: job?.id, name: job?.name, err: err.message }, 'dispatch job failed'));
  worker.on('error', (err) => deps.logger.error({ err }, 'dispatch worker error'));
  await deps.queues.queue('dispatch').upsertJobScheduler('sweep-offers', { every: SWEEP_EVERY_MS }, { name: 'sweep-offers', data: {} });
  return worker;
}
