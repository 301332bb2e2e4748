import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { bookingHolds, bookings } from '../bookings/bookings.table.ts';

export const refundStatusEnum = pgEnum('refund_status', ['pending', 'succeeded', 'failed']);

/** One Stripe PaymentIntent per booking. `status` mirrors the PaymentIntent's last known status. */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    bookingId: uuid('booking_id')
      .notNull()
      .unique()
      .references(() => bookings.id),
    paymentIntentId: varchar('payment_intent_id', { length: 255 }).unique(),
    /** The Stripe Checkout Session the citizen pays on, when the booking pays through Checkout; its PaymentIntent is known once paid. */
    checkoutSessionId: varchar('checkout_session_id', { length: 255 }).unique(),
    amountCents: integer('amount_cents').notNull(),
    currency: varchar('currency', { length: 3 }).notNull().default('EUR'),
    status: varchar('status', { length: 40 }).notNull().default('creating'),
    kassenzeichen: varchar('kassenzeichen', { length: 40 }).notNull(),
    latestChargeId: varchar('latest_charge_id', { length: 255 }),
    /** What Stripe says it received; differs from amountCents only in a payment discrepancy. */
    amountReceivedCents: integer('amount_received_cents'),
    amountRefundedCents: integer('amount_refunded_cents').notNull().default(0),
    disputed: boolean('disputed').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      'payments_refund_bounds',
      sql`${t.amountRefundedCents} between 0 and greatest(${t.amountCents}, coalesce(${t.amountReceivedCents}, 0))`,
    ),
  ],
);

/**
 * A refund the platform owes. The row is written in the same transaction as the decision (a
 * cancellation, a payment that arrived for a cancelled booking) and carried out afterwards with
 * the row id as Stripe idempotency key, so a crash in between neither loses nor doubles it.
 */
export const refunds = pgTable(
  'refunds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    paymentId: uuid('payment_id')
      .notNull()
      .references(() => payments.id),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id),
    amountCents: integer('amount_cents').notNull(),
    reason: varchar('reason', { length: 100 }).notNull(),
    status: refundStatusEnum('status').notNull().default('pending'),
    stripeRefundId: varchar('stripe_refund_id', { length: 255 }).unique(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('refunds_pending_idx')
      .on(t.createdAt)
      .where(sql`${t.status} = 'pending'`),
    check('refunds_amount_positive', sql`${t.amountCents} > 0`),
  ],
);

export const REFUND_RULES = [
  /** Cancelled before the handover: the office's cancellation policy (`refund_policy`, fee). */
  'cancelled_before_handover',
  /** Returned to the office after an attempt that failed through the courier company: everything back. */
  'courier_fault',
  /** Returned to the office after every attempt failed through the citizen (not at home, refused). */
  'citizen_fault',
  /** Delivered: nothing is owed. */
  'delivered',
  /** A dispute was lost: the bank already gave the money back, a refund on top would pay twice. */
  'dispute_lost',
] as const;
export type RefundRule = (typeof REFUND_RULES)[number];

/**
 * What the platform owes a booking's payer back, decided by code from the booking's history when
 * it ends (`rule`, `policyAmountCents`, `reason` in plain words) and, where a person disagreed,
 * overridden with a comment (audited). `amountCents` is what is owed in total; refunds rows carry
 * it out. One per booking: a later decision (a dispute lost after a cancellation) replaces the rule.
 */
export const refundDecisions = pgTable(
  'refund_decisions',
  {
    bookingId: uuid('booking_id')
      .primaryKey()
      .references(() => bookings.id),
    rule: varchar('rule', { length: 40 }).$type<RefundRule>().notNull(),
    reason: varchar('reason', { length: 500 }).notNull(),
    policyAmountCents: integer('policy_amount_cents').notNull(),
    amountCents: integer('amount_cents').notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    overriddenByStaffId: uuid('overridden_by_staff_id'),
    overriddenAt: timestamp('overridden_at', { withTimezone: true, precision: 3 }),
    overrideComment: varchar('override_comment', { length: 2000 }),
  },
  (t) => [check('refund_decisions_amounts', sql`${t.amountCents} >= 0 and ${t.policyAmountCents} >= 0`)],
);

