import { index, jsonb, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
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
 * live forever. The street address itself is not stored here: only its postal code and city, and
 * a fingerprint of the whole address, so the booking must name the address that was quoted.
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
    postalCode: varchar('postal_code', { length: 5 }),
    city: varchar('city', { length: 80 }),
    /** SHA-256 of the normalised street, house number, postal code and city (see address-match.ts). */
    addressHash: varchar('address_hash', { length: 64 }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('quotes_expires_idx').on(t.expiresAt)],
);

export type Quote = typeof quotes.$inferSelect;
