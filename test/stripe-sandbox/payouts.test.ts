import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileStore, createStripeSandbox, type StripeSandbox, type StripeSandboxOptions } from '../../src/stripe-sandbox/index.ts';
import { catchError, startSandbox, startWebhookReceiver, type SandboxHarness, type WebhookReceiver } from './helpers.ts';
import { must } from '../helpers/must.ts';

const DAY_MS = 86_400_000;
const SECRET = 'whsec_test_payouts';

/** A sandbox clock the test moves by hand, starting on a Monday morning (UTC). */
function manualClock(start = Date.UTC(2026, 2, 2, 10, 0, 0)) {
  let nowMs = start;
  return {
    clock: () => new Date(nowMs),
    advanceDays(days: number) {
      nowMs += days * DAY_MS;
    },
  };
}

async function pay(stripe: Stripe, amount: number, currency = 'eur', paymentMethod = 'pm_card_visa'): Promise<Stripe.PaymentIntent> {
  return stripe.paymentIntents.create({ amount, currency, payment_method: paymentMethod, confirm: true });
}

async function chargeTransactionId(stripe: Stripe, paymentIntent: Stripe.PaymentIntent): Promise<string> {
  const charge = await stripe.charges.retrieve(paymentIntent.latest_charge as string);
  return charge.balance_transaction as string;
}

function sumNet(transactions: readonly Stripe.BalanceTransaction[]): number {
  return transactions.reduce((sum, transaction) => sum + transaction.net, 0);
}

async function payoutTransactions(stripe: Stripe, payoutId: string): Promise<Stripe.BalanceTransaction[]> {
  return stripe.balanceTransactions.list({ payout: payoutId, limit: 100 }).autoPagingToArray({ limit: 10_000 });
}

function availableAmount(balance: Stripe.Balance, currency = 'eur'): number | undefined {
  return balance.available.find((entry) => entry.currency === currency)?.amount;
}

function pendingAmount(balance: Stripe.Balance, currency = 'eur'): number | undefined {
  return balance.pending.find((entry) => entry.currency === currency)?.amount;
}

