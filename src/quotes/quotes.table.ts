import { index, jsonb, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import { offices } from '../offices/offices.table.ts';

export interface QuoteOption {
  vehicleType: 'bike' | 'ecar';
  zoneId: string;
  tariffId: string;
  amountCents: number;
  currency: 'EUR';
}

/**
 * A price offer for one address. Bookings are made from a quote so that the price the citizen saw
 * is the price charged, even if a tariff changes in between; quotes expire so old prices do not
 * live forever. The address itself is not stored here: it arrives again with the booking.
 */
export const quotes = pgTable(
  'quotes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    location: jsonb('location').$type<[number, number]>().notNull(),
    options: jsonb('options').$type<QuoteOption[]>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('quotes_expires_idx').on(t.expiresAt)],
);

export type Quote = typeof quotes.$inferSelect;
