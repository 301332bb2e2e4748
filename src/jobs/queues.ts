import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { required } from '../shared/required.ts';
import { DEFAULT_JOB_OPTIONS } from './queue-config.ts';
import { QUEUE_NAMES, parseJobPayload, type JobName, type JobPayload, type QueueName } from './registry.ts';

export interface Queues {
  enqueue<Q extends QueueName, J extends JobName<Q>>(
    queue: Q,
    job: J,
    payload: JobPayload<Q, J>,
    opts?: JobsOptions & { jobId?: string },
  ): Promise<void>;
  queue(name: QueueName): Queue;
  close(): Promise<void>;
}

export function createQueues(connection: Redis, prefix: string): Queues {
  const queues = new Map<QueueName, Queue>(
    QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS[name] })]),
  );
  const get = (name: QueueName) => required(queues.get(name), `queue ${name} (built for every QUEUE_NAMES entry)`);
  return {
    async enqueue(queue, job, payload, opts) {
      parseJobPayload(queue, job, payload);
      await get(queue).add(job, payload, opts);
    },
    queue: get,
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