describe('stripe sandbox: automatic payouts', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length > 0) await must(cleanups.pop(), 'cleanups.pop()')();
  });

  async function start(options: StripeSandboxOptions = {}): Promise<SandboxHarness> {
    const harness = await startSandbox({ disputeDelayMs: 1, ...options });
    cleanups.push(() => harness.sandbox.close());
    return harness;
  }

  async function startWithReceiver(options: StripeSandboxOptions = {}): Promise<SandboxHarness & { receiver: WebhookReceiver }> {
    const receiver = await startWebhookReceiver();
    cleanups.push(() => receiver.close());
    const harness = await start({ webhookEndpoints: [{ url: receiver.url, secret: SECRET }], ...options });
    return { ...harness, receiver };
  }

  it('pays out exactly the available balance, and the payout adds up to its transactions to the cent', async () => {
    const time = manualClock();
    const { stripe, sandbox } = await start({ clock: time.clock });
    const first = await pay(stripe, 1234);
    const second = await pay(stripe, 4999);
    const refund = await stripe.refunds.create({ payment_intent: second.id, amount: 1001 });
    time.advanceDays(3);
    const late = await pay(stripe, 777);

    // Refunds leave the balance at once, charges arrive after 7 days: nothing above zero yet.
    expect(sandbox.runPayouts()).toEqual([]);
    time.advanceDays(4);
    const [payout, ...others] = sandbox.runPayouts();
    expect(others).toEqual([]);
    if (payout === undefined) throw new Error('expected a payout');

    const included = [
      await chargeTransactionId(stripe, first),
      await chargeTransactionId(stripe, second),
      refund.balance_transaction as string,
    ];
    const listed = await payoutTransactions(stripe, payout.id);
    const own = must(
      listed.find((transaction) => transaction.type === 'payout'),
      'the payout’s own balance transaction',
    );
    expect(listed.map((transaction) => transaction.id).sort()).toEqual([...included, payout.balance_transaction as string].sort());
    // 1234 − (19 + 25) + 4999 − (75 + 25) − 1001
    expect(payout.amount).toBe(1190 + 4899 - 1001);
    expect(sumNet(listed.filter((transaction) => transaction.type !== 'payout'))).toBe(payout.amount);
    expect(sumNet(listed)).toBe(0);
    expect(own).toMatchObject({
      id: payout.balance_transaction,
      amount: -payout.amount,
      fee: 0,
      fee_details: [],
      net: -payout.amount,
      source: payout.id,
      reporting_category: 'payout',
      status: 'available',
    });

    expect(await stripe.payouts.retrieve(payout.id)).toMatchObject({
      id: payout.id,
      object: 'payout',
      automatic: true,
      currency: 'eur',
      status: 'paid',
      reconciliation_status: 'completed',
      method: 'standard',
      type: 'bank_account',
      failure_code: null,
    });
    expect(payout.id).toMatch(/^po_[A-Za-z0-9]+$/);

    // What was paid out is gone from the balance; the late charge is still pending.
    const balance = await stripe.balance.retrieve();
    expect(availableAmount(balance)).toBe(0);
    expect(pendingAmount(balance)).toBe(777 - 37);

    // Nothing is paid out twice: the next run waits for the late charge, then pays only it.
    expect(sandbox.runPayouts()).toEqual([]);
    time.advanceDays(3);
    const [next] = sandbox.runPayouts();
    if (next === undefined) throw new Error('expected a second payout');
    expect(next.amount).toBe(740);
    expect((await payoutTransactions(stripe, next.id)).map((transaction) => transaction.id).sort()).toEqual(
      [await chargeTransactionId(stripe, late), next.balance_transaction as string].sort(),
    );
  });

  it('lists the transactions of a payout over several pages, through stripe-node’s auto-pagination', async () => {
    const time = manualClock();
    const { stripe, sandbox } = await start({ clock: time.clock });
    const amounts = Array.from({ length: 250 }, (_, index) => 500 + index * 7);
    for (let batch = 0; batch < amounts.length; batch += 25) {
      await Promise.all(amounts.slice(batch, batch + 25).map((amount) => pay(stripe, amount)));
    }
    time.advanceDays(7);
    const [payout] = sandbox.runPayouts();
    if (payout === undefined) throw new Error('expected a payout');
    // A charge after the payout belongs to no payout yet.
    await pay(stripe, 9999);

    const pages: Stripe.ApiList<Stripe.BalanceTransaction>[] = [];
    let cursor: string | undefined;
    do {
      const page = await stripe.balanceTransactions.list({ payout: payout.id, limit: 100, ...(cursor ? { starting_after: cursor } : {}) });
      pages.push(page);
      cursor = page.has_more ? page.data.at(-1)?.id : undefined;
    } while (cursor !== undefined);
    expect(pages.map((page) => [page.data.length, page.has_more])).toEqual([
      [100, true],
      [100, true],
      [51, false],
    ]);

    const all = await payoutTransactions(stripe, payout.id);
    expect(all.map((transaction) => transaction.id)).toEqual(pages.flatMap((page) => page.data.map((transaction) => transaction.id)));
    expect(new Set(all.map((transaction) => transaction.id)).size).toBe(251);
    expect(all[0]).toMatchObject({ id: payout.balance_transaction, type: 'payout' });
    expect(sumNet(all)).toBe(0);
    expect(sumNet(all.filter((transaction) => transaction.type === 'charge'))).toBe(payout.amount);
    expect(
      all
        .filter((transaction) => transaction.type === 'charge')
        .map((transaction) => transaction.amount)
        .sort((a, b) => a - b),
    ).toEqual(amounts);

    // The payout filter combines with the others, and a page can be read backwards.
    const charges = await stripe.balanceTransactions
      .list({ payout: payout.id, type: 'charge', limit: 100 })
      .autoPagingToArray({ limit: 1000 });
    expect(charges).toHaveLength(250);
    const payoutOnly = await stripe.balanceTransactions.list({ payout: payout.id, type: 'payout' });
    expect(payoutOnly.data.map((transaction) => transaction.id)).toEqual([payout.balance_transaction]);
    const bySource = await stripe.balanceTransactions.list({ payout: payout.id, source: payout.id });
    expect(bySource.data.map((transaction) => transaction.id)).toEqual([payout.balance_transaction]);
    const before = await stripe.balanceTransactions.list({ payout: payout.id, limit: 2, ending_before: must(all[3], 'all[3]').id });
    expect(before.data.map((transaction) => transaction.id)).toEqual(all.slice(1, 3).map((transaction) => transaction.id));
    expect(before.has_more).toBe(true);
  });

  it('announces a payout with signed payout.created, payout.paid and payout.reconciliation_completed webhooks', async () => {
    const time = manualClock();
    const { stripe, sandbox, receiver } = await startWithReceiver({ clock: time.clock });
    await pay(stripe, 2000);
    time.advanceDays(7);
    const [payout] = sandbox.runPayouts();
    if (payout === undefined) throw new Error('expected a payout');
    await sandbox.flushWebhooks({ timeoutMs: 5_000 });

    const events = receiver.received
      .map((received) => stripe.webhooks.constructEvent(received.rawBody, received.headers['stripe-signature'] as string, SECRET))
      .filter((event) => event.type.startsWith('payout.'));
    expect(events.map((event) => event.type)).toEqual(['payout.created', 'payout.paid', 'payout.reconciliation_completed']);
    const objects = events.map((event) => event.data.object as Stripe.Payout);
    expect(objects.map((object) => [object.id, object.status, object.reconciliation_status])).toEqual([
      [payout.id, 'in_transit', 'in_progress'],
      [payout.id, 'paid', 'in_progress'],
      [payout.id, 'paid', 'completed'],
    ]);
    expect(events[1]?.data.previous_attributes).toEqual({ status: 'in_transit' });
    expect(events[2]?.data.previous_attributes).toEqual({ reconciliation_status: 'in_progress' });
    expect(events.every((event) => event.request?.id === null)).toBe(true);
    const listed = await stripe.events.list({ type: 'payout.*' });
    expect(listed.data.map((event) => event.type)).toEqual(['payout.reconciliation_completed', 'payout.paid', 'payout.created']);
  });

  it('a failed payout puts the money back on the balance, and the next payout pays it out', async () => {
    const time = manualClock();
    const { stripe, sandbox, receiver } = await startWithReceiver({ clock: time.clock });
    await pay(stripe, 3000);
    time.advanceDays(7);
    sandbox.failNextPayout({ code: 'no_account' });
    const [failed] = sandbox.runPayouts();
    if (failed === undefined) throw new Error('expected a payout');
    expect(failed).toMatchObject({
      status: 'failed',
      failure_code: 'no_account',
      failure_message: expect.stringContaining('No bank account could be located'),
    });
    const failure = await stripe.balanceTransactions.retrieve(failed.failure_balance_transaction as string);
    expect(failure).toMatchObject({
      amount: failed.amount,
      net: failed.amount,
      fee: 0,
      type: 'payout_failure',
      reporting_category: 'payout_reversal',
      source: failed.id,
      status: 'available',
    });
    expect(availableAmount(await stripe.balance.retrieve())).toBe(failed.amount);
    // The failed payout still consists of what it tried to pay out; the refund of it is not in it.
    expect(sumNet(await payoutTransactions(stripe, failed.id))).toBe(0);

    await sandbox.flushWebhooks({ timeoutMs: 5_000 });
    const types = receiver.received
      .map((received) => stripe.webhooks.constructEvent(received.rawBody, received.headers['stripe-signature'] as string, SECRET))
      .filter((event) => event.type.startsWith('payout.'))
      .map((event) => event.type);
    expect(types).toEqual(['payout.created', 'payout.failed']);

    const [retry] = sandbox.runPayouts();
    if (retry === undefined) throw new Error('expected the failed amount to be paid out again');
    expect(retry).toMatchObject({ amount: failed.amount, status: 'paid' });
    expect((await payoutTransactions(stripe, retry.id)).map((transaction) => transaction.id).sort()).toEqual(
      [failure.id, retry.balance_transaction as string].sort(),
    );
    expect(availableAmount(await stripe.balance.retrieve())).toBe(0);
  });

  it('a paid payout can still fail later, as a bank may return it days after', async () => {
    const time = manualClock();
    const { stripe, sandbox } = await start({ clock: time.clock });
    await pay(stripe, 1500);
    time.advanceDays(7);
    const [paid] = sandbox.runPayouts();
    if (paid === undefined) throw new Error('expected a payout');
    time.advanceDays(2);
    const failed = sandbox.failPayout(paid.id);
    expect(failed).toMatchObject({
      status: 'failed',
      failure_code: 'account_closed',
      failure_message: 'The bank account has been closed.',
    });
    expect(await stripe.payouts.retrieve(paid.id)).toMatchObject({
      status: 'failed',
      failure_balance_transaction: failed.failure_balance_transaction,
    });
    const event = must((await stripe.events.list({ type: 'payout.failed' })).data[0], 'payout.failed event');
    expect(event.data.previous_attributes).toEqual({
      status: 'paid',
      failure_code: null,
      failure_message: null,
      failure_balance_transaction: null,
    });
    expect(availableAmount(await stripe.balance.retrieve())).toBe(paid.amount);
    expect(() => sandbox.failPayout(paid.id)).toThrow(/already|failed/);
  });

  it('lists payouts with status, arrival_date and created filters, and expands their balance transactions', async () => {
    const time = manualClock();
    const { stripe, sandbox } = await start({ clock: time.clock });
    await pay(stripe, 1000);
    await pay(stripe, 1000, 'usd');
    time.advanceDays(7);
    sandbox.failNextPayout();
    const firstRun = sandbox.runPayouts();
    // One payout per currency, in currency order; the failure hits the first one made.
    expect(firstRun.map((payout) => [payout.currency, payout.status])).toEqual([
      ['eur', 'failed'],
      ['usd', 'paid'],
    ]);
    time.advanceDays(1);
    const secondRun = sandbox.runPayouts();
    expect(secondRun.map((payout) => [payout.currency, payout.status])).toEqual([['eur', 'paid']]);
    const [firstEur, firstUsd] = firstRun;
    const [secondEur] = secondRun;
    if (!firstEur || !firstUsd || !secondEur) throw new Error('expected three payouts');

    const all = await stripe.payouts.list().autoPagingToArray({ limit: 100 });
    expect(all.map((payout) => payout.id)).toEqual([secondEur.id, firstUsd.id, firstEur.id]);
    expect((await stripe.payouts.list({ status: 'failed' })).data.map((payout) => payout.id)).toEqual([firstEur.id]);
    expect((await stripe.payouts.list({ status: 'paid' })).data.map((payout) => payout.id)).toEqual([secondEur.id, firstUsd.id]);
    expect((await stripe.payouts.list({ arrival_date: { gte: secondEur.arrival_date } })).data.map((payout) => payout.id)).toEqual([
      secondEur.id,
    ]);
    expect((await stripe.payouts.list({ arrival_date: { lt: secondEur.arrival_date } })).data).toHaveLength(2);
    expect((await stripe.payouts.list({ created: { lt: secondEur.created } })).data.map((payout) => payout.id)).toEqual([
      firstUsd.id,
      firstEur.id,
    ]);
    const page = await stripe.payouts.list({ limit: 1, starting_after: secondEur.id });
    expect(page.data.map((payout) => payout.id)).toEqual([firstUsd.id]);
    expect(page.has_more).toBe(true);
    // The arrival date is the day-aligned day the payout was made.
    expect(secondEur.arrival_date % 86_400).toBe(0);
    expect(secondEur.arrival_date).toBeLessThanOrEqual(secondEur.created);

    const expanded = await stripe.payouts.retrieve(firstEur.id, { expand: ['balance_transaction', 'failure_balance_transaction'] });
    expect(expanded.balance_transaction).toMatchObject({ object: 'balance_transaction', type: 'payout', amount: -firstEur.amount });
    expect(expanded.failure_balance_transaction).toMatchObject({ object: 'balance_transaction', type: 'payout_failure' });
    const source = await stripe.balanceTransactions.retrieve(secondEur.balance_transaction as string, { expand: ['source'] });
    expect(source.source).toMatchObject({ object: 'payout', id: secondEur.id });

    expect(await catchError(() => stripe.payouts.retrieve('po_unknown'))).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect(await catchError(() => stripe.balanceTransactions.list({ payout: 'po_unknown' }))).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      param: 'payout',
    });
    expect(await catchError(() => stripe.payouts.list({ status: 'arrived' }))).toMatchObject({ statusCode: 400, param: 'status' });
    expect(await catchError(() => stripe.payouts.list({ currency: 'eur' } as Stripe.PayoutListParams))).toMatchObject({
      statusCode: 400,
      code: 'parameter_unknown',
    });
  });

  it('with payoutSchedule daily, the first request of a day pays out what became available', async () => {
    const time = manualClock();
    const { stripe } = await start({ clock: time.clock, payoutSchedule: 'daily' });
    await pay(stripe, 2500);
    expect((await stripe.payouts.list()).data).toEqual([]);
    time.advanceDays(7);
    const balance = await stripe.balance.retrieve();
    expect(availableAmount(balance)).toBe(0);
    const [payout, ...others] = (await stripe.payouts.list()).data;
    expect(others).toEqual([]);
    expect(payout).toMatchObject({ amount: 2500 - 63, status: 'paid', automatic: true });
    // Later the same day nothing more happens, even with new money on the balance.
    await pay(stripe, 1000);
    await stripe.refunds.create({ payment_intent: (await pay(stripe, 5000)).id, amount: 100 });
    expect((await stripe.payouts.list()).data).toHaveLength(1);
  });

  it('with the default manual schedule, time passing pays nothing out', async () => {
    const time = manualClock();
    const { stripe } = await start({ clock: time.clock });
    await pay(stripe, 2500);
    time.advanceDays(30);
    expect((await stripe.payouts.list()).data).toEqual([]);
    expect(availableAmount(await stripe.balance.retrieve())).toBe(2500 - 63);
    // A schedule the sandbox does not know is refused at start, not treated as manual.
    expect(() => createStripeSandbox({ payoutSchedule: 'weekly' as 'daily' })).toThrow(/payoutSchedule/);
  });

  it('gives every balance transaction Stripe’s reporting category besides its type, fee, net and availability', async () => {
    const time = manualClock();
    const { stripe, sandbox } = await start({ clock: time.clock });
    const paid = await pay(stripe, 5000);
    await stripe.refunds.create({ payment_intent: paid.id, amount: 500 });
    await pay(stripe, 4000, 'eur', 'pm_card_createDispute');
    await pay(stripe, 3000, 'eur', 'pm_card_createDispute');
    await sandbox.flushWebhooks({ timeoutMs: 5_000 });
    const disputes = (await stripe.disputes.list()).data;
    expect(disputes).toHaveLength(2);
    const [won, lost] = disputes;
    if (!won || !lost) throw new Error('expected two disputes');
    sandbox.closeDispute(won.id, 'won');
    sandbox.closeDispute(lost.id, 'lost');
    time.advanceDays(7);
    sandbox.failNextPayout();
    const [payout] = sandbox.runPayouts();
    if (payout === undefined) throw new Error('expected a payout');

    const all = await stripe.balanceTransactions.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
    const categories = all.map((transaction) => `${transaction.type}/${transaction.reporting_category}`).sort();
    expect(categories).toEqual(
      [
        'adjustment/dispute',
        'adjustment/dispute',
        'adjustment/dispute_reversal',
        'charge/charge',
        'charge/charge',
        'charge/charge',
        'payout/payout',
        'payout_failure/payout_reversal',
        'refund/refund',
      ].sort(),
    );
    for (const transaction of all) {
      expect(transaction.net).toBe(transaction.amount - transaction.fee);
      expect(transaction.fee).toBe(transaction.fee_details.reduce((sum, detail) => sum + detail.amount, 0));
      expect(typeof transaction.source).toBe('string');
      expect(Number.isInteger(transaction.available_on)).toBe(true);
      expect(transaction.status).toBe(transaction.available_on <= Math.floor(time.clock().getTime() / 1000) ? 'available' : 'pending');
    }
    // The dispute fee stays with a won dispute: only the amount comes back.
    const reversal = all.find((transaction) => transaction.reporting_category === 'dispute_reversal');
    expect(reversal).toMatchObject({ amount: won.amount, fee: 0, source: won.id });
    const withdrawals = all.filter((transaction) => transaction.reporting_category === 'dispute');
    expect(withdrawals.map((transaction) => [transaction.source, transaction.amount, transaction.fee]).sort()).toEqual(
      [
        [won.id, -won.amount, 2000],
        [lost.id, -lost.amount, 2000],
      ].sort(),
    );
  });
});

