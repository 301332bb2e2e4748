import { and, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.repository.ts';
import type { StaffPrincipal } from '../auth/auth.service.ts';
import { canActForOffice } from '../auth/office-scope.ts';
import type { Database } from '../db/client.ts';
import { decodeCursor, toPage } from '../shared/cursor.ts';
import type { LedgerImportResult } from './ledger-import.service.ts';
import {
  createWorkTables,
  findingsByKind,
  ledgerTotals,
  matchCharges,
  matchDisputes,
  matchPaidBookings,
  matchPayouts,
  matchRefunds,
  recordFindings,
  type MatchWindow,
} from './reconciliation-match.ts';
import {
  createDiscrepancyNotOpenError,
  createReconciliationDiscrepancyNotFoundError,
  createReconciliationRunNotFoundError,
} from './reconciliation.errors.ts';
import {
  reconciliationDiscrepancies as discrepancies,
  reconciliationRuns as runs,
  type ReconciliationDiscrepancy,
  type ReconciliationDiscrepancyStatus,
  type ReconciliationKind,
  type ReconciliationRun,
} from './reconciliation.table.ts';

/** The steps a run reports progress over: the import, five matching families, the totals, the records. */
const PHASES = ['import', 'charges', 'paid_bookings', 'refunds', 'disputes', 'payouts', 'totals', 'record'] as const;
type Phase = (typeof PHASES)[number];

/** One run at a time: a second waits for the first to finish rather than interleaving its records. */
const LOCK_KEY = sql`hashtextextended('reconciliation', 0)`;

/** A run's job id: the run is queued once however often the enqueue is repeated (a sweep, a retry). */
export const reconcileJobId = (runId: string) => `reconcile-${runId}`;

export interface ReconciliationDeps {
  db: Database;
  /** Imports Stripe's ledger for a range (a run's first step unless it says otherwise); null: never import. */
  importRange: ((range: { from: Date; to: Date }) => Promise<LedgerImportResult>) | null;
  clock: () => Date;
  /** Money younger than this at the end of the range is still in flight and not judged yet. */
  graceMs: number;
}

export interface DiscrepancyFilter {
  statuses?: ReconciliationDiscrepancyStatus[];
  kinds?: ReconciliationKind[];
  officeId?: string;
  runId?: string;
  cursor?: string;
  limit: number;
}

/**
 * Reconciliation runs: requested (a row, then a job), executed by the finance worker with its
 * progress written as it goes, and the discrepancies they keep, which a finance officer resolves.
 */
export function createReconciliation(deps: ReconciliationDeps) {
  const { db } = deps;

  async function progress(runId: string, phase: Phase) {
    await db
      .update(runs)
      .set({ phase, stepsDone: PHASES.indexOf(phase), stepsTotal: PHASES.length })
      .where(eq(runs.id, runId));
  }

  /** The matching, in one transaction: the findings table and the records it writes commit together. */
  async function match(runId: string, window: MatchWindow) {
    return db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEY})`);
      await createWorkTables(tx);
      await progress(runId, 'charges');
      const charges = await matchCharges(tx, window);
      await progress(runId, 'paid_bookings');
      const paid = await matchPaidBookings(tx, window);
      await progress(runId, 'refunds');
      const refunds = await matchRefunds(tx, window);
      await progress(runId, 'disputes');
      const disputes = await matchDisputes(tx);
      await progress(runId, 'payouts');
      const payouts = await matchPayouts(tx, window);
      await progress(runId, 'totals');
      const money = await ledgerTotals(tx, window);
      const found = await findingsByKind(tx);
      await progress(runId, 'record');
      const records = await recordFindings(tx, runId, window);
      return {
        chargeLines: charges.lines,
        chargesMatched: charges.matched,
        paidBookings: paid.paid,
        refundBookings: refunds.bookings,
        refundsMatched: refunds.matched,
        payouts: payouts.payouts,
        payoutsMatched: payouts.matched,
        paidOutCents: payouts.paidCents,
        disputesWithheldCents: disputes.withheldCents,
        ...money,
        discrepancies: Object.values(found).reduce((s, c) => s + c, 0),
        ...Object.fromEntries(Object.entries(found).map(([kind, count]) => [`kind_${kind}`, count])),
        newDiscrepancies: records.new,
        reopenedDiscrepancies: records.reopened,
        changedDiscrepancies: records.changed,
        clearedDiscrepancies: records.cleared,
      };
    });
  }

  return {
    /** A run row, queued: the caller enqueues its job (`reconcile {runId}`) after this returns. */
    async request(input: { from: Date; to: Date; requestedBy: string; importLedger: boolean }): Promise<ReconciliationRun> {
      const [run] = await db
        .insert(runs)
        .values({
          rangeFrom: input.from,
          rangeTo: input.to,
          requestedBy: input.requestedBy,
          importLedger: input.importLedger,
          createdAt: deps.clock(),
        })
        .returning();
      if (!run) throw new Error('insert returned no run');
      return run;
    },

    /**
     * Executes a run: safe to repeat (a retried job, a run that crashed half-way), since the import
     * upserts and the matching rewrites only what changed. A succeeded run is not run again.
     */
    async execute(runId: string): Promise<ReconciliationRun> {
      const [run] = await db
        .update(runs)
        .set({ status: 'running', startedAt: deps.clock(), error: null, phase: 'import', stepsDone: 0, stepsTotal: PHASES.length })
        .where(and(eq(runs.id, runId), inArray(runs.status, ['queued', 'running', 'failed'])))
        .returning();
      if (!run) {
        const existing = await this.getRun(runId);
        return existing;
      }
      try {
        const imported = run.importLedger && deps.importRange ? await deps.importRange({ from: run.rangeFrom, to: run.rangeTo }) : null;
        const until = new Date(Math.max(run.rangeFrom.getTime(), run.rangeTo.getTime() - deps.graceMs));
        const totals = await match(run.id, { from: run.rangeFrom, until });
        const [done] = await db
          .update(runs)
          .set({
            status: 'succeeded',
            phase: null,
            stepsDone: PHASES.length,
            totals: {
              ...totals,
              ...(imported ? { importedLines: imported.linesSeen, importedPayouts: imported.payoutsSeen } : {}),
            },
            finishedAt: deps.clock(),
          })
          .where(eq(runs.id, run.id))
          .returning();
        if (!done) throw new Error(`run ${run.id} vanished`);
        return done;
      } catch (err) {
        // Stripe's or PostgreSQL's message, never personal data (the matching reads ids and amounts only).
        const message = err instanceof Error ? err.message : String(err);
        await db
          .update(runs)
          .set({ status: 'failed', error: message.slice(0, 1000), finishedAt: deps.clock() })
          .where(eq(runs.id, run.id));
        throw err;
      }
    },

    async getRun(id: string): Promise<ReconciliationRun> {
      const [run] = await db.select().from(runs).where(eq(runs.id, id));
      if (!run) throw createReconciliationRunNotFoundError();
      return run;
    },

    async listRuns(paging: { cursor?: string; limit: number }) {
      const cursor = paging.cursor ? decodeCursor(paging.cursor) : undefined;
      const rows = await db
        .select()
        .from(runs)
        .where(
          cursor ? or(lt(runs.createdAt, cursor.createdAt), and(eq(runs.createdAt, cursor.createdAt), lt(runs.id, cursor.id))) : undefined,
        )
        .orderBy(desc(runs.createdAt), desc(runs.id))
        .limit(paging.limit + 1);
      return toPage(rows, paging.limit, (r) => ({ createdAt: r.createdAt, id: r.id }));
    },

    /** Queued runs a crash left without a job (between the row and the enqueue): the sweep enqueues them again. */
    async staleQueuedRuns(olderThanMs: number): Promise<string[]> {
      const before = new Date(deps.clock().getTime() - olderThanMs);
      const rows = await db
        .select({ id: runs.id })
        .from(runs)
        .where(and(eq(runs.status, 'queued'), lt(runs.createdAt, before)))
        .limit(100);
      return rows.map((r) => r.id);
    },

    /**
     * Discrepancies newest first. Staff bound to an office see that office's only; records about
     * no booking (a payout, a charge nobody booked) belong to the whole Stripe account and are
     * shown to finance staff without an office.
     */
    async listDiscrepancies(filter: DiscrepancyFilter, staff: StaffPrincipal) {
      const cursor = filter.cursor ? decodeCursor(filter.cursor) : undefined;
      const officeId = staff.officeId ?? filter.officeId;
      const where: (SQL | undefined)[] = [
        filter.statuses?.length ? inArray(discrepancies.status, filter.statuses) : undefined,
        filter.kinds?.length ? inArray(discrepancies.kind, filter.kinds) : undefined,
        officeId ? eq(discrepancies.officeId, officeId) : undefined,
        filter.runId ? or(eq(discrepancies.firstRunId, filter.runId), eq(discrepancies.lastRunId, filter.runId)) : undefined,
        cursor
          ? or(
              lt(discrepancies.firstSeenAt, cursor.createdAt),
              and(eq(discrepancies.firstSeenAt, cursor.createdAt), lt(discrepancies.id, cursor.id)),
            )
          : undefined,
      ];
      const rows = await db
        .select()
        .from(discrepancies)
        .where(and(...where))
        .orderBy(desc(discrepancies.firstSeenAt), desc(discrepancies.id))
        .limit(filter.limit + 1);
      return toPage(rows, filter.limit, (r) => ({ createdAt: r.firstSeenAt, id: r.id }));
    },

    async getDiscrepancy(id: string, staff: StaffPrincipal): Promise<ReconciliationDiscrepancy> {
      const [row] = await db.select().from(discrepancies).where(eq(discrepancies.id, id));
      if (!row || !visibleTo(row, staff)) throw createReconciliationDiscrepancyNotFoundError();
      return row;
    },

    /**
     * Marks an open discrepancy resolved with the officer's comment (audited). It stays resolved on
     * later runs as long as its facts are the ones resolved here.
     */
    async resolve(id: string, input: { comment: string; requestId?: string }, staff: StaffPrincipal) {
      return db.transaction(async (tx) => {
        const [row] = await tx.select().from(discrepancies).where(eq(discrepancies.id, id)).for('update');
        if (!row || !visibleTo(row, staff)) throw createReconciliationDiscrepancyNotFoundError();
        if (row.status !== 'open') throw createDiscrepancyNotOpenError({ message: `This discrepancy is ${row.status}, not open` });
        const now = deps.clock();
        const [resolved] = await tx
          .update(discrepancies)
          .set({
            status: 'resolved',
            resolvedAt: now,
            resolvedByStaffId: staff.id,
            resolutionComment: input.comment,
            resolvedFactsHash: row.factsHash,
          })
          .where(and(eq(discrepancies.id, id), eq(discrepancies.status, 'open')))
          .returning();
        await recordAudit(tx, {
          actorType: 'staff',
          actorId: staff.id,
          action: 'reconciliation.discrepancy_resolved',
          subjectType: 'reconciliation_discrepancy',
          subjectId: id,
          officeId: row.officeId,
          requestId: input.requestId,
          details: { kind: row.kind, subjectKey: row.subjectKey, factsHash: row.factsHash, commentLength: input.comment.length },
        });
        if (!resolved) throw new Error('resolve lost its row');
        return resolved;
      });
    },
  };
}

function visibleTo(row: ReconciliationDiscrepancy, staff: StaffPrincipal) {
  return row.officeId === null ? staff.officeId === null : canActForOffice(staff, row.officeId);
}

export type Reconciliation = ReturnType<typeof createReconciliation>;
