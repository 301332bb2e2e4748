import type { Job, Worker } from 'bullmq';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JOBS, type QueueName } from '../jobs/registry.ts';
import type { PlanSolve } from '../planning/planning-run.service.ts';
import type { DeliveryAttemptReport } from '../webhooks/webhook-delivery.service.ts';

/** Seconds; planning jobs run up to PLANNING_TIME_LIMIT_SECONDS (600 at most), webhook jobs in milliseconds. */
const JOB_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const SOLVE_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];

/**
 * The worker side's metrics (job durations and failures per queue, outbound webhook attempts by
 * result, plan solve times), counted in the process that runs the jobs. One registry per platform:
 * in a single process (`npm start`) the API's /metrics merges it in; a worker process on its own
 * serves it on METRICS_PORT (metrics-server.ts) together with its Node figures (`processMetrics`),
 * which a single process leaves to the API's registry so they are not shown twice.
 *
 * Labels are bounded: queue and job names from the job registry (anything else is `unknown`),
 * outcomes from fixed lists. Never an id, a URL or a name.
 */
export function createWorkerMetrics(opts: { processMetrics: boolean }) {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'amtsbote_worker_' });

  const jobs = new Histogram({
    name: 'amtsbote_job_duration_seconds',
    help: 'BullMQ job runs by queue, job name and outcome (completed; failed: no attempt left; retried: failed, another attempt follows)',
    labelNames: ['queue', 'job', 'outcome'] as const,
    buckets: JOB_BUCKETS,
    registers: [registry],
  });
  const stalled = new Counter({
    name: 'amtsbote_jobs_stalled_total',
    help: 'Jobs whose worker lost the lock (crashed or blocked), taken over by another run, by queue',
    labelNames: ['queue'] as const,
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'amtsbote_webhook_deliveries_total',
    help: 'Outbound courier webhook attempts by result (delivered, http_4xx, timeout, blocked, …) and what followed (delivered, retry, dead, endpoint_disabled)',
    labelNames: ['result', 'outcome'] as const,
    registers: [registry],
  });
  const solves = new Histogram({
    name: 'amtsbote_plan_solve_duration_seconds',
    help: 'Wall time of the route solver per plan run, by outcome (solved, interrupted, failed) and what stopped the search',
    labelNames: ['outcome', 'stopped_by'] as const,
    buckets: SOLVE_BUCKETS,
    registers: [registry],
  });

  const jobLabel = (queue: QueueName, name: string | undefined) =>
    name !== undefined && Object.hasOwn(JOBS[queue], name) ? name : 'unknown';
  /** From the job's own timestamps (set by BullMQ's scripts); a retried run has no finishedOn yet. */
  const secondsOf = (job: Job) => (job.processedOn ? Math.max(0, ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000) : null);
  const observeJob = (queue: QueueName, job: Job, outcome: 'completed' | 'failed' | 'retried') => {
    const seconds = secondsOf(job);
    if (seconds !== null) jobs.observe({ queue, job: jobLabel(queue, job.name), outcome }, seconds);
  };

  return {
    registry,
    /**
     * Observes a worker's finished runs through its events, so the processors stay as they are.
     * BullMQ emits `failed` after moving the job: `finishedOn` is set only when no attempt is left.
     * A job postponed on purpose (DelayedError, e.g. an interrupted plan) emits neither event.
     */
    watchWorker(worker: Worker) {
      const queue = worker.name as QueueName;
      if (!Object.hasOwn(JOBS, queue)) throw new Error(`watchWorker: ${worker.name} is not a queue of the job registry`);
      worker.on('completed', (job) => observeJob(queue, job, 'completed'));
      worker.on('failed', (job) => {
        if (job) observeJob(queue, job, job.finishedOn ? 'failed' : 'retried');
      });
      worker.on('stalled', () => stalled.inc({ queue }));
    },
    countWebhookAttempt: (report: DeliveryAttemptReport) => webhooks.inc({ result: report.result, outcome: report.outcome }),
    observePlanSolve: (solve: PlanSolve) =>
      solves.observe({ outcome: solve.outcome, stopped_by: solve.stoppedBy ?? 'none' }, solve.seconds),
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
