import { eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { stripeBalanceTransactions, stripePayouts } from '../../src/finance/finance.table.ts';
import { LEDGER_IMPORT_CRON } from '../../src/jobs/queue-config.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { createPaidBooking, eventually, seedOffice } from '../helpers/test-platform.ts';

const DAY = 86_400_000;
const test = platformTest({ workers: true, sandboxOnPlatformClock: true });

describe('the finance worker imports Stripe’s ledger', () => {
  test('nightly by a job scheduler, and at once when Stripe reports a payout paid', async ({ p }) => {
    const scheduler = await p.queues.queue('finance').getJobScheduler('ledger-nightly');
    expect(scheduler).toMatchObject({ pattern: LEDGER_IMPORT_CRON.pattern, tz: LEDGER_IMPORT_CRON.tz });

    const { office } = await seedOffice(p.db);
    const { payment } = await createPaidBooking(p, office.id);
    const pi = await p.stripe.paymentIntents.retrieve(payment.paymentIntentId);
    const chargeId = pi.latest_charge as string;

    // The nightly run (enqueued by hand here) imports the charge's line while it is still pending.
    await p.queues.enqueue('finance', 'import-ledger', {});
    const [line] = await eventually(
      () => p.db.select().from(stripeBalanceTransactions).where(eq(stripeBalanceTransactions.sourceId, chargeId)),
      (rows) => rows.length === 1,
    );
    expect(line).toMatchObject({ reportingCategory: 'charge', amountCents: pi.amount, status: 'pending', payoutId: null });

    // A week later the funds are paid out; Stripe's payout.paid webhook starts the payout's import.
    p.clock.advance(8 * DAY);
    const [payout] = p.sandbox.runPayouts();
    if (!payout) throw new Error('the sandbox paid nothing out');
    await p.sandbox.flushWebhooks();
    const [stored] = await eventually(
      () => p.db.select().from(stripePayouts).where(eq(stripePayouts.id, payout.id)),
      (rows) => rows.length === 1,
    );
    expect(stored).toMatchObject({ status: 'paid', amountCents: payout.amount });
    const paidOut = await eventually(
      () => p.db.select().from(stripeBalanceTransactions).where(eq(stripeBalanceTransactions.payoutId, payout.id)),
      (rows) => rows.some((r) => r.sourceId === chargeId && r.status === 'available'),
    );
    expect(paidOut.filter((r) => r.reportingCategory !== 'payout').reduce((sum, r) => sum + r.netCents, 0)).toBe(payout.amount);
  });
});
