import { inArray, sql } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type DatabaseHandle } from '../../src/db/client.ts';
import { stripeBalanceTransactions, stripePayouts } from '../../src/finance/finance.table.ts';
import { createLedgerImport } from '../../src/finance/ledger-import.service.ts';
import { createStripeLedger } from '../../src/finance/stripe-ledger.ts';
import { createMemoryStore, createStripeSandbox, type StripeSandbox } from '../../src/stripe-sandbox/index.ts';
import { testDatabaseUrl } from '../helpers/test-env.ts';

const DAY = 86_400_000;

describe("importing Stripe's ledger (balance transactions and payouts) through stripe-node", () => {
  let handle: DatabaseHandle;
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  let now = new Date('2026-11-02T09:00:00Z');
  const charges: string[] = [];

  beforeAll(async () => {
    handle = await openDatabase({ url: testDatabaseUrl(), dataDir: '.data', maxConnections: 2 });
    sandbox = createStripeSandbox({ clock: () => now, store: createMemoryStore() });
    await sandbox.listen({ port: 0 });
    stripe = new Stripe('sk_test_ledger', { ...sandbox.clientOptions(), maxNetworkRetries: 0 });
    // 7 surcharges of different amounts; the sandbox keeps 1.5 % + €0.25 of each.
    for (const amount of [890, 1290, 1490, 990, 1890, 590, 2490]) {
      const pi = await stripe.paymentIntents.create({ amount, currency: 'eur', confirm: true, payment_method: 'pm_card_visa' });
      charges.push(pi.latest_charge as string);
    }
    await stripe.refunds.create({ charge: charges[1], amount: 1290 });
  });
  afterAll(async () => {
    await sandbox.close();
    await handle.close();
  });

  const range = () => ({ from: new Date(now.getTime() - 30 * DAY), to: new Date(now.getTime() + DAY) });
  // Pages of 2, so every list is read across several pages.
  const importer = () => createLedgerImport({ db: handle.db, ledger: createStripeLedger(stripe, { pageSize: 2 }) });

  it('a payout is imported with exactly the lines it paid out, which add up to it to the cent; a second run writes nothing', async () => {
    now = new Date(now.getTime() + 8 * DAY); // the funds became available
    const [payout] = sandbox.runPayouts();
    if (!payout) throw new Error('the sandbox paid nothing out');

    const first = await importer().importRange(range());
    expect(first).toMatchObject({ payoutsSeen: 1, payoutsChanged: 1 });
    const ids = (await stripe.balanceTransactions.list({ payout: payout.id, limit: 100 })).data.map((bt) => bt.id);
    expect(ids).toHaveLength(7 + 1 + 1); // charges, the refund, the payout's own line

    const rows = await handle.db.select().from(stripeBalanceTransactions).where(inArray(stripeBalanceTransactions.id, ids));
    expect(rows.every((r) => r.payoutId === payout.id)).toBe(true);
    expect(new Set(rows.map((r) => r.reportingCategory))).toEqual(new Set(['charge', 'refund', 'payout']));
    const paidOut = rows.filter((r) => r.reportingCategory !== 'payout').reduce((sum, r) => sum + r.netCents, 0);
    const [stored] = await handle.db
      .select()
      .from(stripePayouts)
      .where(inArray(stripePayouts.id, [payout.id]));
    expect(stored).toMatchObject({ amountCents: payout.amount, status: 'paid', currency: 'EUR', automatic: true });
    expect(paidOut).toBe(payout.amount);
    // The fees Stripe kept, booked separately (gross principle): 1.5 % + 25 cents per charge.
    const fees = rows.filter((r) => r.reportingCategory === 'charge').reduce((sum, r) => sum + r.feeCents, 0);
    expect(fees).toBe([890, 1290, 1490, 990, 1890, 590, 2490].reduce((s, a) => s + Math.round(a * 0.015) + 25, 0));

    const again = await importer().importRange(range());
    expect(again).toEqual({
      payoutsSeen: 1,
      payoutsChanged: 0,
      linesSeen: first.linesSeen,
      linesChanged: 0,
      refundsSeen: 1,
      refundsChanged: 0,
      disputesSeen: 0,
      disputesChanged: 0,
    });
    // Each line names the charge and PaymentIntent it is about (the source expanded at import).
    const refundLine = rows.find((r) => r.reportingCategory === 'refund');
    expect(refundLine).toMatchObject({ chargeId: charges[1] });
    expect(refundLine?.paymentIntentId).toMatch(/^pi_/);
    expect(rows.filter((r) => r.reportingCategory === 'charge').every((r) => r.paymentIntentId?.startsWith('pi_'))).toBe(true);
  });

  it('a payout the bank returns is updated on the next import, and the line that puts the money back is recorded', async () => {
    const [payout] = (await stripe.payouts.list({ limit: 1 })).data;
    if (!payout) throw new Error('no payout');
    sandbox.failPayout(payout.id, { code: 'account_closed' });
    const result = await importer().importPayout(payout.id);
    expect(result.payoutsChanged).toBe(1);
    const [stored] = await handle.db
      .select()
      .from(stripePayouts)
      .where(inArray(stripePayouts.id, [payout.id]));
    expect(stored).toMatchObject({ status: 'failed', failureCode: 'account_closed' });
    await importer().importRange(range());
    const reversal = await queryRows<{ amount: string }>(
      handle.db,
      sql`select amount_cents as amount from stripe_balance_transactions where source_id = ${payout.id} and reporting_category = 'payout_reversal'`,
    );
    expect(reversal.map((r) => Number(r.amount))).toEqual([payout.amount]);
  });
});
