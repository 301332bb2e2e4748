import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  primaryKey,
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

/** Who answers for a failed attempt: the courier company's fault refunds in full, the citizen's does not. */
export type AttemptFault = 'courier' | 'citizen';

/**
 * An office's refund rules beyond cancellation (see `refund_policy` for that): which failure
 * reasons are the courier company's fault, and what a citizen gets back when every attempt failed
 * through them (`none`, or everything but the cancellation fee). Reasons not listed count as the
 * company's fault, so a new reason never silently keeps a citizen's money.
 */
export interface RefundRules {
  faultByReason: Record<string, AttemptFault>;
  citizenFault: 'none' | 'minus_fee';
}

export const DEFAULT_REFUND_RULES: RefundRules = {
  faultByReason: {
    not_home: 'citizen',
    refused: 'citizen',
    identity_mismatch: 'citizen',
    address_not_found: 'courier',
    other: 'courier',
    not_reported: 'courier',
  },
  citizenFault: 'none',
};

/**
 * Accounting columns of an office's finance exports (DATEV and CSV); each unset key falls back to
 * the platform's defaults (`FINANCE_ACCOUNTS`). Accounts are strings: leading zeros matter.
 */
export interface FinanceAccounts {
  revenueAccount?: string;
  feeAccount?: string;
  clearingAccount?: string;
  courierExpenseAccount?: string;
  costCentre?: string;
}

/** The German states (Bundesländer), whose public holidays decide the days without delivery. */
export const GERMAN_STATES = ['BW', 'BY', 'BE', 'BB', 'HB', 'HH', 'HE', 'MV', 'NI', 'NW', 'RP', 'SL', 'SN', 'ST', 'SH', 'TH'] as const;
export type GermanState = (typeof GERMAN_STATES)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** Office-local times `HH:MM`; a day may have several spans (a lunch break) or none. */
export interface TimeSpan {
  start: string;
  end: string;
}
export type WeeklyHours = Record<Weekday, TimeSpan[]>;

/** Couriers deliver on weekdays into the evening (people work) and on Saturday mornings. */
export const DEFAULT_DELIVERY_HOURS: WeeklyHours = {
  mon: [{ start: '08:00', end: '20:00' }],
  tue: [{ start: '08:00', end: '20:00' }],
  wed: [{ start: '08:00', end: '20:00' }],
  thu: [{ start: '08:00', end: '20:00' }],
  fri: [{ start: '08:00', end: '20:00' }],
  sat: [{ start: '09:00', end: '14:00' }],
  sun: [],
};

/**
 * What the platform does with a payment that does not match its booking, a full refund made at
 * Stripe, or a lost dispute: `hold` keeps the booking for a finance officer to decide;
 * `automatic` refunds a mismatched payment and cancels, and cancels a booking whose money is gone.
 */
export const paymentIssueHandlingEnum = pgEnum('payment_issue_handling', ['hold', 'automatic']);
export type PaymentIssueHandling = (typeof paymentIssueHandlingEnum.enumValues)[number];

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
    /** Bundesland: its public holidays have no delivery. */
    state: varchar('state', { length: 2 }).$type<GermanState>().notNull().default('BW'),
    deliveryHours: jsonb('delivery_hours').$type<WeeklyHours>().notNull().default(DEFAULT_DELIVERY_HOURS),
    /** Postal codes the office delivers to; a quote for any other is refused. Empty: not checked. */
    postalCodes: varchar('postal_codes', { length: 5 })
      .array()
      .notNull()
      .default(sql`'{}'::varchar[]`),
    paymentIssueHandling: paymentIssueHandlingEnum('payment_issue_handling').notNull().default('hold'),
    refundRules: jsonb('refund_rules').$type<RefundRules>().notNull().default(DEFAULT_REFUND_RULES),
    financeAccounts: jsonb('finance_accounts').$type<FinanceAccounts>().notNull().default({}),
    /**
     * Counts every change of the office's zones and tariffs (the repository bumps it with the
     * change). Every API process keeps priced zones cached per office and version, so a quote reads
     * one office row instead of parsing every polygon, and no process prices with a stale zone.
     */
    pricingVersion: integer('pricing_version').notNull().default(0),
    /**
     * Counts every change of the office row and of its closing days, kept by triggers (migration
     * 0020), so no code path can change the office without it. A quote is priced from the office
     * an API process keeps in memory and inserted only if the revision is still the one it priced
     * with, in the same statement (quotes.repository.ts): one round trip per quote, never a quote
     * from a stale office.
     */
    revision: integer('revision').notNull().default(0),
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

/** Days an office delivers nothing beyond the state's public holidays (a local holiday, a closure). */
export const officeClosures = pgTable(
  'office_closures',
  {
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    /** Office-local calendar date. */
    date: date('date', { mode: 'string' }).notNull(),
    reason: varchar('reason', { length: 200 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.officeId, t.date] })],
);

export type Office = typeof offices.$inferSelect;
export type OfficeClosure = typeof officeClosures.$inferSelect;
export type ServiceZone = typeof serviceZones.$inferSelect;
export type Tariff = typeof tariffs.$inferSelect;
export type { Geometry };

/** Numbers the Kassenzeichen of all offices; gaps (rolled-back bookings) are harmless. */
export const kassenzeichenSeq = pgSequence('kassenzeichen_seq', { startWith: 1000 });
