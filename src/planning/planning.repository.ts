import { and, asc, desc, eq, inArray, isNull, lt, ne, sql, type SQLWrapper } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { bookings } from '../bookings/bookings.table.ts';
import { firstRow } from '../shared/required.ts';
import type { RouteDraft } from './delivery-request.ts';
import { courierShifts, planRoutes, planStops, plans, type Plan, type PlanStatus, type RouteLine } from './planning.table.ts';

/**
 * Which stop's window a booking was announced: its stop on a confirmed plan, the newest plan
 * first (for a query from plan_stops joined with plans). The booking is an id, or a column for a
 * subquery beside the booking's row (the tracking statement).
 */
export const announcedStopOf = (bookingId: string | SQLWrapper) => ({
  where: and(eq(planStops.bookingId, bookingId), eq(plans.status, 'confirmed')),
  newestFirst: desc(plans.confirmedAt),
});

export function createPlanningRepository(db: DbOrTx) {
  return {
    /**
     * Serialises everything that changes the plan of one office and day (claiming, storing a
     * result, confirming) for the rest of the transaction. Callers must be inside a transaction.
     */
    async lockDay(officeId: string, deliveryDate: string) {
      await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`plan:${officeId}:${deliveryDate}`}, 0))`);
    },

    /** The plan that is not superseded (at most one, by a partial unique index). */
    async currentPlan(officeId: string, deliveryDate: string): Promise<Plan | undefined> {
      const [row] = await db
        .select()
        .from(plans)
        .where(and(eq(plans.officeId, officeId), eq(plans.deliveryDate, deliveryDate), ne(plans.status, 'superseded')));
      return row;
    },

    async findPlan(id: string): Promise<Plan | undefined> {
      const [row] = await db.select().from(plans).where(eq(plans.id, id));
      return row;
    },

    async insertPlan(values: typeof plans.$inferInsert): Promise<Plan> {
      return firstRow(await db.insert(plans).values(values).returning(), 'INSERT plans RETURNING');
    },

    /** Updates a plan only while it is in one of `from`; returns undefined when it has moved on. */
    async updatePlan(id: string, from: readonly PlanStatus[], values: Partial<typeof plans.$inferInsert>): Promise<Plan | undefined> {
      const [row] = await db
        .update(plans)
        .set({ ...values, updatedAt: sql`now()` })
        .where(and(eq(plans.id, id), inArray(plans.status, [...from])))
        .returning();
      return row;
    },

    /** Routes of a plan nobody will use again hold home locations: they go. */
    async deleteRoutes(planId: string) {
      await db.delete(planRoutes).where(eq(planRoutes.planId, planId));
    },

    async insertRoutes(planId: string, routes: readonly RouteDraft[]) {
      for (const r of routes) {
        const [route] = await db
          .insert(planRoutes)
          .values({
            planId,
            sequence: r.sequence,
            vehicleId: r.vehicleId,
            vehicleType: r.vehicleType,
            shiftId: r.shiftId,
            startsAt: r.startsAt,
            endsAt: r.endsAt,
            distanceMetres: r.distanceMetres,
            durationSeconds: r.durationSeconds,
            travelSeconds: r.travelSeconds,
            geometry: r.geometry,
          })
          .returning({ id: planRoutes.id });
        if (!route) throw new Error('INSERT plan_routes RETURNING gave no row');
        if (r.stops.length > 0) {
          await db.insert(planStops).values(r.stops.map((s) => ({ planId, routeId: route.id, ...s })));
        }
      }
    },

    async setRouteGeometry(routeId: string, geometry: RouteLine) {
      await db.update(planRoutes).set({ geometry }).where(eq(planRoutes.id, routeId));
    },

    routesOf: (planId: string) => db.select().from(planRoutes).where(eq(planRoutes.planId, planId)).orderBy(asc(planRoutes.sequence)),

    /** Stops with the few booking fields staff need to hand documents over (no names, no addresses). */
    stopsOf: (planId: string) =>
      db
        .select({
          stop: planStops,
          applicationNumber: bookings.applicationNumber,
          vehicleType: bookings.vehicleType,
          postalCode: sql<string>`${bookings.address}->>'postalCode'`,
        })
        .from(planStops)
        .innerJoin(bookings, eq(bookings.id, planStops.bookingId))
        .where(eq(planStops.planId, planId))
        .orderBy(asc(planStops.routeId), asc(planStops.sequence)),

    /**
     * The window announced to the citizen by the latest confirmed plan of a booking, for the
     * tracking page; undefined while the booking is on no confirmed plan.
     */
    async announcedWindowOf(bookingId: string): Promise<{ start: Date; end: Date } | undefined> {
      const stop = announcedStopOf(bookingId);
      const [row] = await db
        .select({ start: planStops.announcedStart, end: planStops.announcedEnd })
        .from(planStops)
        .innerJoin(plans, eq(plans.id, planStops.planId))
        .where(stop.where)
        .orderBy(stop.newestFirst)
        .limit(1);
      return row;
    },

    // Retention (housekeeping): plans of days long past lose what could locate a home.

    /** Up to `limit` plans of days before `before` (YYYY-MM-DD) whose route lines are still exact. */
    plansToCoarsen: (before: string, limit: number) =>
      db
        .select({ id: plans.id })
        .from(plans)
        .where(and(lt(plans.deliveryDate, before), isNull(plans.anonymisedAt)))
        .limit(limit),

    async markPlanAnonymised(planId: string, at: Date) {
      await db.update(plans).set({ anonymisedAt: at }).where(eq(plans.id, planId));
    },

    /** Rounds the stop positions of these bookings to two decimals (~1 km), on every plan they are on. */
    async coarsenStopsOf(bookingIds: string[]) {
      await db
        .update(planStops)
        .set({
          location: sql`jsonb_build_array(round((${planStops.location}->>0)::numeric, 2), round((${planStops.location}->>1)::numeric, 2))`,
        })
        .where(inArray(planStops.bookingId, bookingIds));
    },

    async insertShift(values: typeof courierShifts.$inferInsert) {
      return firstRow(await db.insert(courierShifts).values(values).returning(), 'INSERT courier_shifts RETURNING');
    },

    shiftsOfCompany: (companyId: string, filter: { officeId?: string; deliveryDate?: string }) =>
      db
        .select()
        .from(courierShifts)
        .where(
          and(
            eq(courierShifts.courierCompanyId, companyId),
            filter.officeId ? eq(courierShifts.officeId, filter.officeId) : undefined,
            filter.deliveryDate ? eq(courierShifts.deliveryDate, filter.deliveryDate) : undefined,
          ),
        )
        .orderBy(asc(courierShifts.deliveryDate), asc(courierShifts.shiftStart), asc(courierShifts.id))
        .limit(500),

    shiftsOf: (officeId: string, deliveryDate: string) =>
      db
        .select()
        .from(courierShifts)
        .where(and(eq(courierShifts.officeId, officeId), eq(courierShifts.deliveryDate, deliveryDate)))
        .orderBy(asc(courierShifts.shiftStart), asc(courierShifts.id)),
  };
}

export type PlanningRepository = ReturnType<typeof createPlanningRepository>;
