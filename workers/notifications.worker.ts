import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Queues } from '../src/jobs/queues.ts';
import { NOTIFICATION_RETRY_DELAYS_MS } from '../src/jobs/queue-config.ts';
import { parseJobPayload } from '../src/jobs/registry.ts';
import { NotificationBusyError, type NotificationSender } from '../src/notifications/notification-sender.ts';
import type { NotificationRelay } from '../src/notifications/notification-relay.ts';

/**
 * Sends notifications (one per job; retries with the queue's backoff) and runs the relay on a
 * schedule. Logs notification ids, outcomes and error codes only: never an address or a text.
 */
export async function startNotificationsWorkers(deps: {
  connection: Redis;
  prefix: string;
  queues: Queues;
  sender: NotificationSender;
  relay: NotificationRelay;
  relayEveryMs: number;
  logger: Logger;
}): Promise<Worker[]> {
  const { logger } = deps;
  const sendWorker = new Worker(
    'notifications',
    async (job: Job) => {
      if (job.name !== 'send-notification') throw new UnrecoverableError(`Unknown notifications job ${job.name}`);
      const { notificationId } = parseJobPayload('notifications', 'send-notification', job.data);
      const outcome = await deps.sender.send(notificationId);
      logger.debug({ notificationId, outcome }, 'notification handled');
      return { outcome };
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: 5,
      settings: {
        backoffStrategy: (attemptsMade: number) =>
          NOTIFICATION_RETRY_DELAYS_MS[Math.min(attemptsMade, NOTIFICATION_RETRY_DELAYS_MS.length) - 1] ?? 2_000,
      },
    },
  );
  sendWorker.on('failed', (job, err) => {
    if (!job) return;
    const last = job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError;
    // The error is ours (a code), never the server's text, which may quote the address.
    const code = (err as { code?: unknown }).code ?? err.name;
    logger.warn(
      { notificationId: job.id, attempts: job.attemptsMade, code, busy: err instanceof NotificationBusyError },
      'notification attempt failed',
    );
    if (last && job.id) {
      deps.sender
        .giveUp(job.id)
        .catch((e: unknown) => logger.error({ err: e, notificationId: job.id }, 'could not mark a notification failed'));
    }
  });
  sendWorker.on('error', (err) => logger.error({ err }, 'notifications worker error'));

  const relayWorker = new Worker(
    'notifications-relay',
    async (job: Job) => {
      if (job.name !== 'relay-notifications') throw new UnrecoverableError(`Unknown notifications-relay job ${job.name}`);
      parseJobPayload('notifications-relay', 'relay-notifications', job.data);
      return deps.relay.relayPending();
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 1 },
  );
  relayWorker.on('failed', (job, err) => logger.warn({ jobId: job?.id, err: err.message }, 'notification relay failed'));
  relayWorker.on('error', (err) => logger.error({ err }, 'notifications relay worker error'));
  await deps.queues
    .queue('notifications-relay')
    .upsertJobScheduler('notifications-relay', { every: deps.relayEveryMs }, { name: 'relay-notifications', data: {} });
  return [sendWorker, relayWorker];
}
