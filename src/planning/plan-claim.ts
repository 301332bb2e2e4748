import type { Transaction } from '../db/client.ts';
import { createPlanningRepository } from './planning.repository.ts';
import type { Plan } from './planning.table.ts';

export type ClaimResult = { kind: 'confirmed'; plan: Plan } | { kind: 'claimed'; plan: Plan; fresh: boolean };

/**
 * The plan a planning run works on. A queued or running plan is reused (a retried or re-requested
 * job continues it); a draft or failed plan is superseded by a new one, its routes deleted; a
 * confirmed plan is left alone: its bookings are already promised to the citizens.
 */
export async function claimPlan(
  tx: Transaction,
  args: { officeId: string; deliveryDate: string; jobId: string; requestedByStaffId: string | null },
): Promise<ClaimResult> {
  const repo = createPlanningRepository(tx);
  await repo.lockDay(args.officeId, args.deliveryDate);
  const current = await repo.currentPlan(args.officeId, args.deliveryDate);
  if (current?.status === 'confirmed') return { kind: 'confirmed', plan: current };
  if (current && (current.status === 'queued' || current.status === 'running')) return { kind: 'claimed', plan: current, fresh: false };
  if (current) {
    await repo.deleteRoutes(current.id);
    await repo.updatePlan(current.id, ['draft', 'failed'], { status: 'superseded' });
  }
  const plan = await repo.insertPlan({
    officeId: args.officeId,
    deliveryDate: args.deliveryDate,
    status: 'queued',
    jobId: args.jobId,
    requestedByStaffId: args.requestedByStaffId,
  });
  return { kind: 'claimed', plan, fresh: true };
}
