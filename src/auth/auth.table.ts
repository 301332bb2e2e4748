import { sql } from 'drizzle-orm';
import { boolean, check, index, pgEnum, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { offices } from '../offices/offices.table.ts';

export const staffRoleEnum = pgEnum('staff_role', ['clerk', 'supervisor', 'finance', 'admin']);
export type StaffRole = (typeof staffRoleEnum.enumValues)[number];
export const STAFF_ROLES = staffRoleEnum.enumValues;

export const staffUsers = pgTable(
  'staff_users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Stored lower-case; unique across the city. */
    username: varchar('username', { length: 64 }).notNull().unique(),
    displayName: varchar('display_name', { length: 200 }).notNull(),
    passwordHash: varchar('password_hash', { length: 255 }).notNull(),
    roles: staffRoleEnum('roles').array().notNull(),
    /** Clerks and supervisors work for one office; null means city-wide (finance, admin). */
    officeId: uuid('office_id').references(() => offices.id),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
  },
  (t) => [check('staff_users_has_role', sql`cardinality(${t.roles}) > 0`)],
);

export const staffSessions = pgTable(
  'staff_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    staffUserId: uuid('staff_user_id')
      .notNull()
      .references(() => staffUsers.id),
    /** SHA-256 of the bearer token: a database leak does not hand out sessions. */
    tokenHash: varchar('token_hash', { length: 64 }).notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('staff_sessions_user_idx').on(t.staffUserId)],
);

export type StaffUser = typeof staffUsers.$inferSelect;
