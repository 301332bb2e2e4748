import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Queues } from '../src/jobs/queues.ts';
import { parseJobPayload } from '../src/jobs/registry.ts';
import type { WebhookDeliveryService } from '../src/webhooks/webhook-delivery.service.ts';
import type { WebhookRelay } from '../src/webhooks/webhook-relay.ts';

/** Carries the delay the attempt chose (schedule or Retry-After) to the worker's backoffStrategy. */
export class RetryDeliveryLater extends Error {
  constructor(readonly delayMs: number) {
    super(`delivery failed; next attempt in ${delayMs} ms`);
    this.name = 'RetryDeliveryLater';
  }
}

/**
 * Delivers outbound courier webhooks (one attempt per job run; the service records it) and runs
 * the outbox relay on a schedule. Logs ids, outcomes and counts only: never an event's body.
 */
export async function startWebhooksWorkers(deps: {
  connection: Redis;
  prefix: string;
  queues: Queues;
  delivery: WebhookDeliveryService;
  relay: WebhookRelay;
  concurrency: number;
  relayEveryMs: number;
  /** For unexpected failures (database away): the schedule's delay for that attempt. */
  retryDelaysMs: readonly number[];
  logger: Logger;
}): Promise<Worker[]> {
  const { delivery, logger } = deps;
  const deliveryWorker = new Worker(
    'webhooks',
    async (job: Job) => {
      if (job.name !== 'deliver-event') throw new UnrecoverableError(`Unknown webhooks job ${job.name}`);
      const { eventId, round } = parseJobPayload('webhooks', 'deliver-event', job.data);
      const result = await delivery.deliver({ id: eventId, round }, job.attemptsMade + 1);
      switch (result.outcome) {
        case 'retry':
          throw new RetryDeliveryLater(result.delayMs);
        case 'dead':
          // Already recorded as dead in the database; failing the job keeps it in the queue's failed list too.
          throw new UnrecoverableError(`event ${eventId} dead after attempt ${result.attemptNo}`);
        case 'endpoint_disabled':
          logger.warn({ eventId }, 'webhook endpoint answered 410 Gone: disabled until an admin enables it');
          return result;
        default:
          return result;
      }
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
          err instanceof RetryDeliveryLater
            ? err.delayMs
            : (deps.retryDelaysMs[Math.min(attemptsMade, deps.retryDelaysMs.length) - 1] ?? deps.retryDelaysMs.at(-1) ?? 1_000),
      },
    },
  );
  deliveryWorker.on('failed', (job, err) => {
    if (err instanceof RetryDeliveryLater) return;
    logger.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'webhook delivery job failed');
  });
  deliveryWorker.on('error', (err) => logger.error({ err }, 'webhooks worker error'));

  const relayWorker = new Worker(
    'webhooks-relay',
    async (job: Job) => {
      if (job.name !== 'relay-pending') throw new UnrecoverableError(`Unknown webhooks-relay job ${job.name}`);
      parseJobPayload('webhooks-relay', 'relay-pending', job.data);
      return deps.relay.relayPending();
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 1 },
  );
  relayWorker.on('failed', (job, err) => logger.warn({ jobId: job?.id, err: err.message }, 'webhook relay failed'));
  relayWorker.on('error', (err) => logger.error({ err }, 'webhooks relay worker error'));
  await deps.queues
    .queue('webhooks-relay')
    .upsertJobScheduler('webhooks-relay', { every: deps.relayEveryMs }, { name: 'relay-pending', data: {} });
  return [deliveryWorker, relayWorker];
}
