import { and, lt, notInArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import {
  stripeBalanceTransactions as lines,
  stripeDisputes as disputes,
  stripePayouts as payouts,
  stripeRefunds as refunds,
} from './finance.table.ts';
import type { LedgerDispute, LedgerLine, LedgerPayout, LedgerRange, LedgerRefund, StripeLedger } from './ledger.ts';

const NOTHING: LedgerImportResult = {
  payoutsSeen: 0,
  linesSeen: 0,
  payoutsChanged: 0,
  linesChanged: 0,
  refundsSeen: 0,
  disputesSeen: 0,
  refundsChanged: 0,
  disputesChanged: 0,
};

/** Stripe's final dispute states: nothing changes after them. */
const DECIDED_DISPUTE_STATUSES = ['won', 'lost', 'warning_closed'];

/** Rows per upsert statement: a page of Stripe's list is 100. */
const BATCH = 100;

export interface LedgerImportResult {
  payoutsSeen: number;
  linesSeen: number;
  refundsSeen: number;
  disputesSeen: number;
  refundsChanged: number;
  disputesChanged: number;
  /** Rows written because they were new or Stripe's facts changed; 0 when nothing changed since the last import. */
  payoutsChanged: number;
  linesChanged: number;
}

/**
 * Copies Stripe's ledger into PostgreSQL: payouts created in a range with every line each paid
 * out, then the lines created in the range (those not paid out yet among them). Idempotent:
 * rows are upserted by Stripe id and only rewritten when a fact changed (a line that became
 * available, a payout that failed), so a second run of the same range writes nothing. It streams:
 * at most one batch is in memory, however long the range.
 */
export function createLedgerImport(deps: { db: Database; ledger: StripeLedger }) {
  const { db, ledger } = deps;

  async function upsertLines(batch: (LedgerLine & { payoutId: string | null })[]): Promise<number> {
    if (batch.length === 0) return 0;
    const written = await db
      .insert(lines)
      .values(
        batch.map((l) => ({
          id: l.id,
          type: l.type,
          reportingCategory: l.reportingCategory,
          amountCents: l.amountCents,
          feeCents: l.feeCents,
          netCents: l.netCents,
          currency: l.currency,
          sourceId: l.sourceId,
          chargeId: l.chargeId,
          paymentIntentId: l.paymentIntentId,
          metadataBookingId: l.metadataBookingId,
          metadataKassenzeichen: l.metadataKassenzeichen,
          payoutId: l.payoutId,
          status: l.status,
          availableOn: l.availableOn,
          stripeCreatedAt: l.createdAt,
        })),
      )
      .onConflictDoUpdate({
        target: lines.id,
        set: {
          status: sql`excluded.status`,
          reportingCategory: sql`excluded.reporting_category`,
          // A range import does not know the payout; it never takes away what a payout import set.
          payoutId: sql`coalesce(excluded.payout_id, ${lines.payoutId})`,
          chargeId: sql`coalesce(excluded.charge_id, ${lines.chargeId})`,
          paymentIntentId: sql`coalesce(excluded.payment_intent_id, ${lines.paymentIntentId})`,
          importedAt: sql`now()`,
        },
        setWhere: sql`(${lines.status}, ${lines.reportingCategory}, ${lines.payoutId}, ${lines.chargeId}, ${lines.paymentIntentId}) is distinct from
          (excluded.status, excluded.reporting_category, coalesce(excluded.payout_id, ${lines.payoutId}),
           coalesce(excluded.charge_id, ${lines.chargeId}), coalesce(excluded.payment_intent_id, ${lines.paymentIntentId}))`,
      })
      .returning({ id: lines.id });
    return written.length;
  }

  async function upsertPayouts(batch: LedgerPayout[]): Promise<number> {
    if (batch.length === 0) return 0;
    const written = await db
      .insert(payouts)
      .values(
        batch.map((p) => ({
          id: p.id,
          amountCents: p.amountCents,
          currency: p.currency,
          status: p.status,
          automatic: p.automatic,
          arrivalDate: p.arrivalDate,
          failureCode: p.failureCode,
          balanceTransactionId: p.balanceTransactionId,
          reconciliationStatus: p.reconciliationStatus,
          stripeCreatedAt: p.createdAt,
        })),
      )
      .onConflictDoUpdate({
        target: payouts.id,
        set: {
          status: sql`excluded.status`,
          failureCode: sql`excluded.failure_code`,
          reconciliationStatus: sql`excluded.reconciliation_status`,
          arrivalDate: sql`excluded.arrival_date`,
          importedAt: sql`now()`,
        },
        setWhere: sql`(${payouts.status}, ${payouts.failureCode}, ${payouts.reconciliationStatus}, ${payouts.arrivalDate}) is distinct from
          (excluded.status, excluded.failure_code, excluded.reconciliation_status, excluded.arrival_date)`,
      })
      .returning({ id: payouts.id });
    return written.length;
  }

  async function upsertRefunds(batch: LedgerRefund[]): Promise<number> {
    if (batch.length === 0) return 0;
    const written = await db
      .insert(refunds)
      .values(
        batch.map((r) => ({
          id: r.id,
          chargeId: r.chargeId,
          paymentIntentId: r.paymentIntentId,
          amountCents: r.amountCents,
          currency: r.currency,
          status: r.status,
          reason: r.reason,
          metadataRefundId: r.metadataRefundId,
          metadataBookingId: r.metadataBookingId,
          stripeCreatedAt: r.createdAt,
        })),
      )
      .onConflictDoUpdate({
        target: refunds.id,
        set: { status: sql`excluded.status`, metadataRefundId: sql`excluded.metadata_refund_id`, importedAt: sql`now()` },
        setWhere: sql`(${refunds.status}, ${refunds.metadataRefundId}) is distinct from (excluded.status, excluded.metadata_refund_id)`,
      })
      .returning({ id: refunds.id });
    return written.length;
  }

  async function upsertDisputes(batch: LedgerDispute[]): Promise<number> {
    if (batch.length === 0) return 0;
    const written = await db
      .insert(disputes)
      .values(
        batch.map((d) => ({
          id: d.id,
          chargeId: d.chargeId,
          paymentIntentId: d.paymentIntentId,
          amountCents: d.amountCents,
          currency: d.currency,
          status: d.status,
          reason: d.reason,
          stripeCreatedAt: d.createdAt,
        })),
      )
      .onConflictDoUpdate({
        target: disputes.id,
        set: { status: sql`excluded.status`, importedAt: sql`now()` },
        setWhere: sql`${disputes.status} is distinct from excluded.status`,
      })
      .returning({ id: disputes.id });
    return written.length;
  }

  /** Reads a stream in batches and hands each to `write`; returns how many were read and written. */
  async function inBatches<T>(source: AsyncIterable<T>, write: (batch: T[]) => Promise<number>) {
    let seen = 0;
    let changed = 0;
    let batch: T[] = [];
    for await (const item of source) {
      batch.push(item);
      seen++;
      if (batch.length === BATCH) {
        changed += await write(batch);
        batch = [];
      }
    }
    changed += await write(batch);
    return { seen, changed };
  }

  async function importPayoutLines(payoutId: string) {
    return inBatches(ledger.balanceTransactions({ payoutId }), (batch) => upsertLines(batch.map((l) => ({ ...l, payoutId }))));
  }

  return {
    /** One payout and every line it paid out (on `payout.paid` / `payout.reconciliation_completed`). */
    async importPayout(payoutId: string): Promise<LedgerImportResult> {
      const payout = await ledger.payout(payoutId);
      const payoutsChanged = await upsertPayouts([payout]);
      const payoutLines = payout.automatic ? await importPayoutLines(payout.id) : { seen: 0, changed: 0 };
      return {
        ...NOTHING,
        payoutsSeen: 1,
        payoutsChanged,
        linesSeen: payoutLines.seen,
        linesChanged: payoutLines.changed,
      };
    },

    /**
     * Payouts, lines, refunds and disputes created in the range (the nightly run imports the days
     * before), and the current state of every dispute still undecided.
     */
    async importRange(range: LedgerRange): Promise<LedgerImportResult> {
      const result: LedgerImportResult = { ...NOTHING };
      const automatic: string[] = [];
      const payoutRun = await inBatches(ledger.payouts(range), async (batch) => {
        for (const p of batch) if (p.automatic) automatic.push(p.id);
        return upsertPayouts(batch);
      });
      result.payoutsSeen = payoutRun.seen;
      result.payoutsChanged = payoutRun.changed;
      for (const id of automatic) {
        const r = await importPayoutLines(id);
        result.linesSeen += r.seen;
        result.linesChanged += r.changed;
      }
      const ranged = await inBatches(ledger.balanceTransactions({ range }), (batch) =>
        upsertLines(batch.map((l) => ({ ...l, payoutId: null }))),
      );
      result.linesSeen += ranged.seen;
      result.linesChanged += ranged.changed;
      const refundRun = await inBatches(ledger.refunds(range), upsertRefunds);
      const disputeRun = await inBatches(ledger.disputes(range), upsertDisputes);
      // A dispute opened before the range can be won or lost now: the undecided ones are asked again.
      const undecided = await db
        .select({ id: disputes.id })
        .from(disputes)
        .where(and(notInArray(disputes.status, DECIDED_DISPUTE_STATUSES), lt(disputes.stripeCreatedAt, range.from)));
      let refreshed = 0;
      for (const { id } of undecided) refreshed += await upsertDisputes([await ledger.dispute(id)]);
      return {
        ...result,
        refundsSeen: refundRun.seen,
        refundsChanged: refundRun.changed,
        disputesSeen: disputeRun.seen + undecided.length,
        disputesChanged: disputeRun.changed + refreshed,
      };
    },
  };
}
