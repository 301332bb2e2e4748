import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { PlanningConfig } from '../src/config/config.ts';
import type { Database } from '../src/db/client.ts';
import type { Queues } from '../src/jobs/queues.ts';
import { parseJobPayload } from '../src/jobs/registry.ts';
import { createPlanJobs } from '../src/planning/planning-jobs.ts';
import {
  createPlanningRunService,
  PlanningInterruptedError,
  type PlanningRunService,
  type PlanSolve,
} from '../src/planning/planning-run.service.ts';
import { createPlanningService, type PlanningService } from '../src/planning/planning.service.ts';
import { isAppError } from '../src/shared/errors.ts';
import { required } from '../src/shared/required.ts';
import { solveInThread } from './solver-thread.ts';

const SYNC_SCHEDULERS_EVERY_MS = 3_600_000;

/** The planning services of a worker process, from the planning slice of the configuration. */
export function createPlanningServices(
  settings: PlanningConfig,
  db: Database,
  queues: Queues,
  clock: () => Date,
  offerMinutes: number,
  onSolved?: (solve: PlanSolve) => void,
) {
  const { cutoffTime, ...runSettings } = settings;
  const run = createPlanningRunService({ db, clock, solve: solveInThread, settings: runSettings, onSolved });
  // The worker side never confirms plans (a supervisor does, through the API); the setting only completes the service.
  const planning = createPlanningService({ db, clock, jobs: createPlanJobs(queues), offerMinutes });
  return { run, planning, cutoffTime };
}

/**
 * Maps `planning` jobs to the planning services. The solve itself runs in a worker thread (see
 * `solver-thread.ts`), so this thread stays free to renew the job's lock; a worker that dies
 * mid-solve loses the lock and another worker takes the job over as stalled.
 */
export async function startPlanningWorker(deps: {
  connection: Redis;
  prefix: string;
  queues: Queues;
  run: PlanningRunService;
  planning: PlanningService;
  logger: Logger;
  /** Office-local `HH:MM` at which the next delivery day is planned. */
  cutoffTime: string;
  concurrency?: number;
  /** Shorter in tests, to see a killed worker's job taken over quickly. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}) {
  const { run, planning, logger } = deps;
  const queue = deps.queues.queue('planning');
  // Aborted when the worker closes: running solves stop and their jobs go back to the queue.
  const shutdown = new AbortController();

  async function syncNightlySchedulers() {
    const [hh, mm] = deps.cutoffTime.split(':').map(Number) as [number, number];
    const offices = await run.listOffices();
    for (const office of offices) {
      await queue.upsertJobScheduler(
        `nightly_${office.id}`,
        { pattern: `${mm} ${hh} * * *`, tz: office.timezone },
        { name: 'schedule-nightly', data: { officeId: office.id } },
      );
    }
    return { offices: offices.length };
  }

  /**
   * Once no attempt is left the plan says so, instead of showing "running" forever. Listening to
   * the event rather than catching in the processor also covers jobs BullMQ fails by itself (a job
   * that stalled too often never reaches the processor again).
   */
  async function markFailedIfFinal(job: Job, err: Error) {
    try {
      if ((await job.getState()) !== 'failed') return;
      const { officeId, deliveryDate } = parseJobPayload('planning', 'plan-delivery-day', job.data);
      await run.markFailed(officeId, deliveryDate, err.message);
    } catch (markErr) {
      logger.error({ err: markErr, jobId: job.id }, 'could not mark the plan failed');
    }
  }

  const worker = new Worker(
    'planning',
    async (job: Job, token?: string) => {
      switch (job.name) {
        case 'plan-delivery-day': {
          const { officeId, deliveryDate } = parseJobPayload('planning', 'plan-delivery-day', job.data);
          try {
            return await run.runPlanDeliveryDay(
              { officeId, deliveryDate, jobId: required(job.id, 'the id of a job BullMQ handed to its worker') },
              { signal: shutdown.signal, onProgress: (progress) => job.updateProgress(progress) },
            );
          } catch (err) {
            if (err instanceof PlanningInterruptedError && token) {
              // Back to the queue without spending an attempt.
              await job.moveToDelayed(Date.now(), token);
              throw new DelayedError();
            }
            throw err;
          }
        }
        case 'schedule-nightly': {
          const { officeId } = parseJobPayload('planning', 'schedule-nightly', job.data);
          const deliveryDate = await run.nextDeliveryDate(officeId);
          if (!deliveryDate) return { skipped: 'office_gone' };
          if (!(await run.hasShifts(officeId, deliveryDate))) return { deliveryDate, skipped: 'no_shifts' };
          try {
            const { plan, job: planJob } = await planning.requestPlan(officeId, deliveryDate, { system: 'nightly' });
            return { deliveryDate, planId: plan.id, jobId: planJob.id };
          } catch (err) {
            if (isAppError(err) && err.code === 'plan.already_confirmed') return { deliveryDate, skipped: 'confirmed' };
            throw err;
          }
        }
        case 'sync-nightly-schedulers': {
          parseJobPayload('planning', 'sync-nightly-schedulers', job.data);
          return syncNightlySchedulers();
        }
        default:
          throw new UnrecoverableError(`Unknown planning job ${job.name}`);
      }
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency ?? 2,
      ...(deps.lockDurationMs ? { lockDuration: deps.lockDurationMs } : {}),
      ...(deps.stalledIntervalMs ? { stalledInterval: deps.stalledIntervalMs } : {}),
    },
  );
  worker.on('failed', (job, err) => {
    logger.warn({ jobId: job?.id, name: job?.name, attempts: job?.attemptsMade, err: err.message }, 'planning job failed');
    if (job?.name === 'plan-delivery-day') void markFailedIfFinal(job, err);
  });
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'planning job stalled; another worker takes it over'));
  worker.on('error', (err) => logger.error({ err }, 'planning worker error'));
  worker.on('closing', () => shutdown.abort());

  // Offices added later get their nightly run from the hourly sync.
  await syncNightlySchedulers();
  await queue.upsertJobScheduler(
    'sync-nightly-schedulers',
    { every: SYNC_SCHEDULERS_EVERY_MS },
    { name: 'sync-nightly-schedulers', data: {} },
  );

  return worker;
}
