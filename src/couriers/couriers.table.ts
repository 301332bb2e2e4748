import { sql } from 'drizzle-orm';
import { check, index, integer, pgEnum, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { vehicleTypeEnum } from '../offices/offices.table.ts';

export const courierCompanyStatusEnum = pgEnum('courier_company_status', ['active', 'suspended']);
export type CourierCompanyStatus = (typeof courierCompanyStatusEnum.enumValues)[number];

/**
 * A courier company the city has a contract with: the vehicles it runs, the zones it serves,
 * what it may invoice per delivered job and per failed attempt (integer cents), and where its
 * webhooks go. A suspended company gets no offers and its key opens nothing.
 */
export const courierCompanies = pgTable(
  'courier_companies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: varchar('name', { length: 200 }).notNull(),
    vehicleTypes: vehicleTypeEnum('vehicle_types').array().notNull(),
    /** Service zones (of any office) the company delivers in. */
    zoneIds: uuid('zone_ids').array().notNull(),
    pricePerDeliveryCents: integer('price_per_delivery_cents').notNull(),
    pricePerFailedAttemptCents: integer('price_per_failed_attempt_cents').notNull(),
    contactName: varchar('contact_name', { length: 200 }).notNull(),
    contactEmail: varchar('contact_email', { length: 254 }).notNull(),
    contactPhone: varchar('contact_phone', { length: 30 }),
    webhookUrl: varchar('webhook_url', { length: 2048 }),
    /** Set when the receiver answered 410 Gone: no deliveries until an admin enables it again (events wait). */
    webhookDisabledAt: timestamp('webhook_disabled_at', { withTimezone: true }),
    webhookDisabledReason: varchar('webhook_disabled_reason', { length: 200 }),
    status: courierCompanyStatusEnum('status').notNull().default('active'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('courier_companies_prices', sql`${t.pricePerDeliveryCents} >= 0 and ${t.pricePerFailedAttemptCents} >= 0`),
    check('courier_companies_vehicles', sql`cardinality(${t.vehicleTypes}) > 0`),
  ],
);

/** API keys of a company, stored as SHA-256 hashes: the key itself is shown once, at creation. */
export const courierApiKeys = pgTable(
  'courier_api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => courierCompanies.id),
    keyHash: varchar('key_hash', { length: 64 }).notNull().unique(),
    /** The first characters, so a person can tell keys apart without seeing one. */
    prefix: varchar('prefix', { length: 24 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('courier_api_keys_company_idx').on(t.companyId)],
);

/**
 * Standard Webhooks signing secrets (`whsec_…`). Kept (not hashed): signing needs them. After a
 * rotation the previous secret keeps signing until `retiresAt`, so a company can switch without
 * losing an event (the spec's space-separated signatures carry both).
 */
export const courierSigningSecrets = pgTable(
  'courier_signing_secrets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => courierCompanies.id),
    secret: varchar('secret', { length: 100 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    retiresAt: timestamp('retires_at', { withTimezone: true }),
  },
  (t) => [index('courier_signing_secrets_company_idx').on(t.companyId)],
);

export type CourierCompany = typeof courierCompanies.$inferSelect;
export type CourierSigningSecret = typeof courierSigningSecrets.$inferSelect;
