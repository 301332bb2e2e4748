import { and, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { deleteInBatches, updateInBatches } from '../db/in-batches.ts';
import type { BookingStatus } from '../bookings/booking-status.ts';
import { bookingEvents, bookingHolds, bookings } from '../bookings/bookings.table.ts';
import { quotes } from '../quotes/quotes.table.ts';
import { identityChecks } from '../dispatch/dispatch.table.ts';
import { outboundEvents } from '../webhooks/webhooks.table.ts';

/**
 * The one place outside their own domains that touches the bookings, booking events, booking
 * holds, quotes, identity checks and outbound events tables: the retention queries on them, kept beside the service that decides what is due. They
 * may move into the bookings and quotes repositories later; until then nothing else in
 * housekeeping names those tables. The other tables retention touches (plans, staff sessions,
 * idempotency keys) are reached through their own repositories.
 */
export function createRetentionQueries(db: DbOrTx) {
  return {
    /**
     * Locks up to `limit` bookings in one of `statuses`, last changed before `before` and not
     * anonymised yet. Rows another run holds are skipped, so two runs never wait on each other.
     */
    lockBookingsToAnonymise: (input: { statuses: readonly BookingStatus[]; before: Date; limit: number }) =>
      db
        .select({ id: bookings.id, officeId: bookings.officeId })
        .from(bookings)
        .where(and(inArray(bookings.status, [...input.statuses]), lt(bookings.updatedAt, input.before), isNull(bookings.anonymisedAt)))
        .limit(input.limit)
        .for('update', { skipLocked: true }),

    /** Recipient and street go; postal code and city stay (finance, statistics); the position is rounded to ~1 km. */
    async anonymiseBookings(ids: string[], at: Date) {
      await db
        .update(bookings)
        .set({
          recipient: { name: '(anonymised)', phone: '-' },
          address: sql`jsonb_build_object('street', '(anonymised)', 'houseNumber', '-', 'postalCode', ${bookings.address}->>'postalCode', 'city', ${bookings.address}->>'city')`,
          location: sql`jsonb_build_array(round((${bookings.location}->>0)::numeric, 2), round((${bookings.location}->>1)::numeric, 2))`,
          anonymisedAt: at,
        })
        .where(inArray(bookings.id, ids));
    },

    /** Reasons typed by people (a cancellation's) may name someone; system reasons are codes and stay. */
    async clearReasonsTypedByPeople(bookingIds: string[]) {
      await db
        .update(bookingEvents)
        .set({ reason: null })
        .where(
          and(
            inArray(bookingEvents.bookingId, bookingIds),
            inArray(bookingEvents.actorType, ['citizen', 'staff']),
            sql`${bookingEvents.reason} is not null`,
          ),
        );
      // So may the comment a finance officer wrote when deciding on a hold.
      await db
        .update(bookingHolds)
        .set({ comment: null })
        .where(and(inArray(bookingHolds.bookingId, bookingIds), sql`${bookingHolds.comment} is not null`));
    },

    /** The door's position in identity checks of these bookings goes to ~1 km, like the booking's own. */
    async coarsenIdentityChecks(bookingIds: string[]) {
      await db
        .update(identityChecks)
        .set({ lng: sql`round(${identityChecks.lng}::numeric, 2)`, lat: sql`round(${identityChecks.lat}::numeric, 2)` })
        .where(inArray(identityChecks.bookingId, bookingIds));
    },

    /**
     * Outbound events carry recipients' names, phones and addresses: once delivered or dead and
     * older than the retention period, their data is emptied (the row and its attempts stay as the
     * record that the company was told). A pending event keeps its data until it is sent.
     */
    emptyOldOutboundEvents: (before: Date): Promise<number> =>
      updateInBatches(
        db,
        outboundEvents,
        sql`${sql.identifier(outboundEvents.data.name)} = ${JSON.stringify({ removed: 'retention' })}::jsonb`,
        and(
          inArray(outboundEvents.status, ['delivered', 'dead']),
          lt(outboundEvents.createdAt, before),
          sql`not (${outboundEvents.data} ? 'removed')`,
        ) as SQL,
      ),

    /** Quotes expired before `expiredBefore` that no booking was made from (a booking refers to its quote's price). */
    deleteUnbookedQuotes: (expiredBefore: Date): Promise<number> =>
      deleteInBatches(
        db,
        quotes,
        and(
          lt(quotes.expiresAt, expiredBefore),
          sql`not exists (select 1 from ${bookings} where ${bookings.quoteId} = ${quotes.id})`,
        ) as SQL,
      ),
  };
}
