import type { Queues } from '../jobs/queues.ts';
import { parseJobPayload } from '../jobs/registry.ts';

/** What the planning service needs from the queue, without knowing it is BullMQ. */
export interface PlanJobs {
  /** The job of this office and day if it is waiting or running. */
  findUnfinished(officeId: string, deliveryDate: string): Promise<PlanJobRef | null>;
  /** Adds the job; a finished job under the same id is replaced. Adding twice yields one job. */
  enqueue(officeId: string, deliveryDate: string): Promise<PlanJobRef>;
}

export interface PlanJobRef {
  id: string;
  state: string;
}

/** One job id per office and day (BullMQ forbids ":" in ids): at most one solve of a day at a time. */
export const planJobId = (officeId: string, deliveryDate: string) => `plan_${officeId}_${deliveryDate}`;

const FINISHED = new Set(['completed', 'failed']);

export function createPlanJobs(queues: Queues): PlanJobs {
  // Looked up per call: the app is also built without Redis, to generate the OpenAPI document.
  const planningQueue = () => queues.queue('planning');
  return {
    async findUnfinished(officeId, deliveryDate) {
      const id = planJobId(officeId, deliveryDate);
      const job = await planningQueue().getJob(id);
      if (!job) return null;
      const state = await job.getState();
      return FINISHED.has(state) || state === 'unknown' ? null : { id, state };
    },

    async enqueue(officeId, deliveryDate) {
      const id = planJobId(officeId, deliveryDate);
      const data = parseJobPayload('planning', 'plan-delivery-day', { officeId, deliveryDate });
      const queue = planningQueue();
      const previous = await queue.getJob(id);
      if (previous) {
        const state = await previous.getState();
        if (!FINISHED.has(state)) return { id, state };
        // BullMQ ignores an add under an id it still remembers, so the finished run makes room.
        // A concurrent caller may have removed it already; the add below is idempotent either way.
        await previous.remove().catch(() => undefined);
      }
      const job = await queue.add('plan-delivery-day', data, { jobId: id });
      return { id, state: await job.getState() };
    },
  };
}
