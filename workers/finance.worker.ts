import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { createLedgerImport } from '../src/finance/ledger-import.service.ts';
import { LEDGER_IMPORT_CRON, LEDGER_IMPORT_DAYS } from '../src/jobs/queue-config.ts';
import type { Queues } from '../src/jobs/queues.ts';
import { parseJobPayload } from '../src/jobs/registry.ts';

const DAY_MS = 86_400_000;

/** Imports Stripe's ledger: nightly for the last days, and one payout when asked. */
export async function startFinanceWorker(deps: {
  connection: Redis;
  prefix: string;
  queues: Queues;
  ledgerImport: ReturnType<typeof createLedgerImport>;
  clock: () => Date;
  logger: Logger;
}) {
  const worker = new Worker(
    'finance',
    async (job: Job) => {
      if (job.name === 'import-ledger') {
        const { days } = parseJobPayload('finance', 'import-ledger', job.data);
        const to = deps.clock();
        const result = await deps.ledgerImport.importRange({ from: new Date(to.getTime() - (days ?? LEDGER_IMPORT_DAYS) * DAY_MS), to });
        deps.logger.info(result, 'Stripe ledger imported');
        return result;
      }
      if (job.name === 'import-payout') {
        const { payoutId } = parseJobPayload('finance', 'import-payout', job.data);
        const result = await deps.ledgerImport.importPayout(payoutId);
        deps.logger.info({ payoutId, ...result }, 'Stripe payout imported');
        return result;
      }
      throw new UnrecoverableError(`Unknown finance job ${job.name}`);
    },
    // One import at a time: two would only read the same pages twice.
    { connection: deps.connection, prefix: deps.prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => deps.logger.warn({ jobId: job?.id, err: err.message }, 'ledger import failed'));
  worker.on('error', (err) => deps.logger.error({ err }, 'finance worker error'));
  await deps.queues.queue('finance').upsertJobScheduler('ledger-nightly', LEDGER_IMPORT_CRON, { name: 'import-ledger', data: {} });
  return worker;
}
