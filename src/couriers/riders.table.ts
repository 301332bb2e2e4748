import { boolean, index, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { courierCompanies } from './couriers.table.ts';

/**
 * The riders of a courier company that has no system of its own: they sign in to the rider app
 * under /kurier and report from the door there. The company creates and deactivates them with
 * its API key; a rider acts only for that company.
 */
export const courierRiders = pgTable(
  'courier_riders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => courierCompanies.id),
    /** Stored lower-case; unique across all companies, since the sign-in page asks for nothing else. */
    username: varchar('username', { length: 64 }).notNull().unique(),
    displayName: varchar('display_name', { length: 100 }).notNull(),
    passwordHash: varchar('password_hash', { length: 255 }).notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true }),
  },
  (t) => [index('courier_riders_company_idx').on(t.companyId)],
);

/** A signed-in rider's session: only the SHA-256 of its token is kept, so a database copy grants nothing. */
export const courierRiderSessions = pgTable(
  'courier_rider_sessions',
  {
    tokenHash: varchar('token_hash', { length: 64 }).primaryKey(),
    riderId: uuid('rider_id')
      .notNull()
      .references(() => courierRiders.id),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('courier_rider_sessions_rider_idx').on(t.riderId)],
);

export type CourierRider = typeof courierRiders.$inferSelect;
