import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgEnum, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';

export const RECONCILIATION_RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type ReconciliationRunStatus = (typeof RECONCILIATION_RUN_STATUSES)[number];
export const reconciliationRunStatusEnum = pgEnum('reconciliation_run_status', RECONCILIATION_RUN_STATUSES);

/**
 * One reconciliation: import Stripe's ledger for a range, then match every booking, charge, refund,
 * dispute and payout in it. Progress is written as it goes (phase, steps done of total), totals at
 * the end: counts per class and the money the range moved, in cents.
 */
export const reconciliationRuns = pgTable(
  'reconciliation_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    status: reconciliationRunStatusEnum('status').notNull().default('queued'),
    /** A staff id, or `scheduler` for the nightly run. */
    requestedBy: varchar('requested_by', { length: 100 }).notNull(),
    /** Inclusive. */
    rangeFrom: timestamp('range_from', { withTimezone: true, precision: 3 }).notNull(),
    /** Exclusive. */
    rangeTo: timestamp('range_to', { withTimezone: true, precision: 3 }).notNull(),
    /** Import Stripe's ledger for the range first; false when an import just ran (the nightly, a payout). */
    importLedger: boolean('import_ledger').notNull().default(true),
    phase: varchar('phase', { length: 40 }),
    stepsDone: integer('steps_done').notNull().default(0),
    stepsTotal: integer('steps_total').notNull().default(0),
    totals: jsonb('totals').$type<Record<string, number>>(),
    error: varchar('error', { length: 1000 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true, precision: 3 }),
    finishedAt: timestamp('finished_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [index('reconciliation_runs_created_idx').on(t.createdAt), check('reconciliation_runs_range', sql`${t.rangeFrom} < ${t.rangeTo}`)],
);

/**
 * The classes a reconciliation sorts lines into, other than `matched` (which is counted, not
 * recorded): money at Stripe the platform does not know, money the platform expects that Stripe
 * does not have, refunds owed or unexplained, disputes by state, payouts that do not add up.
 */
export const RECONCILIATION_KINDS = [
  'paid_without_booking',
  'missing_at_stripe',
  'amount_mismatch',
  'currency_mismatch',
  'refund_owed_not_made',
  'refund_without_cause',
  'dispute_open',
  'dispute_won',
  'dispute_lost',
  'payout_mismatch',
  'payout_failed',
] as const;
export type ReconciliationKind = (typeof RECONCILIATION_KINDS)[number];
export const reconciliationKindEnum = pgEnum('reconciliation_kind', RECONCILIATION_KINDS);

export const DISCREPANCY_STATUSES = ['open', 'resolved', 'cleared'] as const;
export type ReconciliationDiscrepancyStatus = (typeof DISCREPANCY_STATUSES)[number];
export const reconciliationDiscrepancyStatusEnum = pgEnum('reconciliation_discrepancy_status', DISCREPANCY_STATUSES);

/**
 * What a reconciliation found, one row per subject (`subject_key`, e.g. `charge:ch_…` or
 * `payout:po_…`), kept across runs: a later run updates the facts, a finance officer resolves it
 * with a comment, and it stays resolved until its facts change (`facts_hash` differs from
 * `resolved_facts_hash`). `cleared`: a later run no longer found it (the refund was made after all).
 * Ids, codes and amounts only: no recipient data.
 */
export const reconciliationDiscrepancies = pgTable(
  'reconciliation_discrepancies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    subjectKey: varchar('subject_key', { length: 300 }).notNull().unique(),
    kind: reconciliationKindEnum('kind').notNull(),
    status: reconciliationDiscrepancyStatusEnum('status').notNull().default('open'),
    bookingId: uuid('booking_id'),
    officeId: uuid('office_id'),
    kassenzeichen: varchar('kassenzeichen', { length: 40 }),
    /** The Stripe object it is about (charge, refund, dispute or payout id). */
    stripeObjectId: varchar('stripe_object_id', { length: 255 }),
    expectedAmountCents: bigint('expected_amount_cents', { mode: 'number' }),
    actualAmountCents: bigint('actual_amount_cents', { mode: 'number' }),
    currency: varchar('currency', { length: 3 }),
    facts: jsonb('facts').$type<Record<string, string | number | boolean | null>>().notNull().default({}),
    factsHash: varchar('facts_hash', { length: 64 }).notNull(),
    /** When the subject happened (payment created, line created): a run clears only within its range. */
    subjectAt: timestamp('subject_at', { withTimezone: true, precision: 3 }).notNull(),
    firstRunId: uuid('first_run_id')
      .notNull()
      .references(() => reconciliationRuns.id),
    lastRunId: uuid('last_run_id')
      .notNull()
      .references(() => reconciliationRuns.id),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, precision: 3 }),
    resolvedByStaffId: uuid('resolved_by_staff_id'),
    resolutionComment: varchar('resolution_comment', { length: 2000 }),
    resolvedFactsHash: varchar('resolved_facts_hash', { length: 64 }),
  },
  (t) => [
    index('reconciliation_discrepancies_list_idx').on(t.status, t.kind, t.firstSeenAt),
    index('reconciliation_discrepancies_subject_at_idx').on(t.subjectAt),
    index('reconciliation_discrepancies_booking_idx').on(t.bookingId),
  ],
);

export type ReconciliationRun = typeof reconciliationRuns.$inferSelect;
export type ReconciliationDiscrepancy = typeof reconciliationDiscrepancies.$inferSelect;
