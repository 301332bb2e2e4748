import type { JobsOptions } from 'bullmq';
import type { QueueName } from './registry.ts';

/** Above the longest retry schedule WEBHOOK_RETRY_DELAYS_MS accepts (50 delays). */
export const WEBHOOK_JOB_ATTEMPTS_CEILING = 60;

/** Attempts, backoff and retention for every queue, in one place. */
export const DEFAULT_JOB_OPTIONS: Record<QueueName, JobsOptions> = {
  payments: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    // Failed jobs stay for a week so a person can see and replay them.
    removeOnFail: { age: 7 * 24 * 3600 },
  },
  // An import is idempotent (upserts by Stripe id): retrying a run that Stripe interrupted is harmless.
  finance: {
    attempts: 6,
    backoff: { type: 'exponential', delay: 30_000 },
    removeOnComplete: { age: 7 * 24 * 3600, count: 1_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  },
  // A plan is a long solve: few retries; the plan row, not the job, is the record of the result.
  housekeeping: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 30_000 },
    removeOnComplete: { count: 100 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
  // An offer's deadline: the DB row decides (a late or repeated run changes nothing), so retries are cheap.
  dispatch: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
  planning: {
    attempts: 2,
    backoff: { type: 'fixed', delay: 5_000 },
    removeOnComplete: { age: 24 * 3600, count: 1_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
  // The delivery worker decides when an event is dead (WEBHOOK_RETRY_DELAYS_MS, recorded in the
  // outbound_events row) and when to retry (its backoffStrategy reads the delay the attempt chose,
  // Retry-After included); `attempts` is only a ceiling above any configured schedule.
  webhooks: {
    attempts: WEBHOOK_JOB_ATTEMPTS_CEILING,
    backoff: { type: 'custom' },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
  'webhooks-relay': {
    attempts: 1,
    removeOnComplete: { count: 10 },
    removeOnFail: { count: 100 },
  },
  // A mail server away for a while: 12 attempts over about 6 h (NOTIFICATION_RETRY_DELAYS_MS, the
  // worker's backoffStrategy). The row, not the job, records that a message went out; completed
  // jobs stay a day so a re-hand-over is a no-op.
  notifications: {
    attempts: 12,
    backoff: { type: 'custom' },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
  'notifications-relay': {
    attempts: 1,
    removeOnComplete: { count: 10 },
    removeOnFail: { count: 100 },
  },
};

/**
 * Delays before each retry of a notification: two quick ones (a refused connection, a greylisting
 * server), then doubling from a minute to two hours, so a mail server away for an afternoon still
 * gets every message (about 6 h in all), and a sender that died holding the 2-minute lease is
 * outlasted by the third retry.
 */
export const NOTIFICATION_RETRY_DELAYS_MS = [
  2_000, 4_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_840_000, 7_200_000, 7_200_000,
];

/** The nightly ledger import: 03:15 office time, for the days before (Stripe settles overnight). */
export const LEDGER_IMPORT_CRON = { pattern: '15 3 * * *', tz: 'Europe/Berlin' };
/** How many days back the nightly run imports again (late refunds, disputes and payouts of earlier charges). */
export const LEDGER_IMPORT_DAYS = 3;

/**
 * How far back a reconciliation looks by default (and the nightly one after its import): refunds
 * and disputes of a surcharge come within weeks; a longer range is asked for explicitly.
 */
export const RECONCILIATION_DAYS = 35;
/** Money younger than this at the end of a range is still in flight (a charge Stripe has not booked yet). */
export const RECONCILIATION_GRACE_MS = 3_600_000;

/** Housekeeping runs every hour anyway: a failed run is simply the next one. */
export const HOUSEKEEPING_EVERY_MS = 3_600_000;

/** Sweeps catch whatever a crash between commit and enqueue left behind. */
export const SWEEP_EVERY_MS = 60_000;
