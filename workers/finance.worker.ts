import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { createLedgerImport } from '../src/finance/ledger-import.service.ts';
import { reconcileJobId, type Reconciliation } from '../src/finance/reconciliation.service.ts';
import { LEDGER_IMPORT_CRON, LEDGER_IMPORT_DAYS } from '../src/jobs/queue-config.ts';
import { startReconciliationRun } from '../src/finance/start-reconciliation-run.ts';
import type { Queues } from '../src/jobs/queues.ts';
import { parseJobPayload } from '../src/jobs/registry.ts';

const DAY_MS = 86_400_000;
/** A queued run older than this has lost its job (a crash between the row and the enqueue). */
const STALE_QUEUED_MS = 5 * 60_000;

/**
 * Imports Stripe's ledger (nightly for the last days, one payout when Stripe reports it) and runs
 * reconciliations: each import is followed by a run over the last weeks, matching what it brought.
 */
export async function startFinanceWorker(deps: {
  connection: Redis;
  prefix: string;
  queues: Queues;
  ledgerImport: ReturnType<typeof createLedgerImport>;
  reconciliation: Reconciliation;
  clock: () => Date;
  logger: Logger;
}) {
  const finance = deps.queues.queue('finance');
  const enqueueRun = (runId: string) => deps.queues.enqueue('finance', 'reconcile', { runId }, { jobId: reconcileJobId(runId) });
  /** A match-only run over the last weeks (the default range), after an import brought new facts. */
  const reconcileRecent = (requestedBy: string) =>
    startReconciliationRun({ reconciliation: deps.reconciliation, clock: deps.clock, enqueueRun }, { requestedBy, importLedger: false });
  async function requeueStaleRuns() {
    for (const runId of await deps.reconciliation.staleQueuedRuns(STALE_QUEUED_MS)) await enqueueRun(runId);
  }

  const worker = new Worker(
    'finance',
    async (job: Job) => {
      if (job.name === 'import-ledger') {
        const { days } = parseJobPayload('finance', 'import-ledger', job.data);
        const to = deps.clock();
        const result = await deps.ledgerImport.importRange({ from: new Date(to.getTime() - (days ?? LEDGER_IMPORT_DAYS) * DAY_MS), to });
        deps.logger.info(result, 'Stripe ledger imported');
        await requeueStaleRuns();
        await reconcileRecent('scheduler');
        return result;
      }
      if (job.name === 'import-payout') {
        const { payoutId } = parseJobPayload('finance', 'import-payout', job.data);
        const result = await deps.ledgerImport.importPayout(payoutId);
        deps.logger.info({ payoutId, ...result }, 'Stripe payout imported');
        await reconcileRecent(`stripe:${payoutId}`);
        return result;
      }
      if (job.name === 'reconcile') {
        const { runId } = parseJobPayload('finance', 'reconcile', job.data);
        const run = await deps.reconciliation.execute(runId);
        deps.logger.info({ runId, status: run.status, totals: run.totals }, 'reconciliation run finished');
        return { status: run.status };
      }
      throw new UnrecoverableError(`Unknown finance job ${job.name}`);
    },
    // One job at a time: two imports would read the same pages twice, and runs take turns anyway.
    { connection: deps.connection, prefix: deps.prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => deps.logger.warn({ jobId: job?.id, name: job?.name, err: err.message }, 'finance job failed'));
  worker.on('error', (err) => deps.logger.error({ err }, 'finance worker error'));
  await finance.upsertJobScheduler('ledger-nightly', LEDGER_IMPORT_CRON, { name: 'import-ledger', data: {} });
  return worker;
}
