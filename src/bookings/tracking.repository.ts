import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { preparedStatement } from '../db/prepared.ts';
import { epochMs, qualified as q } from '../db/sql-columns.ts';
import { payments } from '../payments/payments.table.ts';
import { announcedStopOf } from '../planning/planning.repository.ts';
import { plans, planStops } from '../planning/planning.table.ts';
import type { BookingStatus } from './booking-status.ts';
import { hasOpenHold } from './bookings.repository.ts';
import { bookingEvents, bookings, type Booking } from './bookings.table.ts';

/** Everything the tracking view shows of a booking, read in one statement. */
export interface TrackingRead {
  booking: Booking;
  payment: { paymentIntentId: string | null; checkoutSessionId: string | null } | null;
  held: boolean;
  history: { status: BookingStatus; at: Date }[];
  /** The window of the newest confirmed plan the booking is on, if any. */
  announced: { start: Date; end: Date } | null;
}

// Tracking is the page a citizen reloads; the booking, its payment's ids, whether a hold is open,
// its history and its announced window were five statements (one, then four side by side). As
// subqueries of one statement they cost one round trip and one row to map.
const announcedStop = announcedStopOf(bookings.id);
const trackingByHash = preparedStatement('tracking_by_hash', (db) =>
  db
    .select({
      booking: bookings,
      payment: sql<
        TrackingRead['payment']
      >`(select json_build_object('paymentIntentId', ${q(payments.paymentIntentId)}, 'checkoutSessionId', ${q(payments.checkoutSessionId)})
        from ${payments} where ${q(payments.bookingId)} = ${q(bookings.id)} limit 1)`,
      held: sql<boolean>`${hasOpenHold}`,
      history: sql<
        [BookingStatus, number][]
      >`(select coalesce(json_agg(json_build_array(${q(bookingEvents.toStatus)}, ${epochMs(bookingEvents.occurredAt)}) order by ${q(bookingEvents.id)}), '[]'::json)
        from ${bookingEvents} where ${q(bookingEvents.bookingId)} = ${q(bookings.id)})`,
      announced: sql<[number, number] | null>`(${db
        .select({ window: sql`json_build_array(${epochMs(planStops.announcedStart)}, ${epochMs(planStops.announcedEnd)})` })
        .from(planStops)
        .innerJoin(plans, eq(plans.id, planStops.planId))
        .where(announcedStop.where)
        .orderBy(announcedStop.newestFirst)
        .limit(1)})`,
    })
    .from(bookings)
    .where(eq(bookings.trackingTokenHash, sql.placeholder('hash'))),
);

export async function readTracking(db: DbOrTx, trackingTokenHash: string): Promise<TrackingRead | undefined> {
  const [row] = await trackingByHash(db, { hash: trackingTokenHash });
  if (!row) return undefined;
  const announced =
    row.announced?.[0] != null && row.announced[1] != null ? { start: new Date(row.announced[0]), end: new Date(row.announced[1]) } : null;
  return {
    booking: row.booking,
    payment: row.payment,
    held: row.held,
    history: row.history.map(([status, at]) => ({ status, at: new Date(at) })),
    announced,
  };
}
