import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { offices, serviceZones, tariffs, vehicleTypeEnum } from '../offices/offices.table.ts';
import { quotes } from '../quotes/quotes.table.ts';
import { BOOKING_STATUSES } from './booking-status.ts';
import { custodyHolderEnum } from '../custody/custody-holder.ts';

export const bookingStatusEnum = pgEnum('booking_status', BOOKING_STATUSES);
export const documentTypeEnum = pgEnum('document_type', ['id_card', 'passport', 'eid_card', 'child_passport']);
export const actorTypeEnum = pgEnum('actor_type', ['citizen', 'staff', 'stripe', 'system', 'courier']);

export const BOOKING_LOCALES = ['de', 'en'] as const;
export type BookingLocale = (typeof BOOKING_LOCALES)[number];

export interface Recipient {
  name: string;
  phone: string;
  email?: string;
}
export interface PostalAddress {
  street: string;
  houseNumber: string;
  addressLine2?: string;
  postalCode: string;
  city: string;
}
export interface DeliveryWindow {
  start: string;
  end: string;
}
export interface Consent {
  powerOfAttorney: true;
  /** Version of the Vollmacht text the citizen agreed to. */
  textVersion: string;
  consentedAt: string;
}

export const bookings = pgTable(
  'bookings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    quoteId: uuid('quote_id')
      .notNull()
      .references(() => quotes.id),
    applicationNumber: varchar('application_number', { length: 32 }).notNull(),
    documentType: documentTypeEnum('document_type').notNull(),
    recipient: jsonb('recipient').$type<Recipient>().notNull(),
    address: jsonb('address').$type<PostalAddress>().notNull(),
    location: jsonb('location').$type<[number, number]>().notNull(),
    vehicleType: vehicleTypeEnum('vehicle_type').notNull(),
    zoneId: uuid('zone_id')
      .notNull()
      .references(() => serviceZones.id),
    tariffId: uuid('tariff_id')
      .notNull()
      .references(() => tariffs.id),
    amountCents: integer('amount_cents').notNull(),
    currency: varchar('currency', { length: 3 }).notNull().default('EUR'),
    preferredWindows: jsonb('preferred_windows').$type<DeliveryWindow[]>().notNull(),
    consent: jsonb('consent').$type<Consent>().notNull(),
    status: bookingStatusEnum('status').notNull(),
    /** The language the citizen chose for messages (notifications); German unless they chose English. */
    locale: varchar('locale', { length: 5 }).$type<BookingLocale>().notNull().default('de'),
    kassenzeichen: varchar('kassenzeichen', { length: 40 }).notNull().unique(),
    /** SHA-256 of the citizen's tracking token; the token itself is only ever shown to the citizen. */
    trackingTokenHash: varchar('tracking_token_hash', { length: 64 }).notNull().unique(),
    paymentDeadline: timestamp('payment_deadline', { withTimezone: true }).notNull(),
    deliveryAttempts: integer('delivery_attempts').notNull().default(0),
    /**
     * ID cards and eID cards: the citizen confirmed (with the tracking token) that the PIN letter
     * arrived by post. Until then the booking is neither planned nor handed over (§ 13 PAuswG).
     */
    pinLetterConfirmedAt: timestamp('pin_letter_confirmed_at', { withTimezone: true }),
    /** Who holds the document now; kept with the custody log in one transaction. Null before it arrived. */
    custodyHolder: custodyHolderEnum('custody_holder'),
    createdByStaffId: uuid('created_by_staff_id'),
    /** Set when the personal data was removed after the retention period (see housekeeping). */
    anonymisedAt: timestamp('anonymised_at', { withTimezone: true }),
    /** Millisecond precision, like a JS Date, so a list cursor holds the exact value (no lost rows). */
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The list's order is (created_at, id) descending, with or without an office and a status:
    // an index for each, so the first page and every later one read only the rows they show.
    index('bookings_office_status_idx').on(t.officeId, t.status, t.createdAt, t.id),
    index('bookings_office_created_idx').on(t.officeId, t.createdAt, t.id),
    index('bookings_created_idx').on(t.createdAt, t.id),
    index('bookings_application_idx').on(t.applicationNumber),
    index('bookings_deadline_idx')
      .on(t.paymentDeadline)
      .where(sql`${t.status} = 'awaiting_payment'`),
    // One live delivery per application: a second booking for the same document is a mistake.
    uniqueIndex('bookings_live_application_uq')
      .on(t.officeId, t.applicationNumber)
      .where(sql`${t.status} not in ('cancelled', 'expired')`),
    check('bookings_amount_positive', sql`${t.amountCents} > 0`),
  ],
);

export const bookingEvents = pgTable(
  'booking_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id),
    fromStatus: bookingStatusEnum('from_status'),
    toStatus: bookingStatusEnum('to_status').notNull(),
    actorType: actorTypeEnum('actor_type').notNull(),
    actorId: varchar('actor_id', { length: 100 }),
    reason: text('reason'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('booking_events_booking_idx').on(t.bookingId, t.id)],
);

/**
 * Why a booking that has not left the office must stay there until a person (or Stripe) decides:
 * its payment does not match it, its money was refunded at Stripe, or the payment is disputed.
 */
export const HOLD_REASONS = ['payment_mismatch', 'refunded_at_stripe', 'dispute'] as const;
export const holdReasonEnum = pgEnum('hold_reason', HOLD_REASONS);
export type HoldReason = (typeof HOLD_REASONS)[number];

/**
 * A hold keeps the booking's status as it is and stops it from moving on: an open hold is not
 * planned, not expired and not handed over. It is released by a finance officer's decision
 * (continue or cancel) or by Stripe (a dispute won).
 */
export const bookingHolds = pgTable(
  'booking_holds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id),
    reason: holdReasonEnum('reason').notNull(),
    placedAt: timestamp('placed_at', { withTimezone: true }).notNull().defaultNow(),
    releasedAt: timestamp('released_at', { withTimezone: true }),
    /** A staff id, or `stripe:<event id>` when Stripe's news released it. */
    releasedBy: varchar('released_by', { length: 300 }),
    resolution: varchar('resolution', { length: 40 }),
    comment: text('comment'),
  },
  (t) => [
    index('booking_holds_booking_idx').on(t.bookingId),
    // One open hold per reason: a redelivered event or a second dispute event adds nothing.
    uniqueIndex('booking_holds_open_uq')
      .on(t.bookingId, t.reason)
      .where(sql`${t.releasedAt} is null`),
  ],
);

export type Booking = typeof bookings.$inferSelect;
export type BookingHold = typeof bookingHolds.$inferSelect;
export type BookingEvent = typeof bookingEvents.$inferSelect;
