import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgEnum, pgTable, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { bookings } from '../bookings/bookings.table.ts';

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
    amountCents: integer('amount_cents').notNull(),
    currency: varchar('currency', { length: 3 }).notNull().default('EUR'),
    status: varchar('status', { length: 40 }).notNull().default('creating'),
    kassenzeichen: varchar('kassenzeichen', { length: 40 }).notNull(),
    latestChargeId: varchar('latest_charge_id', { length: 255 }),
    amountRefundedCents: integer('amount_refunded_cents').notNull().default(0),
    disputed: boolean('disputed').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('payments_refund_bounds', sql`${t.amountRefundedCents} between 0 and ${t.amountCents}`)],
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
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('refunds_pending_idx')
      .on(t.createdAt)
      .where(sql`${t.status} = 'pending'`),
    check('refunds_amount_positive', sql`${t.amountCents} > 0`),
  ],
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

export type Payment = typeof payments.$inferSelect;
export type Refund = typeof refunds.$inferSelect;
