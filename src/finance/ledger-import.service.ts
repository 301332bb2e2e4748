import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { stripeBalanceTransactions as lines, stripePayouts as payouts } from './finance.table.ts';
import type { LedgerLine, LedgerPayout, LedgerRange, StripeLedger } from './ledger.ts';

/** Rows per upsert statement: a page of Stripe's list is 100. */
const BATCH = 100;

export interface LedgerImportResult {
  payoutsSeen: number;
  linesSeen: number;
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
          importedAt: sql`now()`,
        },
        setWhere: sql`(${lines.status}, ${lines.reportingCategory}, ${lines.payoutId}) is distinct from
          (excluded.status, excluded.reporting_category, coalesce(excluded.payout_id, ${lines.payoutId}))`,
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
      return { payoutsSeen: 1, payoutsChanged, linesSeen: payoutLines.seen, linesChanged: payoutLines.changed };
    },

    /** Payouts and lines created in the range (the nightly run imports the days before). */
    async importRange(range: LedgerRange): Promise<LedgerImportResult> {
      const result: LedgerImportResult = { payoutsSeen: 0, linesSeen: 0, payoutsChanged: 0, linesChanged: 0 };
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
      return result;
    },
  };
}
