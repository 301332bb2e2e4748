import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgSequence,
  pgTable,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import type { Geometry, MultiPolygon, Polygon } from 'geojson';

export const vehicleTypeEnum = pgEnum('vehicle_type', ['bike', 'ecar']);
export type VehicleType = (typeof vehicleTypeEnum.enumValues)[number];

/**
 * How a cancellation is refunded: `full` always refunds everything; `fee_after_ready` refunds in
 * full until the document has arrived and keeps the cancellation fee afterwards (the courier slot
 * and the office's handling are then already spent); `fee` always keeps the fee.
 */
export const refundPolicyEnum = pgEnum('refund_policy', ['full', 'fee_after_ready', 'fee']);
export type RefundPolicy = (typeof refundPolicyEnum.enumValues)[number];

export const offices = pgTable(
  'offices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: varchar('slug', { length: 64 }).notNull().unique(),
    name: varchar('name', { length: 200 }).notNull(),
    addressLine: varchar('address_line', { length: 300 }).notNull(),
    /** GeoJSON [lng, lat] of the office: the depot of every route. */
    location: jsonb('location').$type<[number, number]>().notNull(),
    timezone: varchar('timezone', { length: 64 }).notNull().default('Europe/Berlin'),
    /** Prefix of this office's Kassenzeichen (payment references), e.g. "STR-BB1". */
    kassenzeichenPrefix: varchar('kassenzeichen_prefix', { length: 16 }).notNull(),
    refundPolicy: refundPolicyEnum('refund_policy').notNull().default('fee_after_ready'),
    cancellationFeeCents: integer('cancellation_fee_cents').notNull().default(0),
    deliveryAttemptLimit: integer('delivery_attempt_limit').notNull().default(2),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('offices_fee_nonnegative', sql`${t.cancellationFeeCents} >= 0`),
    check('offices_attempt_limit', sql`${t.deliveryAttemptLimit} between 1 and 5`),
  ],
);

export const serviceZones = pgTable(
  'service_zones',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    name: varchar('name', { length: 200 }).notNull(),
    geometry: jsonb('geometry').$type<Polygon | MultiPolygon>().notNull(),
    vehicleTypes: vehicleTypeEnum('vehicle_types').array().notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('service_zones_office_idx').on(t.officeId)],
);

export const tariffs = pgTable(
  'tariffs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    zoneId: uuid('zone_id')
      .notNull()
      .references(() => serviceZones.id),
    vehicleType: vehicleTypeEnum('vehicle_type').notNull(),
    amountCents: integer('amount_cents').notNull(),
    currency: varchar('currency', { length: 3 }).notNull().default('EUR'),
    validFrom: timestamp('valid_from', { withTimezone: true }).notNull(),
    validTo: timestamp('valid_to', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('tariffs_zone_vehicle_from_uq').on(t.zoneId, t.vehicleType, t.validFrom),
    check('tariffs_amount_positive', sql`${t.amountCents} > 0`),
    check('tariffs_valid_range', sql`${t.validTo} is null or ${t.validTo} > ${t.validFrom}`),
  ],
);

export type Office = typeof offices.$inferSelect;
export type ServiceZone = typeof serviceZones.$inferSelect;
export type Tariff = typeof tariffs.$inferSelect;
export type { Geometry };

/** Numbers the Kassenzeichen of all offices; gaps (rolled-back bookings) are harmless. */
export const kassenzeichenSeq = pgSequence('kassenzeichen_seq', { startWith: 1000 });
