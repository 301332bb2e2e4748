import { RECONCILIATION_DAYS } from '../jobs/queue-config.ts';
import { createInvalidReconciliationRangeError } from './reconciliation.errors.ts';
import type { Reconciliation } from './reconciliation.service.ts';

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 400;

export interface StartRunDeps {
  reconciliation: Reconciliation;
  clock: () => Date;
  /** Puts the run's job on the `finance` queue (jobId from reconcileJobId); the composition root decides how. */
  enqueueRun: (runId: string) => Promise<void>;
}

/**
 * Starting a reconciliation, for the API and the finance console alike: the range (by default the
 * last RECONCILIATION_DAYS up to now) is checked, the run recorded, then its job enqueued.
 */
export async function startReconciliationRun(
  deps: StartRunDeps,
  input: { from?: Date; to?: Date; importLedger?: boolean; requestedBy: string },
) {
  const now = deps.clock();
  const to = input.to ?? now;
  const from = input.from ?? new Date(to.getTime() - RECONCILIATION_DAYS * DAY_MS);
  if (!(from < to) || to.getTime() > now.getTime() + 60_000 || to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw createInvalidReconciliationRangeError();
  }
  const run = await deps.reconciliation.request({ from, to, requestedBy: input.requestedBy, importLedger: input.importLedger ?? true });
  await deps.enqueueRun(run.id);
  return { run };
}
