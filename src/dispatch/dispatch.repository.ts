import { and, asc, desc, eq, inArray, lte, notInArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { bookings } from '../bookings/bookings.table.ts';
import { planRoutes, plans, planStops, courierShifts, type PlanRoute, type RouteDispatchStatus } from '../planning/planning.table.ts';
import { firstRow } from '../shared/required.ts';
import {
  deliveryAttempts,
  identityChecks,
  inboundCourierEvents,
  routeOffers,
  type DeliveryAttempt,
  type OfferStatus,
  type RouteOffer,
} from './dispatch.table.ts';

/** Route states in which a vehicle of the route's shift is taken. */
const VEHICLE_IN_USE: RouteDispatchStatus[] = ['offered', 'accepted', 'handed_over', 'started', 'completed'];

export function createDispatchRepository(db: DbOrTx) {
  return {
    async route(id: string, opts: { forUpdate?: boolean } = {}) {
      const q = db
        .select({ route: planRoutes, plan: plans })
        .from(planRoutes)
        .innerJoin(plans, eq(plans.id, planRoutes.planId))
        .where(eq(planRoutes.id, id));
      const [row] = await (opts.forUpdate ? q.for('update', { of: planRoutes }) : q);
      return row;
    },

    routesOfPlan: (planId: string) => db.select().from(planRoutes).where(eq(planRoutes.planId, planId)).orderBy(asc(planRoutes.sequence)),

    async updateRoute(id: string, values: Partial<typeof planRoutes.$inferInsert>): Promise<PlanRoute> {
      return firstRow(await db.update(planRoutes).set(values).where(eq(planRoutes.id, id)).returning(), `UPDATE plan_routes ${id}`);
    },

    /** The stops of a route with the booking fields dispatch needs, in route order. */
    stopsOfRoute: (routeId: string) =>
      db
        .select({
          stop: planStops,
          booking: {
            id: bookings.id,
            status: bookings.status,
            applicationNumber: bookings.applicationNumber,
            documentType: bookings.documentType,
            recipient: bookings.recipient,
            address: bookings.address,
            location: bookings.location,
            zoneId: bookings.zoneId,
            custodyHolder: bookings.custodyHolder,
            deliveryAttempts: bookings.deliveryAttempts,
            pinLetterConfirmedAt: bookings.pinLetterConfirmedAt,
          },
        })
        .from(planStops)
        .innerJoin(bookings, eq(bookings.id, planStops.bookingId))
        .where(eq(planStops.routeId, routeId))
        .orderBy(asc(planStops.sequence)),

    /** The route of a booking on a confirmed plan (the latest one: a re-planned booking has had several). */
    async confirmedStopOfBooking(bookingId: string) {
      const [row] = await db
        .select({ stop: planStops, route: planRoutes })
        .from(planStops)
        .innerJoin(planRoutes, eq(planRoutes.id, planStops.routeId))
        .innerJoin(plans, eq(plans.id, planStops.planId))
        .where(and(eq(planStops.bookingId, bookingId), eq(plans.status, 'confirmed')))
        .orderBy(desc(planRoutes.startsAt))
        .limit(1);
      return row;
    },

    stop: async (id: string) => (await db.select().from(planStops).where(eq(planStops.id, id)))[0],

    /** Shifts of the day with how many of their vehicles routes already take. */
    async shiftsWithUse(officeId: string, deliveryDate: string) {
      const inUse = db
        .select({ shiftId: planRoutes.shiftId, n: sql<number>`count(*)::int`.as('n') })
        .from(planRoutes)
        .innerJoin(plans, eq(plans.id, planRoutes.planId))
        .where(and(eq(plans.officeId, officeId), eq(plans.deliveryDate, deliveryDate), inArray(planRoutes.dispatchStatus, VEHICLE_IN_USE)))
        .groupBy(planRoutes.shiftId)
        .as('in_use');
      return db
        .select({ shift: courierShifts, vehiclesInUse: sql<number>`coalesce(${inUse.n}, 0)` })
        .from(courierShifts)
        .leftJoin(inUse, eq(inUse.shiftId, courierShifts.id))
        .where(and(eq(courierShifts.officeId, officeId), eq(courierShifts.deliveryDate, deliveryDate)));
    },

    insertOffer: async (values: typeof routeOffers.$inferInsert): Promise<RouteOffer> =>
      firstRow(await db.insert(routeOffers).values(values).returning(), 'INSERT route_offers'),

    async openOffer(routeId: string, opts: { forUpdate?: boolean } = {}) {
      const q = db
        .select()
        .from(routeOffers)
        .where(and(eq(routeOffers.routeId, routeId), eq(routeOffers.status, 'open')));
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },

    async offer(id: string, opts: { forUpdate?: boolean } = {}) {
      const q = db.select().from(routeOffers).where(eq(routeOffers.id, id));
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },

    offersOfRoute: (routeId: string) =>
      db.select().from(routeOffers).where(eq(routeOffers.routeId, routeId)).orderBy(asc(routeOffers.offeredAt)),

    async closeOffer(id: string, status: Exclude<OfferStatus, 'open'>, at: Date, declineReason?: string) {
      const [row] = await db
        .update(routeOffers)
        .set({ status, answeredAt: at, declineReason: declineReason ?? null })
        .where(and(eq(routeOffers.id, id), eq(routeOffers.status, 'open')))
        .returning();
      return row;
    },

    overdueOfferIds: async (now: Date, limit = 500) =>
      (
        await db
          .select({ id: routeOffers.id })
          .from(routeOffers)
          .where(and(eq(routeOffers.status, 'open'), lte(routeOffers.deadline, now)))
          .orderBy(asc(routeOffers.deadline))
          .limit(limit)
      ).map((r) => r.id),

    /** A company's routes (offered to it now, or taken by it), newest day first. */
    companyRoutes: (companyId: string, filter: { deliveryDate?: string; status?: RouteDispatchStatus }, limit = 200) =>
      db
        .select({ route: planRoutes, plan: plans })
        .from(planRoutes)
        .innerJoin(plans, eq(plans.id, planRoutes.planId))
        .where(
          and(
            eq(planRoutes.courierCompanyId, companyId),
            notInArray(planRoutes.dispatchStatus, ['draft']),
            filter.deliveryDate ? eq(plans.deliveryDate, filter.deliveryDate) : undefined,
            filter.status ? eq(planRoutes.dispatchStatus, filter.status) : undefined,
          ),
        )
        .orderBy(desc(plans.deliveryDate), asc(planRoutes.sequence))
        .limit(limit),

    /** Claims an inbound event id; false when it was applied before (a redelivery). */
    async claimInbound(values: typeof inboundCourierEvents.$inferInsert): Promise<boolean> {
      const rows = await db
        .insert(inboundCourierEvents)
        .values(values)
        .onConflictDoNothing()
        .returning({ id: inboundCourierEvents.eventId });
      return rows.length === 1;
    },

    async inboundOutcome(companyId: string, eventId: string) {
      const [row] = await db
        .select()
        .from(inboundCourierEvents)
        .where(and(eq(inboundCourierEvents.companyId, companyId), eq(inboundCourierEvents.eventId, eventId)));
      return row;
    },

    setInboundOutcome: (companyId: string, eventId: string, outcome: string) =>
      db
        .update(inboundCourierEvents)
        .set({ outcome })
        .where(and(eq(inboundCourierEvents.companyId, companyId), eq(inboundCourierEvents.eventId, eventId))),

    insertIdentityCheck: (values: typeof identityChecks.$inferInsert) => db.insert(identityChecks).values(values),

    /**
     * Records an attempt at the door once: the (booking, attempt) key makes a second report of the
     * same attempt (a redelivered event, a retried check-in) change nothing. True when written.
     */
    async insertDeliveryAttempt(values: typeof deliveryAttempts.$inferInsert): Promise<boolean> {
      const rows = await db.insert(deliveryAttempts).values(values).onConflictDoNothing().returning({ attempt: deliveryAttempts.attempt });
      return rows.length === 1;
    },

    attemptsOfBooking: (bookingId: string): Promise<DeliveryAttempt[]> =>
      db.select().from(deliveryAttempts).where(eq(deliveryAttempts.bookingId, bookingId)).orderBy(asc(deliveryAttempts.attempt)),

    identityChecksOfRoute: (routeId: string) =>
      db.select().from(identityChecks).where(eq(identityChecks.routeId, routeId)).orderBy(asc(identityChecks.checkedAt)),
  };
}

export type DispatchRepository = ReturnType<typeof createDispatchRepository>;
