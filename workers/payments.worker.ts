import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Queues } from '../src/jobs/queues.ts';
import { SWEEP_EVERY_MS } from '../src/jobs/queue-config.ts';
import { parseJobPayload } from '../src/jobs/registry.ts';
import { scheduleBookingExpiry, scheduleRefund } from '../src/payments/payment-jobs.ts';
import type { PaymentUpkeepService } from '../src/payments/payment-upkeep.service.ts';

/** Maps `payments` jobs to the upkeep service; nothing here decides anything itself. */
export async function startPaymentsWorker(deps: {
  connection: Redis;
  prefix: string;
  queues: Queues;
  upkeep: PaymentUpkeepService;
  clock: () => Date;
  logger: Logger;
}) {
  const { upkeep, queues, clock } = deps;
  const worker = new Worker(
    'payments',
    async (job: Job) => {
      switch (job.name) {
        case 'expire-booking': {
          const { bookingId } = parseJobPayload('payments', 'expire-booking', job.data);
          return { outcome: await upkeep.expireBooking(bookingId) };
        }
        case 'execute-refund': {
          const { refundId } = parseJobPayload('payments', 'execute-refund', job.data);
          return { outcome: await upkeep.executeRefund(refundId) };
        }
        case 'sweep-expired': {
          parseJobPayload('payments', 'sweep-expired', job.data);
          const ids = await upkeep.overdueBookingIds();
          const round = Math.floor(clock().getTime() / SWEEP_EVERY_MS);
          for (const id of ids) await scheduleBookingExpiry(queues, id, clock(), clock(), round);
          return { enqueued: ids.length };
        }
        case 'sweep-refunds': {
          parseJobPayload('payments', 'sweep-refunds', job.data);
          const ids = await upkeep.stalePendingRefundIds();
          const round = Math.floor(clock().getTime() / SWEEP_EVERY_MS);
          for (const id of ids) await scheduleRefund(queues, id, round);
          return { enqueued: ids.length };
        }
        default:
          throw new UnrecoverableError(`Unknown payments job ${job.name}`);
      }
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 4 },
  );
  worker.on('failed', (job, err) =>
    deps.logger.warn({ jobId: job?.id, name: job?.name, attempts: job?.attemptsMade, err: err.message }, 'payments job failed'),
  );
  worker.on('error', (err) => deps.logger.error({ err }, 'payments worker error'));

  // The sweeps catch work whose enqueue was lost between a commit and a crash.
  const queue = queues.queue('payments');
  await queue.upsertJobScheduler('sweep-expired', { every: SWEEP_EVERY_MS }, { name: 'sweep-expired', data: {} });
  await queue.upsertJobScheduler('sweep-refunds', { every: SWEEP_EVERY_MS }, { name: 'sweep-refunds', data: {} });
  return worker;
}
