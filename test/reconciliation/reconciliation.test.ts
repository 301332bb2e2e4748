import { and, eq, sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { auditLog } from '../../src/audit/audit.table.ts';
import { queryRows } from '../../src/db/client.ts';
import { stripeBalanceTransactions } from '../../src/finance/finance.table.ts';
import { payments, refundDecisions, refunds } from '../../src/payments/payments.table.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { allPages, bookPaidOnlyHere, api, createPaidBooking, eventually, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const test = platformTest({ workers: true, sandboxOnPlatformClock: true });

type Discrepancy = { id: string; kind: string; status: string; subjectKey: string; [k: string]: unknown };

/**
 * Every class of discrepancy made on purpose through the sandbox (via stripe-node) or, where only a
 * bug could make it, written the way the bug would; then found by a run started through the API.
 */
describe('reconciling bookings with Stripe’s charges, refunds, disputes and payouts', () => {
  // Several runs, each waiting for the worker: generous on a loaded two-core machine.
  test(
    'finds each class, keeps resolved ones resolved, changes nothing on a re-run, and sees a policy refund once made',
    { timeout: 120_000 },
    async ({ p }) => {
      const { office } = await seedOffice(p.db, { refundPolicy: 'full', paymentIssueHandling: 'hold' });
      let clerk = await p.staff(['clerk'], office.id);
      const from = new Date(p.clock().getTime() - HOUR);

      // Matched: paid as booked.
      const matched = await createPaidBooking(p, office.id);
      // Cancelled by the office: the platform refunds it in full (the payments worker makes the refund).
      const cancelled = await createPaidBooking(p, office.id);
      expect((await api(p, 'POST', `/v1/bookings/${cancelled.booking.id}/cancel`, { body: {}, headers: clerk.headers })).status).toBe(200);
      await eventually(
        () => p.db.select().from(refunds).where(eq(refunds.bookingId, cancelled.booking.id)),
        (rows) => rows.length === 1 && rows[0]?.status === 'succeeded',
      );
      // Refunded in Stripe's dashboard, without a cause the platform knows.
      const refundedOutside = await createPaidBooking(p, office.id);
      await p.stripe.refunds.create({ payment_intent: refundedOutside.payment.paymentIntentId, amount: 200 });
      // Owed by the refund decision, not made yet (the refund row waits for its job).
      const owed = await createPaidBooking(p, office.id);
      const owedPayment = (await p.db.select().from(payments).where(eq(payments.bookingId, owed.booking.id)))[0];
      if (!owedPayment) throw new Error('no payment');
      await p.db.insert(refundDecisions).values({
        bookingId: owed.booking.id,
        rule: 'courier_fault',
        reason: 'attempt 1 failed: address_not_found (the company’s fault)',
        policyAmountCents: owedPayment.amountCents,
        amountCents: owedPayment.amountCents,
      });
      const [owedRefund] = await p.db
        .insert(refunds)
        .values({ paymentId: owedPayment.id, bookingId: owed.booking.id, amountCents: owedPayment.amountCents, reason: 'courier_fault' })
        .returning();
      // Disputed by the card holder.
      const disputed = await createPaidBooking(p, office.id, { paymentMethod: 'pm_card_createDispute' });
      await eventually(
        () => p.stripe.disputes.list({ payment_intent: disputed.payment.paymentIntentId }),
        (list) => list.data.length === 1,
      );
      // Paid at Stripe with no booking (a payment link made by hand in the dashboard).
      const stranger = await p.stripe.paymentIntents.create({
        amount: 1234,
        currency: 'eur',
        confirm: true,
        payment_method: 'pm_card_visa',
      });
      // The amount and the currency changed at Stripe before paying.
      const tamperedAmount = await createPaidBooking(p, office.id, { pay: false });
      await p.stripe.paymentIntents.update(tamperedAmount.payment.paymentIntentId, { amount: 999 });
      await p.stripe.paymentIntents.confirm(tamperedAmount.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
      const tamperedCurrency = await createPaidBooking(p, office.id, { pay: false });
      await p.stripe.paymentIntents.update(tamperedCurrency.payment.paymentIntentId, { currency: 'chf' });
      await p.stripe.paymentIntents.confirm(tamperedCurrency.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
      await p.sandbox.flushWebhooks();
      // Paid here, nothing at Stripe (see bookPaidOnlyHere).
      const ghostPayment = await bookPaidOnlyHere(p, office.id);

      // A week later Stripe pays the balance out; an hour after that the finance office reconciles.
      p.clock.advance(8 * DAY);
      // One payout per currency: the euro one carries the bookings.
      const payout = p.sandbox.runPayouts().find((po) => po.currency === 'eur');
      if (!payout) throw new Error('the sandbox paid nothing out');
      await p.sandbox.flushWebhooks();
      p.clock.advance(2 * HOUR);
      // Signed in after the week (a session does not last that long).
      const finance = await p.staff(['finance'], null);
      clerk = await p.staff(['clerk'], office.id);

      // The payout's webhook started a run of its own; each run here starts when the worker is idle.
      const idle = async () => {
        await eventually(
          // Not `delayed`: the nightly import's job scheduler always holds its next run there.
          () => p.queues.queue('finance').getJobCounts('waiting', 'active', 'prioritized'),
          (c) => Object.values(c).every((n) => n === 0),
          30_000,
        );
        // (Runs of other test files may sit queued in the shared table for good: their workers are gone,
        // so the run rows are not waited for; this file's queue says when its worker is done.)
      };
      const runThrough = async () => {
        await idle();
        const started = await api(p, 'POST', '/v1/reconciliation-runs', {
          body: { from: from.toISOString(), to: p.clock().toISOString() },
          headers: finance.headers,
        });
        expect(started.status).toBe(202);
        expect(started.body).toMatchObject({ status: 'queued', importLedger: true, requestedBy: finance.user.id });
        const done = await eventually(
          () => api(p, 'GET', `/v1/reconciliation-runs/${started.body.id}`, { headers: finance.headers }),
          (r) => r.body.status === 'succeeded' || r.body.status === 'failed',
          30_000,
        );
        expect(done.body).toMatchObject({ status: 'succeeded', progress: { stepsDone: 8, stepsTotal: 8, phase: null }, error: null });
        return done.body as { id: string; totals: Record<string, number> };
      };
      // Every page: the worker's test database holds earlier files' payments too, which a run finds
      // missing at this file's sandbox, all at one instant, so this file's may be on any page.
      const discrepancies = () => allPages<Discrepancy>(p, '/v1/reconciliation-discrepancies?limit=200', finance.headers);
      const about = (list: Discrepancy[], key: string) => list.find((d) => d.subjectKey === key);
      const chargeOf = async (pi: string) => (await p.stripe.paymentIntents.retrieve(pi)).latest_charge as string;

      const first = await runThrough();
      let found = await discrepancies();
      const disputeId = (await p.stripe.disputes.list({ payment_intent: disputed.payment.paymentIntentId })).data[0]?.id;
      expect(about(found, `charge:${stranger.latest_charge as string}`)).toMatchObject({
        kind: 'paid_without_booking',
        status: 'open',
        actualAmountCents: 1234,
        bookingId: null,
      });
      expect(about(found, `charge:${await chargeOf(tamperedAmount.payment.paymentIntentId)}`)).toMatchObject({
        kind: 'amount_mismatch',
        expectedAmountCents: 450,
        actualAmountCents: 999,
        kassenzeichen: tamperedAmount.booking.kassenzeichen,
        officeId: office.id,
      });
      expect(about(found, `charge:${await chargeOf(tamperedCurrency.payment.paymentIntentId)}`)).toMatchObject({
        kind: 'currency_mismatch',
        currency: 'CHF',
      });
      expect(about(found, `payment:${ghostPayment?.id}`)).toMatchObject({ kind: 'missing_at_stripe', expectedAmountCents: 450 });
      expect(about(found, `refund:${refundedOutside.booking.id}`)).toMatchObject({
        kind: 'refund_without_cause',
        expectedAmountCents: 0,
        actualAmountCents: 200,
        facts: expect.objectContaining({ refundsOutsidePlatform: 1 }),
      });
      expect(about(found, `refund:${owed.booking.id}`)).toMatchObject({
        kind: 'refund_owed_not_made',
        expectedAmountCents: owedPayment.amountCents,
        actualAmountCents: 0,
        facts: expect.objectContaining({ rule: 'courier_fault' }),
      });
      expect(about(found, `dispute:${disputeId}`)).toMatchObject({ kind: 'dispute_open', status: 'open' });
      // Matched ones leave no record: the paid booking, the cancelled one refunded in full.
      const open = found.filter((d) => d.status === 'open');
      expect(open.filter((d) => d.bookingId === matched.booking.id || d.bookingId === cancelled.booking.id)).toEqual([]);
      expect(about(found, `payout:${payout.id}`)).toBeUndefined();
      // At least this file's two: the window may hold payouts another file imported into the worker's database.
      expect(first.totals.payouts).toBeGreaterThanOrEqual(2);
      expect(first.totals.payoutsMatched).toBeGreaterThanOrEqual(2);
      expect(first.totals.chargesMatched).toBeGreaterThanOrEqual(3);
      expect(first.totals.kind_paid_without_booking).toBeGreaterThanOrEqual(1);
      // Fees are counted on their own (gross principle): 1.5 % + 25 cents of each charge.
      expect(first.totals.feesCents).toBeGreaterThan(0);

      // A finance officer resolves the open dispute: audited, and it stays resolved while nothing changes.
      const dispute = about(found, `dispute:${disputeId}`);
      if (!dispute) throw new Error('no dispute record');
      const resolved = await api(p, 'POST', `/v1/reconciliation-discrepancies/${dispute.id}/resolve`, {
        body: { comment: 'Evidence sent to Stripe on 2026-12-02 (Kämmerei, Fr. Öztürk)' },
        headers: finance.headers,
      });
      expect(resolved.status).toBe(200);
      expect(resolved.body).toMatchObject({ status: 'resolved', resolvedByStaffId: finance.user.id });
      expect(
        (
          await api(p, 'POST', `/v1/reconciliation-discrepancies/${dispute.id}/resolve`, {
            body: { comment: 'again' },
            headers: finance.headers,
          })
        ).status,
      ).toBe(409);
      const audits = await p.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.subjectId, dispute.id), eq(auditLog.action, 'reconciliation.discrepancy_resolved')));
      expect(audits).toHaveLength(1);

      // Re-running the same range changes nothing.
      const second = await runThrough();
      expect(second.totals).toMatchObject({ newDiscrepancies: 0, changedDiscrepancies: 0, clearedDiscrepancies: 0 });
      expect(second.totals.discrepancies).toBe(first.totals.discrepancies);
      expect(await discrepancies()).toEqual(await discrepancies());
      expect(about(await discrepancies(), `dispute:${disputeId}`)).toMatchObject({ status: 'resolved', kind: 'dispute_open' });

      // The facts change: the dispute is lost (reopened as lost), the owed refund is made (cleared),
      // and a payout's lines stop adding up (a line lost from the import).
      if (!disputeId || !owedRefund) throw new Error('setup incomplete');
      p.sandbox.closeDispute(disputeId, 'lost');
      await p.queues.enqueue('payments', 'execute-refund', { refundId: owedRefund.id });
      await eventually(
        () => p.db.select().from(refunds).where(eq(refunds.id, owedRefund.id)),
        (rows) => rows[0]?.status === 'succeeded',
      );
      const [lost] = await queryRows<{ id: string }>(
        p.db,
        sql`delete from ${stripeBalanceTransactions} where id = (
            select id from ${stripeBalanceTransactions} where payout_id = ${payout.id} and reporting_category = 'charge' limit 1)
          returning id`,
      );
      expect(lost).toBeDefined();
      // The import is match-only this time for the payout line, so the deleted line stays missing.
      const third = await api(p, 'POST', '/v1/reconciliation-runs', {
        body: { from: from.toISOString(), to: p.clock().toISOString(), importLedger: false },
        headers: finance.headers,
      });
      expect(third.status).toBe(202);
      await eventually(
        () => api(p, 'GET', `/v1/reconciliation-runs/${third.body.id}`, { headers: finance.headers }),
        (r) => r.body.status === 'succeeded',
        30_000,
      );
      // A match-only run does not see the refund or the dispute's new state yet: the next import brings them.
      expect(about(await discrepancies(), `refund:${owed.booking.id}`)).toMatchObject({ status: 'open' });
      expect(about(await discrepancies(), `payout:${payout.id}`)).toMatchObject({
        kind: 'payout_mismatch',
        status: 'open',
        facts: expect.objectContaining({ differenceCents: expect.any(Number) }),
      });

      const fourth = await runThrough();
      found = await discrepancies();
      expect(about(found, `dispute:${disputeId}`)).toMatchObject({ kind: 'dispute_lost', status: 'open' });
      // The refund the decision owed has been made: a refund through the policy appears in the next run.
      expect(about(found, `refund:${owed.booking.id}`)).toMatchObject({ status: 'cleared' });
      // The import brought the lost line back: the payout adds up again.
      expect(about(found, `payout:${payout.id}`)).toMatchObject({ status: 'cleared' });
      expect(fourth.totals.clearedDiscrepancies).toBeGreaterThanOrEqual(1);

      // The bank returns the payout.
      p.sandbox.failPayout(payout.id, { code: 'account_closed' });
      await runThrough();
      expect(about(await discrepancies(), `payout:${payout.id}`)).toMatchObject({ kind: 'payout_failed', status: 'open' });

      // Filters, and what a clerk may not see.
      const onlyDisputes = await api(p, 'GET', '/v1/reconciliation-discrepancies?kind=dispute_lost&status=open', {
        headers: finance.headers,
      });
      expect(onlyDisputes.body.data.every((d: Discrepancy) => d.kind === 'dispute_lost' && d.status === 'open')).toBe(true);
      expect(onlyDisputes.body.data.length).toBeGreaterThanOrEqual(1);
      expect((await api(p, 'GET', '/v1/reconciliation-discrepancies', { headers: clerk.headers })).status).toBe(403);
      const runs = await api(p, 'GET', '/v1/reconciliation-runs?limit=2', { headers: finance.headers });
      expect(runs.body.data).toHaveLength(2);
      expect(runs.body.nextCursor).toEqual(expect.any(String));
    },
  );

  test('a range that ends in the future or spans too long is refused', async ({ p }: { p: TestPlatform }) => {
    const finance = await p.staff(['finance'], null);
    const now = p.clock().getTime();
    for (const body of [
      { to: new Date(now + DAY).toISOString() },
      { from: new Date(now - 500 * DAY).toISOString() },
      { from: new Date(now).toISOString(), to: new Date(now - DAY).toISOString() },
    ]) {
      const res = await api(p, 'POST', '/v1/reconciliation-runs', { body, headers: finance.headers });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('reconciliation.invalid_range');
    }
  });
});
