import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { staffSessions } from '../auth/auth.table.ts';
import { TERMINAL_STATUSES } from '../bookings/booking-status.ts';
import { bookingEvents, bookings } from '../bookings/bookings.table.ts';
import { idempotencyKeys } from '../idempotency/idempotency.table.ts';
import { planRoutes, plans, planStops } from '../planning/planning.table.ts';
import { quotes } from '../quotes/quotes.table.ts';

const DAY = 86_400_000;
const BATCH = 500;

/** Two decimals of a degree: about a kilometre, enough for statistics, too coarse to find a door. */
export const coarsen = (v: number) => Math.round(v * 100) / 100;

/**
 * Personal data is kept only as long as needed: `PERSONAL_DATA_RETENTION_DAYS` after a booking
 * ended (delivered, returned, cancelled, expired) its recipient, street address and free-text
 * reasons are removed and its position coarsened; plans of days that long ago lose their exact
 * route lines. What finance needs (amounts, Kassenzeichen, postal code) stays. Also purges
 * expired idempotency records, quotes and sessions. Safe to run at any time, any number of times.
 */
export function createHousekeepingService(deps: { db: Database; clock: () => Date; retentionDays: number }) {
  const { db } = deps;

  async function anonymiseBookings(cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const done = await db.transaction(async (tx) => {
        const due = await tx
          .select({ id: bookings.id, officeId: bookings.officeId })
          .from(bookings)
          .where(and(inArray(bookings.status, [...TERMINAL_STATUSES]), lt(bookings.updatedAt, cutoff), isNull(bookings.anonymisedAt)))
          .limit(BATCH)
          .for('update', { skipLocked: true });
        if (due.length === 0) return 0;
        const ids = due.map((b) => b.id);
        await tx
          .update(bookings)
          .set({
            recipient: { name: '(anonymised)', phone: '-' },
            address: sql`jsonb_build_object('street', '(anonymised)', 'houseNumber', '-', 'postalCode', ${bookings.address}->>'postalCode', 'city', ${bookings.address}->>'city')`,
            location: sql`jsonb_build_array(round((${bookings.location}->>0)::numeric, 2), round((${bookings.location}->>1)::numeric, 2))`,
            anonymisedAt: deps.clock(),
          })
          .where(inArray(bookings.id, ids));
        // Reasons typed by people (a cancellation's) may name someone; system reasons are codes and stay.
        await tx
          .update(bookingEvents)
          .set({ reason: null })
          .where(
            and(
              inArray(bookingEvents.bookingId, ids),
              inArray(bookingEvents.actorType, ['citizen', 'staff']),
              sql`${bookingEvents.reason} is not null`,
            ),
          );
        await tx
          .update(planStops)
          .set({
            location: sql`jsonb_build_array(round((${planStops.location}->>0)::numeric, 2), round((${planStops.location}->>1)::numeric, 2))`,
          })
          .where(inArray(planStops.bookingId, ids));
        for (const b of due) {
          await recordAudit(tx, {
            actorType: 'system',
            action: 'booking.anonymised',
            subjectType: 'booking',
            subjectId: b.id,
            officeId: b.officeId,
          });
        }
        return due.length;
      });
      total += done;
      if (done < BATCH) return total;
    }
  }

  async function coarsenOldPlans(cutoffDate: string): Promise<number> {
    const due = await db
      .select({ id: plans.id })
      .from(plans)
      .where(and(lt(plans.deliveryDate, cutoffDate), isNull(plans.anonymisedAt)))
      .limit(BATCH);
    for (const { id } of due) {
      await db.transaction(async (tx) => {
        const routes = await tx
          .select({ id: planRoutes.id, geometry: planRoutes.geometry })
          .from(planRoutes)
          .where(eq(planRoutes.planId, id));
        for (const route of routes) {
          const coordinates = route.geometry.coordinates.map(([lng, lat]) => [coarsen(lng), coarsen(lat)] as [number, number]);
          await tx
            .update(planRoutes)
            .set({ geometry: { ...route.geometry, coordinates } })
            .where(eq(planRoutes.id, route.id));
        }
        await tx.update(plans).set({ anonymisedAt: deps.clock() }).where(eq(plans.id, id));
      });
    }
    return due.length;
  }

  return {
    async run() {
      const now = deps.clock();
      const cutoff = new Date(now.getTime() - deps.retentionDays * DAY);
      const anonymisedBookings = await anonymiseBookings(cutoff);
      const coarsenedPlans = await coarsenOldPlans(cutoff.toISOString().slice(0, 10));
      const purgedIdempotencyKeys = (
        await db.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, now)).returning({ key: idempotencyKeys.key })
      ).length;
      // Quotes a booking was made from stay (the booking refers to its price); the rest go a day after expiry.
      const purgedQuotes = (
        await db
          .delete(quotes)
          .where(
            and(
              lt(quotes.expiresAt, new Date(now.getTime() - DAY)),
              sql`not exists (select 1 from ${bookings} where ${bookings.quoteId} = ${quotes.id})`,
            ),
          )
          .returning({ id: quotes.id })
      ).length;
      const purgedSessions = (
        await db
          .delete(staffSessions)
          .where(lt(staffSessions.expiresAt, new Date(now.getTime() - 30 * DAY)))
          .returning({ id: staffSessions.id })
      ).length;
      return { anonymisedBookings, coarsenedPlans, purgedIdempotencyKeys, purgedQuotes, purgedSessions };
    },
  };
}

export type HousekeepingService = ReturnType<typeof createHousekeepingService>;
