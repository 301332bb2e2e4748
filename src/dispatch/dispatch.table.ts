import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { bookings } from '../bookings/bookings.table.ts';
import { courierCompanies } from '../couriers/couriers.table.ts';
import { courierShifts, planRoutes } from '../planning/planning.table.ts';

export const OFFER_STATUSES = ['open', 'accepted', 'declined', 'expired', 'withdrawn'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];
export const offerStatusEnum = pgEnum('route_offer_status', OFFER_STATUSES);

/**
 * A route offered to one company: open until it answers or the deadline passes. At most one open
 * offer per route; a decline or silence makes the next offer (to the next company that fits).
 */
export const routeOffers = pgTable(
  'route_offers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    routeId: uuid('route_id')
      .notNull()
      .references(() => planRoutes.id, { onDelete: 'cascade' }),
    companyId: uuid('company_id')
      .notNull()
      .references(() => courierCompanies.id),
    shiftId: uuid('shift_id')
      .notNull()
      .references(() => courierShifts.id),
    status: offerStatusEnum('status').notNull().default('open'),
    offeredAt: timestamp('offered_at', { withTimezone: true }).notNull(),
    deadline: timestamp('deadline', { withTimezone: true }).notNull(),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    declineReason: varchar('decline_reason', { length: 500 }),
  },
  (t) => [
    uniqueIndex('route_offers_open_uq')
      .on(t.routeId)
      .where(sql`${t.status} = 'open'`),
    index('route_offers_company_idx').on(t.companyId, t.offeredAt),
    index('route_offers_deadline_idx')
      .on(t.deadline)
      .where(sql`${t.status} = 'open'`),
  ],
);

/**
 * Each inbound courier event id is applied once: the row is written in the same transaction as
 * the event's effect, so a redelivery finds it and changes nothing.
 */
export const inboundCourierEvents = pgTable(
  'inbound_courier_events',
  {
    companyId: uuid('company_id')
      .notNull()
      .references(() => courierCompanies.id),
    eventId: varchar('event_id', { length: 100 }).notNull(),
    type: varchar('type', { length: 40 }).notNull(),
    routeId: uuid('route_id'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    /** `applied`, or why nothing changed (`stale`: the delivery had already moved on). */
    outcome: varchar('outcome', { length: 40 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.eventId] }), index('inbound_courier_events_route_idx').on(t.routeId)],
);

export const IDENTITY_METHODS = ['photo_comparison', 'second_id_document', 'signature_comparison', 'parental_custody'] as const;
export type IdentityMethod = (typeof IDENTITY_METHODS)[number];

/**
 * The identity check at the door, as the company reported it: what was checked, the outcome, the
 * courier and the position. No photos and no document numbers: the check does not need them.
 */
export const identityChecks = pgTable(
  'identity_checks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id),
    routeId: uuid('route_id').notNull(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => courierCompanies.id),
    /** The delivery attempt (1-based) the check belongs to. */
    attempt: integer('attempt').notNull(),
    methods: varchar('methods', { length: 40 }).array().notNull(),
    /** As reported; `passed` only counts when the office's required methods were used. */
    reportedResult: varchar('reported_result', { length: 10 }).notNull(),
    passed: boolean('passed').notNull(),
    checkedAt: timestamp('checked_at', { withTimezone: true }).notNull(),
    courierRef: varchar('courier_ref', { length: 100 }).notNull(),
    lng: doublePrecision('lng').notNull(),
    lat: doublePrecision('lat').notNull(),
    accuracyMetres: integer('accuracy_metres').notNull(),
    /** From the reported position to the delivery address (@turf/turf). */
    distanceMetres: integer('distance_metres').notNull(),
    /** Beyond the office's geofence: a supervisor looks at it. */
    flaggedForReview: boolean('flagged_for_review').notNull(),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    reviewedByStaffId: uuid('reviewed_by_staff_id'),
    oldDocumentCollected: boolean('old_document_collected').notNull(),
    recipientConfirmed: boolean('recipient_confirmed').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('identity_checks_booking_idx').on(t.bookingId),
    index('identity_checks_review_idx')
      .on(t.checkedAt)
      .where(sql`${t.flaggedForReview} and ${t.reviewedAt} is null`),
    check('identity_checks_accuracy', sql`${t.accuracyMetres} >= 0`),
  ],
);

/**
 * Every delivery attempt at the door, delivered or failed, with the company that made it and the
 * price its contract gave for it at that moment: the refund policy reads who caused a failure, the
 * courier invoice check adds up what a company may invoice. `not_reported`: the document came
 * back without a report from the door (counted as a failed attempt, the company's fault by default).
 */
export const deliveryAttempts = pgTable(
  'delivery_attempts',
  {
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id),
    /** 1-based, as `bookings.delivery_attempts` counts them. */
    attempt: integer('attempt').notNull(),
    routeId: uuid('route_id').notNull(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => courierCompanies.id),
    outcome: varchar('outcome', { length: 10 }).$type<'delivered' | 'failed'>().notNull(),
    /** A courier event's failure reason, or `not_reported`; null when delivered. */
    reason: varchar('reason', { length: 40 }),
    /** The company's contracted price for this outcome when it happened (integer cents). */
    priceCents: integer('price_cents').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.bookingId, t.attempt] }),
    index('delivery_attempts_company_idx').on(t.companyId, t.occurredAt),
    check('delivery_attempts_price', sql`${t.priceCents} >= 0`),
  ],
);

export type DeliveryAttempt = typeof deliveryAttempts.$inferSelect;
export type RouteOffer = typeof routeOffers.$inferSelect;
export type IdentityCheck = typeof identityChecks.$inferSelect;
