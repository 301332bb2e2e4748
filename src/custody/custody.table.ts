import { bigserial, index, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { bookings } from '../bookings/bookings.table.ts';
import { custodyHolderEnum } from './custody-holder.ts';

/**
 * Who holds a document, as an append-only chain: every change of custody is a row whose hash is
 * SHA-256 over the canonical row and the previous row's hash, so a changed, removed or inserted
 * row breaks the chain from there on (`npm run custody:verify` names the first broken entry).
 * Rows are never updated or deleted (a trigger refuses it). Ids only: no names of citizens.
 */
export const custodyLog = pgTable(
  'custody_log',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id),
    /** Null for the first entry: the document arrived from Bundesdruckerei. */
    fromHolder: custodyHolderEnum('from_holder'),
    toHolder: custodyHolderEnum('to_holder').notNull(),
    /** What happened: `arrived`, `handover`, `delivered`, `returned`. */
    event: varchar('event', { length: 40 }).notNull(),
    routeId: uuid('route_id'),
    courierCompanyId: uuid('courier_company_id'),
    /** The company's own id for its courier, and the name the office recorded at the handover. */
    courierRef: varchar('courier_ref', { length: 100 }),
    courierName: varchar('courier_name', { length: 200 }),
    /** Staff who confirmed (two for a handover or return under four eyes). */
    staffIds: uuid('staff_ids').array().notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 3 }).notNull(),
    prevHash: varchar('prev_hash', { length: 64 }).notNull(),
    hash: varchar('hash', { length: 64 }).notNull().unique(),
  },
  (t) => [index('custody_log_booking_idx').on(t.bookingId, t.seq)],
);

export type CustodyEntry = typeof custodyLog.$inferSelect;
