import type Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { createStripeSandbox, type StripeSandboxOptions } from '../../src/stripe-sandbox/index.ts';
import { startSandbox, type SandboxHarness } from './helpers.ts';
import { must } from '../helpers/must.ts';

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