describe('stripe sandbox: payouts kept in a file', () => {
  const dirs: string[] = [];
  const sandboxes: StripeSandbox[] = [];
  afterEach(async () => {
    for (const sandbox of sandboxes.splice(0)) await sandbox.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function open(file: string, clock: () => Date): Promise<{ sandbox: StripeSandbox; stripe: Stripe }> {
    // Tiny compaction and cache limits, so the objects are read back from the files, not from memory.
    const sandbox = createStripeSandbox({ store: createFileStore(file, { compactAfterLines: 5, cacheObjects: 2 }), clock });
    sandboxes.push(sandbox);
    await sandbox.listen({ port: 0 });
    return { sandbox, stripe: new Stripe('sk_test_file', { ...sandbox.clientOptions(), maxNetworkRetries: 0 }) };
  }

  it('a restarted sandbox still knows its payouts and their transactions, and pays nothing out twice', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-payouts-'));
    dirs.push(dir);
    const file = path.join(dir, 'stripe-sandbox.json');
    const time = manualClock();

    const first = await open(file, time.clock);
    for (const amount of [1000, 2000, 3000]) await pay(first.stripe, amount);
    time.advanceDays(7);
    const [payout] = first.sandbox.runPayouts();
    if (payout === undefined) throw new Error('expected a payout');
    const late = await pay(first.stripe, 4000);
    const before = await payoutTransactions(first.stripe, payout.id);
    await first.sandbox.close();

    const second = await open(file, time.clock);
    expect(await second.stripe.payouts.retrieve(payout.id)).toMatchObject({ status: 'paid', amount: payout.amount });
    expect(await payoutTransactions(second.stripe, payout.id)).toEqual(before);
    expect(second.sandbox.runPayouts()).toEqual([]);
    time.advanceDays(7);
    const [next, ...others] = second.sandbox.runPayouts();
    expect(others).toEqual([]);
    if (next === undefined) throw new Error('expected a second payout');
    expect((await payoutTransactions(second.stripe, next.id)).map((transaction) => transaction.id).sort()).toEqual(
      [await chargeTransactionId(second.stripe, late), next.balance_transaction as string].sort(),
    );
    expect(availableAmount(await second.stripe.balance.retrieve())).toBe(0);
  });
});

describe('stripe sandbox: fees', () => {
  const harnesses: SandboxHarness[] = [];
  afterEach(async () => {
    for (const harness of harnesses.splice(0)) await harness.sandbox.close();
  });

  async function start(options: StripeSandboxOptions = {}): Promise<SandboxHarness> {
    const harness = await startSandbox({ disputeDelayMs: 1, ...options });
    harnesses.push(harness);
    return harness;
  }

  async function chargeTransaction(stripe: Stripe, amount: number, paymentMethod = 'pm_card_visa'): Promise<Stripe.BalanceTransaction> {
    const paid = await stripe.paymentIntents.create({ amount, currency: 'eur', payment_method: paymentMethod, confirm: true });
    const charge = await stripe.charges.retrieve(paid.latest_charge as string);
    return stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
  }

  it('charges Stripe’s EEA card price by default: 1.5 % + €0.25, rounded to the cent', async () => {
    const { stripe } = await start();
    const transaction = await chargeTransaction(stripe, 1234);
    // 1.5 % of €12.34 is 18.51 cents, so 19 + 25.
    expect(transaction).toMatchObject({ amount: 1234, fee: 44, net: 1190, type: 'charge', reporting_category: 'charge' });
    expect(transaction.fee_details).toEqual([
      { amount: 44, application: null, currency: 'eur', description: 'Stripe processing fees', type: 'stripe_fee' },
    ]);
  });

  it('bills a configured price list for charges and disputes', async () => {
    const { stripe, sandbox } = await start({ fees: { percentBasisPoints: 290, fixedCents: 30, disputeCents: 1500 } });
    const transaction = await chargeTransaction(stripe, 1000);
    expect(transaction).toMatchObject({ amount: 1000, fee: 59, net: 941 });
    expect(must(transaction.fee_details[0], 'fee_details[0]').amount).toBe(59);

    const disputed = await chargeTransaction(stripe, 1000, 'pm_card_createDispute');
    await sandbox.flushWebhooks({ timeoutMs: 5_000 });
    const [dispute] = (await stripe.disputes.list()).data;
    const withdrawal = must(must(dispute, 'dispute').balance_transactions[0], 'withdrawal');
    expect(withdrawal).toMatchObject({ amount: -1000, fee: 1500, net: -2500, reporting_category: 'dispute' });
    expect(disputed.fee).toBe(59);
  });

  it('refuses a fee that is not a non-negative whole number, naming it', () => {
    expect(() => createStripeSandbox({ fees: { fixedCents: 2.5 } })).toThrow(/fees\.fixedCents/);
    expect(() => createStripeSandbox({ fees: { percentBasisPoints: -1 } })).toThrow(/fees\.percentBasisPoints/);
    expect(() => createStripeSandbox({ fees: { disputeCents: Number.NaN } })).toThrow(/fees\.disputeCents/);
  });
});
