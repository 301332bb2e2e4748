import { asc, desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { routeOffers } from '../../dispatch/dispatch.table.ts';
import { offices, serviceZones } from '../../offices/offices.table.ts';
import { planRoutes, plans } from '../../planning/planning.table.ts';

/**
 * Read-only lists for the admin's pages that no service offers as such. What may change stays the
 * services' business; these only show.
 */

/** A company's latest route offers with their answers, newest first (route_offers_company_idx). */
export const recentOffersOfCompany = (db: DbOrTx, companyId: string, limit = 20) =>
  db
    .select({
      id: routeOffers.id,
      status: routeOffers.status,
      offeredAt: routeOffers.offeredAt,
      deadline: routeOffers.deadline,
      answeredAt: routeOffers.answeredAt,
      declineReason: routeOffers.declineReason,
      sequence: planRoutes.sequence,
      deliveryDate: plans.deliveryDate,
      officeName: offices.name,
    })
    .from(routeOffers)
    .innerJoin(planRoutes, eq(planRoutes.id, routeOffers.routeId))
    .innerJoin(plans, eq(plans.id, planRoutes.planId))
    .innerJoin(offices, eq(offices.id, plans.officeId))
    .where(eq(routeOffers.companyId, companyId))
    .orderBy(desc(routeOffers.offeredAt), desc(routeOffers.id))
    .limit(limit);

/** Every service zone with its office's name: the choices of the registration form and the names on a company's page. */
export const zoneChoices = (db: DbOrTx) =>
  db
    .select({ id: serviceZones.id, name: serviceZones.name, officeName: offices.name, active: serviceZones.active })
    .from(serviceZones)
    .innerJoin(offices, eq(offices.id, serviceZones.officeId))
    .orderBy(asc(offices.name), asc(serviceZones.createdAt));

export type ZoneChoice = Awaited<ReturnType<typeof zoneChoices>>[number];
