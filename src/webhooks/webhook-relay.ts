import type { Database } from '../db/client.ts';
import type { Queues } from '../jobs/queues.ts';
import { parseJobPayload } from '../jobs/registry.ts';
import { deliveryJobId } from './outbox.ts';
import { createWebhooksRepository, type EventRef } from './webhooks.repository.ts';

/** An attempt this much overdue means its job may be lost: the relay looks at it in the queue. */
export const DEFAULT_STALE_AFTER_MS = 60_000;
const BATCH = 500;
const STALE_BATCH = 100;

/**
 * The outbox relay: hands pending events to the delivery queue (job id = event id, round 0; so a
 * second hand-over is a no-op and any number of relays may run at once) and revives events whose
 * job is lost or finished while the row still says pending (a new round, a new job). The worker runs
 * it every WEBHOOK_RELAY_EVERY_MS; the API side may call `relayPending()` right after a commit.
 */
export function createWebhookRelay(deps: { db: Database; queues: Queues; clock?: () => Date; staleAfterMs?: number }) {
  const clock = deps.clock ?? (() => new Date());
  const staleAfterMs = deps.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const queue = () => deps.queues.queue('webhooks');

  const add = async (refs: EventRef[]) => {
    if (refs.length === 0) return;
    await queue().addBulk(
      refs.map((r) => {
        const data = parseJobPayload('webhooks', 'deliver-event', { eventId: r.id, round: r.round });
        return { name: 'deliver-event', data, opts: { jobId: deliveryJobId(r.id, r.round) } };
      }),
    );
  };

  return {
    /** Hands over what is waiting; returns how many events were handed over and revived. */
    async relayPending(): Promise<{ handedOver: number; revived: number }> {
      const repo = createWebhooksRepository(deps.db);
      let handedOver = 0;
      for (;;) {
        const refs = await repo.notHandedOver(BATCH);
        await add(refs);
        await repo.markHandedOver(refs, clock());
        handedOver += refs.length;
        if (refs.length < BATCH) break;
      }

      let revived = 0;
      const overdue = await repo.overdue(new Date(clock().getTime() - staleAfterMs), STALE_BATCH);
      for (const ref of overdue) {
        const state = await queue().getJobState(deliveryJobId(ref.id, ref.round));
        // Waiting, delayed or running: the queue still has it (a backlog, a slow receiver).
        if (state !== 'completed' && state !== 'failed' && state !== 'unknown') continue;
        const next = await repo.nextRound(ref, clock(), { handedOver: true });
        if (next) {
          await add([next]);
          revived++;
        }
      }
      return { handedOver, revived };
    },
  };
}

export type WebhookRelay = ReturnType<typeof createWebhookRelay>;
