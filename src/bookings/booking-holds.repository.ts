import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { preparedStatement } from '../db/prepared.ts';
import { bookingHolds, type BookingHold, type HoldReason } from './bookings.table.ts';

const openHoldsOfBooking = preparedStatement('open_holds_of_booking', (db) =>
  db
    .select()
    .from(bookingHolds)
    .where(and(eq(bookingHolds.bookingId, sql.placeholder('bookingId')), isNull(bookingHolds.releasedAt)))
    .orderBy(asc(bookingHolds.placedAt)),
);

/** Holds: what keeps a booking in the office until a person (or Stripe) decides. */
export function createBookingHoldsRepository(db: DbOrTx) {
  return {
    /** Places a hold; an open hold of the same reason is returned instead (`placed: false`). */
    async place(bookingId: string, reason: HoldReason): Promise<{ hold: BookingHold; placed: boolean }> {
      const [inserted] = await db.insert(bookingHolds).values({ bookingId, reason }).onConflictDoNothing().returning();
      if (inserted) return { hold: inserted, placed: true };
      const [open] = await db
        .select()
        .from(bookingHolds)
        .where(and(eq(bookingHolds.bookingId, bookingId), eq(bookingHolds.reason, reason), isNull(bookingHolds.releasedAt)));
      if (!open) throw new Error(`Hold ${reason} of booking ${bookingId} vanished between insert and read`);
      return { hold: open, placed: false };
    },

    openHolds: (bookingId: string) => openHoldsOfBooking(db, { bookingId }),

    /** Every hold of a booking, open and released, oldest first (the staff view's history). */
    holdsOf: (bookingId: string) =>
      db.select().from(bookingHolds).where(eq(bookingHolds.bookingId, bookingId)).orderBy(asc(bookingHolds.placedAt)),

    openHoldsOfBookings: (bookingIds: string[]) =>
      bookingIds.length === 0
        ? Promise.resolve([] as BookingHold[])
        : db
            .select()
            .from(bookingHolds)
            .where(and(inArray(bookingHolds.bookingId, bookingIds), isNull(bookingHolds.releasedAt))),

    /** Releases open holds (one by id, or every open one of the booking); returns what it released. */
    async release(
      target: { holdId: string } | { bookingId: string; reason?: HoldReason },
      by: { releasedBy: string; resolution: string; comment?: string | null; at: Date },
    ): Promise<BookingHold[]> {
      const where =
        'holdId' in target
          ? eq(bookingHolds.id, target.holdId)
          : and(eq(bookingHolds.bookingId, target.bookingId), target.reason ? eq(bookingHolds.reason, target.reason) : sql`true`);
      return db
        .update(bookingHolds)
        .set({ releasedAt: by.at, releasedBy: by.releasedBy, resolution: by.resolution, comment: by.comment ?? null })
        .where(and(where, isNull(bookingHolds.releasedAt)))
        .returning();
    },
  };
}

export type BookingHoldsRepository = ReturnType<typeof createBookingHoldsRepository>;
