import { bigint, boolean, index, pgTable, timestamp, varchar } from 'drizzle-orm/pg-core';

/**
 * Stripe's ledger as last imported: one row per balance transaction, keyed by Stripe's id, so a
 * second import of the same range updates rows instead of adding them. Amounts are Stripe's
 * (smallest currency unit, signed: a refund or a payout is negative); bigint because a payout can
 * outgrow 32 bits. `reportingCategory` is what lines are classified by, not `type`.
 */
export const stripeBalanceTransactions = pgTable(
  'stripe_balance_transactions',
  {
    id: varchar('id', { length: 255 }).primaryKey(),
    type: varchar('type', { length: 60 }).notNull(),
    reportingCategory: varchar('reporting_category', { length: 60 }).notNull(),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    feeCents: bigint('fee_cents', { mode: 'number' }).notNull(),
    netCents: bigint('net_cents', { mode: 'number' }).notNull(),
    currency: varchar('currency', { length: 3 }).notNull(),
    /** The charge, refund, dispute or payout the line is about. */
    sourceId: varchar('source_id', { length: 255 }),
    /**
     * What the source is about, read with `expand[]=data.source` at import: the charge and its
     * PaymentIntent, and the metadata the platform put on it, so matching needs no further call.
     */
    chargeId: varchar('charge_id', { length: 255 }),
    paymentIntentId: varchar('payment_intent_id', { length: 255 }),
    metadataBookingId: varchar('metadata_booking_id', { length: 100 }),
    metadataKassenzeichen: varchar('metadata_kassenzeichen', { length: 40 }),
    /** The automatic payout that paid the line out, once one did (from `balance_transactions?payout=`). */
    payoutId: varchar('payout_id', { length: 255 }),
    status: varchar('status', { length: 20 }).notNull(),
    availableOn: timestamp('available_on', { withTimezone: true }).notNull(),
    stripeCreatedAt: timestamp('stripe_created_at', { withTimezone: true }).notNull(),
    importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('stripe_bt_source_idx').on(t.sourceId),
    index('stripe_bt_payout_idx').on(t.payoutId),
    index('stripe_bt_created_idx').on(t.stripeCreatedAt),
    index('stripe_bt_payment_intent_idx').on(t.paymentIntentId),
  ],
);

/** Stripe payouts to the city's bank account, as last imported. */
export const stripePayouts = pgTable(
  'stripe_payouts',
  {
    id: varchar('id', { length: 255 }).primaryKey(),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    currency: varchar('currency', { length: 3 }).notNull(),
    status: varchar('status', { length: 20 }).notNull(),
    automatic: boolean('automatic').notNull(),
    arrivalDate: timestamp('arrival_date', { withTimezone: true }).notNull(),
    failureCode: varchar('failure_code', { length: 100 }),
    /** The payout's own balance transaction (negative amount). */
    balanceTransactionId: varchar('balance_transaction_id', { length: 255 }),
    reconciliationStatus: varchar('reconciliation_status', { length: 20 }),
    stripeCreatedAt: timestamp('stripe_created_at', { withTimezone: true }).notNull(),
    importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('stripe_payouts_created_idx').on(t.stripeCreatedAt)],
);

/** Refunds as Stripe last reported them (including those made in Stripe's dashboard, outside the platform). */
export const stripeRefunds = pgTable(
  'stripe_refunds',
  {
    id: varchar('id', { length: 255 }).primaryKey(),
    chargeId: varchar('charge_id', { length: 255 }),
    paymentIntentId: varchar('payment_intent_id', { length: 255 }),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    currency: varchar('currency', { length: 3 }).notNull(),
    /** pending, requires_action, succeeded, failed, canceled */
    status: varchar('status', { length: 20 }).notNull(),
    reason: varchar('reason', { length: 60 }),
    /** The platform's own refund row id, when the platform made it (metadata `refund_id`). */
    metadataRefundId: varchar('metadata_refund_id', { length: 100 }),
    metadataBookingId: varchar('metadata_booking_id', { length: 100 }),
    stripeCreatedAt: timestamp('stripe_created_at', { withTimezone: true }).notNull(),
    importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('stripe_refunds_payment_intent_idx').on(t.paymentIntentId), index('stripe_refunds_created_idx').on(t.stripeCreatedAt)],
);

/** Disputes (chargebacks) as Stripe last reported them: open, won or lost is only told by the object. */
export const stripeDisputes = pgTable(
  'stripe_disputes',
  {
    id: varchar('id', { length: 255 }).primaryKey(),
    chargeId: varchar('charge_id', { length: 255 }),
    paymentIntentId: varchar('payment_intent_id', { length: 255 }),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    currency: varchar('currency', { length: 3 }).notNull(),
    /** warning_needs_response, needs_response, under_review, won, lost, … */
    status: varchar('status', { length: 40 }).notNull(),
    reason: varchar('reason', { length: 60 }).notNull(),
    stripeCreatedAt: timestamp('stripe_created_at', { withTimezone: true }).notNull(),
    importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('stripe_disputes_payment_intent_idx').on(t.paymentIntentId)],
);

export type StripeBalanceTransactionRow = typeof stripeBalanceTransactions.$inferSelect;
export type StripePayoutRow = typeof stripePayouts.$inferSelect;
export type StripeRefundRow = typeof stripeRefunds.$inferSelect;
export type StripeDisputeRow = typeof stripeDisputes.$inferSelect;