/** Stripe event ids already applied: each is inserted in the transaction that applies it. */
export const stripeEvents = pgTable('stripe_events', {
  id: varchar('id', { length: 255 }).primaryKey(),
  type: varchar('type', { length: 100 }).notNull(),
  objectId: varchar('object_id', { length: 255 }),
  stripeCreatedAt: timestamp('stripe_created_at', { withTimezone: true }).notNull(),
  processedAt: timestamp('processed_at', { withTimezone: true }).notNull().defaultNow(),
  outcome: varchar('outcome', { length: 100 }).notNull(),
});

/** A dispute (chargeback) of a booking's charge, as Stripe last reported it. */
export const paymentDisputes = pgTable(
  'payment_disputes',
  {
    /** Stripe's dispute id (`dp_…`). */
    id: varchar('id', { length: 255 }).primaryKey(),
    paymentId: uuid('payment_id')
      .notNull()
      .references(() => payments.id),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id),
    amountCents: integer('amount_cents').notNull(),
    currency: varchar('currency', { length: 3 }).notNull(),
    reason: varchar('reason', { length: 100 }).notNull(),
    /** Stripe's dispute status: needs_response, under_review, won, lost, … */
    status: varchar('status', { length: 40 }).notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('payment_disputes_payment_idx').on(t.paymentId)],
);

export const DISCREPANCY_KINDS = [
  'amount_mismatch',
  'currency_mismatch',
  'metadata_mismatch',
  'unknown_payment_intent',
  'refund_outside_platform',
  'dispute_opened',
  'dispute_lost',
] as const;
export const discrepancyKindEnum = pgEnum('payment_discrepancy_kind', DISCREPANCY_KINDS);
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

/** What the platform did about a discrepancy when it found it. */
export const DISCREPANCY_ACTIONS = ['held', 'refunded', 'cancelled', 'recorded'] as const;
export type DiscrepancyAction = (typeof DISCREPANCY_ACTIONS)[number];

/**
 * Money that does not match what the platform expects, for the finance office to see and mark
 * resolved. Amounts are integer cents; facts hold ids and codes only, never personal data.
 */
export const paymentDiscrepancies = pgTable(
  'payment_discrepancies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Identifies the fact, so the same news (a redelivered or repeated event) is recorded once. */
    dedupeKey: varchar('dedupe_key', { length: 300 }).notNull().unique(),
    kind: discrepancyKindEnum('kind').notNull(),
    paymentId: uuid('payment_id').references(() => payments.id),
    bookingId: uuid('booking_id').references(() => bookings.id),
    officeId: uuid('office_id'),
    kassenzeichen: varchar('kassenzeichen', { length: 40 }),
    /** The Stripe object the news is about (PaymentIntent, charge or dispute id). */
    stripeObjectId: varchar('stripe_object_id', { length: 255 }),
    expectedAmountCents: integer('expected_amount_cents'),
    actualAmountCents: integer('actual_amount_cents'),
    expectedCurrency: varchar('expected_currency', { length: 3 }),
    actualCurrency: varchar('actual_currency', { length: 3 }),
    action: varchar('action', { length: 20 }).$type<DiscrepancyAction>().notNull(),
    /** The booking hold this discrepancy placed, if any: deciding on the hold resolves it. */
    holdId: uuid('hold_id').references(() => bookingHolds.id),
    facts: jsonb('facts').$type<Record<string, string | number | boolean | null>>().notNull().default({}),
    detectedAt: timestamp('detected_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    /** A staff id, or `stripe:<event id>` when Stripe's news settled it (a dispute won). */
    resolvedBy: varchar('resolved_by', { length: 300 }),
    resolutionComment: text('resolution_comment'),
  },
  (t) => [
    index('payment_discrepancies_open_idx')
      .on(t.detectedAt)
      .where(sql`${t.resolvedAt} is null`),
    index('payment_discrepancies_booking_idx').on(t.bookingId),
  ],
);

export type Payment = typeof payments.$inferSelect;
export type PaymentDispute = typeof paymentDisputes.$inferSelect;
export type PaymentDiscrepancy = typeof paymentDiscrepancies.$inferSelect;
export type Refund = typeof refunds.$inferSelect;
export type RefundDecision = typeof refundDecisions.$inferSelect;
