import { and, asc, eq, gte, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { planRoutes, plans } from '../../planning/planning.table.ts';

/**
 * The office's routes the handover desk works on: accepted ones (to hand over) and those out with a
 * courier (to check back in). The service decides what may actually happen; this only lists.
 */
export async function deskRoutes(db: DbOrTx, officeId: string | null, fromDate: string) {
  const rows = await db
    .select({ route: planRoutes, plan: plans })
    .from(planRoutes)
    .innerJoin(plans, eq(plans.id, planRoutes.planId))
    .where(
      and(
        inArray(planRoutes.dispatchStatus, ['accepted', 'handed_over', 'started', 'completed']),
        gte(plans.deliveryDate, fromDate),
        officeId ? eq(plans.officeId, officeId) : undefined,
      ),
    )
    .orderBy(asc(plans.deliveryDate), asc(planRoutes.sequence))
    .limit(200);
  return {
    toHandOver: rows.filter((r) => r.route.dispatchStatus === 'accepted'),
    toCheckIn: rows.filter((r) => r.route.dispatchStatus !== 'accepted'),
  };
}
