import { describe, expect } from 'vitest';
import type { QueueName } from '../../src/jobs/registry.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { eventually } from '../helpers/test-platform.ts';
import { must } from '../helpers/must.ts';

const test = platformTest({ workers: true });

describe('a job whose payload does not fit its schema', () => {
  test.for<[QueueName, string, Record<string, unknown>, RegExp]>([
    ['payments', 'expire-booking', { bookingId: 'not-a-uuid' }, /Invalid payload for payments\/expire-booking: \/bookingId/],
    ['payments', 'execute-refund', {}, /Invalid payload for payments\/execute-refund: \/refundId/],
    ['planning', 'plan-delivery-day', { officeId: 'x', deliveryDate: 'tomorrow' }, /Invalid payload for planning\/plan-delivery-day/],
    ['housekeeping', 'run-housekeeping', { everything: true }, /Invalid payload for housekeeping\/run-housekeeping/],
    ['payments', 'no-such-job', {}, /Unknown payments job no-such-job/],
  ])(
    'on %s/%s fails after one attempt instead of being retried, saying what is wrong',
    async ([queueName, jobName, data, reason], { p }) => {
      // Straight onto the BullMQ queue, past the producer-side check of queues.enqueue; the queue's
      // default options would allow several attempts.
      const queue = p.queues.queue(queueName);
      const added = await queue.add(jobName, data, { attempts: 5, backoff: { type: 'fixed', delay: 10 } });
      const jobId = must(added.id, 'the id of the added job');
      const job = must(
        await eventually(
          () => queue.getJob(jobId),
          (j) => j?.finishedOn !== undefined,
          15_000,
        ),
        `job ${jobId}`,
      );
      expect(await job.getState()).toBe('failed');
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toMatch(reason);
    },
  );
});
