import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/client.ts';
import { stripeBalanceTransactions, stripePayouts } from '../../src/finance/finance.table.ts';
import { createReconciliation } from '../../src/finance/reconciliation.service.ts';
import { reconciliationDiscrepancies } from '../../src/finance/reconciliation.table.ts';

/**
 * `npm start` without DATABASE_URL runs on PGlite: the matching's SQL (temporary tables,
 * data-modifying CTEs, the upsert that tells inserts from updates) must run there too.
 */
describe('a reconciliation on the embedded database (PGlite)', () => {
  let handle: DatabaseHandle;
  let dir: string;
  const now = new Date('2026-11-20T12:00:00Z');
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'amtsbote-recon-'));
    handle = await openDatabase({ dataDir: dir });
    await handle.migrate();
  }, 60_000);
  afterAll(async () => {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds a charge nobody booked and a payout that does not add up, and a re-run changes nothing', async () => {
    const created = new Date(now.getTime() - 5 * 86_400_000);
    await handle.db.insert(stripeBalanceTransactions).values({
      id: 'txn_stray',
      type: 'charge',
      reportingCategory: 'charge',
      amountCents: 1234,
      feeCents: 44,
      netCents: 1190,
      currency: 'EUR',
      sourceId: 'ch_stray',
      chargeId: 'ch_stray',
      paymentIntentId: 'pi_stray',
      payoutId: 'po_short',
      status: 'available',
      availableOn: created,
      stripeCreatedAt: created,
    });
    await handle.db.insert(stripePayouts).values({
      id: 'po_short',
      amountCents: 1191,
      currency: 'EUR',
      status: 'paid',
      automatic: true,
      arrivalDate: now,
      stripeCreatedAt: new Date(now.getTime() - 86_400_000),
    });
    const reconciliation = createReconciliation({ db: handle.db, importRange: null, clock: () => now, graceMs: 3_600_000, embedded: true });
    const range = { from: new Date(now.getTime() - 30 * 86_400_000), to: now, requestedBy: 'test', importLedger: false };
    const first = await reconciliation.execute((await reconciliation.request(range)).id);
    expect(first).toMatchObject({ status: 'succeeded', stepsDone: 8 });
    expect(first.totals).toMatchObject({ kind_paid_without_booking: 1, kind_payout_mismatch: 1, newDiscrepancies: 2 });
    const rows = await handle.db.select().from(reconciliationDiscrepancies);
    expect(rows.map((r) => [r.subjectKey, r.kind]).sort()).toEqual([
      ['charge:ch_stray', 'paid_without_booking'],
      ['payout:po_short', 'payout_mismatch'],
    ]);
    expect(rows.find((r) => r.kind === 'payout_mismatch')?.facts).toMatchObject({ differenceCents: 1 });

    const second = await reconciliation.execute((await reconciliation.request(range)).id);
    expect(second.totals).toMatchObject({ newDiscrepancies: 0, changedDiscrepancies: 0, clearedDiscrepancies: 0 });
  });
});
