import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catchError, startSandbox, type SandboxHarness } from './helpers.ts';
import { must } from '../helpers/must.ts';

describe('stripe sandbox: refunds', () => {
  let harness: SandboxHarness;
  let stripe: Stripe;

  async function paidIntent(amount = 2000): Promise<Stripe.PaymentIntent> {
    return stripe.paymentIntents.create({ amount, currency: 'eur', payment_method: 'pm_card_visa', confirm: true });
  }

  beforeEach(async () => {
    harness = await startSandbox();
    stripe = harness.stripe;
  });

  afterEach(async () => {
    await harness.sandbox.close();
  });

  it('refunds the full remaining amount by default and marks the charge refunded', async () => {
    const paymentIntent = await paidIntent(2000);
    const refund = await stripe.refunds.create({
      payment_intent: paymentIntent.id,
      reason: 'requested_by_customer',
      metadata: { ticket: 't1' },
    });
    expect(refund).toMatchObject({
      object: 'refund',
      amount: 2000,
      currency: 'eur',
      status: 'succeeded',
      reason: 'requested_by_customer',
      payment_intent: paymentIntent.id,
      charge: paymentIntent.latest_charge,
      metadata: { ticket: 't1' },
    });
    expect(refund.id).toMatch(/^re_/);

    const charge = await stripe.charges.retrieve(paymentIntent.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 2000, refunded: true });

    const transaction = await stripe.balanceTransactions.retrieve(refund.balance_transaction as string);
    expect(transaction).toMatchObject({
      amount: -2000,
      fee: 0,
      net: -2000,
      type: 'refund',
      reporting_category: 'refund',
      source: refund.id,
    });

    const types = harness.sandbox.events().map((event) => event.type);
    expect(types.slice(-2)).toEqual(['refund.created', 'charge.refunded']);
    const chargeRefunded = must(harness.sandbox.events().at(-1), 'harness.sandbox.events().at(-1)');
    expect(chargeRefunded.data.previous_attributes).toEqual({ amount_refunded: 0, refunded: false });
    expect(await stripe.refunds.retrieve(refund.id)).toEqual(refund);
  });

  it('supports partial refunds by charge and rejects refunding more than remains', async () => {
    const paymentIntent = await paidIntent(2000);
    const chargeId = paymentIntent.latest_charge as string;
    const first = await stripe.refunds.create({ charge: chargeId, amount: 500 });
    expect(first.amount).toBe(500);
    let charge = await stripe.charges.retrieve(chargeId);
    expect(charge).toMatchObject({ amount_refunded: 500, refunded: false });

    const tooMuch = await catchError(() => stripe.refunds.create({ charge: chargeId, amount: 1600 }));
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMuch).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });
    expect(tooMuch.message).toBe('Refund amount (€16.00) is greater than unrefunded amount on charge (€15.00)');

    const rest = await stripe.refunds.create({ payment_intent: paymentIntent.id });
    expect(rest.amount).toBe(1500);
    charge = await stripe.charges.retrieve(chargeId);
    expect(charge).toMatchObject({ amount_refunded: 2000, refunded: true });

    const again = await catchError(() => stripe.refunds.create({ payment_intent: paymentIntent.id, amount: 1 }));
    expect(again).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
    expect(again.message).toBe(`Charge ${chargeId} has already been refunded.`);
  });

  it('refuses refunds for unpaid PaymentIntents, unknown ids and invalid reasons', async () => {
    const open = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur' });
    const unpaid = await catchError(() => stripe.refunds.create({ payment_intent: open.id }));
    expect(unpaid).toMatchObject({ statusCode: 400, param: 'payment_intent' });

    const unknown = await catchError(() => stripe.refunds.create({ payment_intent: 'pi_unknown' }));
    expect(unknown).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'payment_intent' });

    const neither = await catchError(() => stripe.refunds.create({}));
    expect(neither).toMatchObject({ statusCode: 400, code: 'parameter_missing' });

    const paid = await paidIntent();
    const badReason = await catchError(() =>
      stripe.refunds.create({ payment_intent: paid.id, reason: 'changed_mind' as Stripe.RefundCreateParams.Reason }),
    );
    expect(badReason).toMatchObject({ statusCode: 400, param: 'reason' });

    const negative = await catchError(() => stripe.refunds.create({ payment_intent: paid.id, amount: -5 }));
    expect(negative).toMatchObject({ statusCode: 400, param: 'amount', code: 'parameter_invalid_integer' });
  });

  it('lists refunds filtered by payment_intent', async () => {
    const a = await paidIntent(3000);
    const b = await paidIntent(3000);
    await stripe.refunds.create({ payment_intent: a.id, amount: 1000 });
    await stripe.refunds.create({ payment_intent: b.id, amount: 1000 });
    await stripe.refunds.create({ payment_intent: a.id, amount: 1000 });

    const forA = await stripe.refunds.list({ payment_intent: a.id });
    expect(forA.data).toHaveLength(2);
    expect(forA.data.every((refund) => refund.payment_intent === a.id)).toBe(true);
    expect(forA.url).toBe('/v1/refunds');
    const all = await stripe.refunds.list({ limit: 2 });
    expect(all.data).toHaveLength(2);
    expect(all.has_more).toBe(true);
  });

  it('lists balance transactions for reconciliation, filtered by type', async () => {
    const paid = await paidIntent(10_000);
    await stripe.refunds.create({ payment_intent: paid.id, amount: 2500 });
    const charges = await stripe.balanceTransactions.list({ type: 'charge' });
    expect(charges.data).toHaveLength(1);
    expect(charges.data[0]).toMatchObject({ amount: 10_000, fee: 175, net: 9825 });
    const all = await stripe.balanceTransactions.list();
    expect(all.data.map((transaction) => transaction.type)).toEqual(['refund', 'charge']);
    const sum = all.data.reduce((total, transaction) => total + transaction.net, 0);
    expect(sum).toBe(9825 - 2500);
  });

  it('moves charge funds from pending to available after seven days, as the balance shows', async () => {
    let now = new Date('2026-04-01T09:30:00Z');
    const clocked = await startSandbox({ clock: () => now });
    try {
      const paid = await clocked.stripe.paymentIntents.create({
        amount: 10_000,
        currency: 'eur',
        payment_method: 'pm_card_visa',
        confirm: true,
      });
      await clocked.stripe.refunds.create({ payment_intent: paid.id, amount: 1_000 });
      const before = await clocked.stripe.balance.retrieve();
      expect(before).toMatchObject({ object: 'balance', livemode: false });
      expect(before.pending).toEqual([{ amount: 9825, currency: 'eur', source_types: { card: 9825 } }]);
      expect(before.available).toEqual([{ amount: -1000, currency: 'eur', source_types: { card: -1000 } }]);

      const listed = await clocked.stripe.balanceTransactions.list({ type: 'charge', expand: ['data.source'] });
      const transaction = must(listed.data[0], 'listed.data[0]');
      expect(transaction.status).toBe('pending');
      expect(transaction.available_on).toBe(Date.parse('2026-04-08T00:00:00Z') / 1000);
      expect((transaction.source as Stripe.Charge).object).toBe('charge');

      now = new Date('2026-04-08T00:00:01Z');
      const after = await clocked.stripe.balance.retrieve();
      expect(after.available).toEqual([{ amount: 8825, currency: 'eur', source_types: { card: 8825 } }]);
      expect(after.pending).toEqual([{ amount: 0, currency: 'eur', source_types: { card: 0 } }]);
      expect((await clocked.stripe.balanceTransactions.retrieve(transaction.id)).status).toBe('available');
    } finally {
      await clocked.sandbox.close();
    }
  });
});
