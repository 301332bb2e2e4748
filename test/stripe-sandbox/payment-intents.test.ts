import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catchError, rawRequest, startSandbox, type SandboxHarness } from './helpers.ts';
import { must } from '../helpers/must.ts';

describe('stripe sandbox: payment intents', () => {
  let harness: SandboxHarness;
  let stripe: Stripe;

  beforeEach(async () => {
    harness = await startSandbox();
    stripe = harness.stripe;
  });

  afterEach(async () => {
    await harness.sandbox.close();
  });

  it('creates a PaymentIntent awaiting a payment method, with a client secret', async () => {
    const paymentIntent = await stripe.paymentIntents.create({
      amount: 1290,
      currency: 'eur',
      description: 'Courier delivery of ID card',
      metadata: { booking_id: 'bk_123', office: 'berlin-mitte' },
      automatic_payment_methods: { enabled: true },
      receipt_email: 'citizen@example.org',
    });
    expect(paymentIntent).toMatchObject({
      object: 'payment_intent',
      amount: 1290,
      currency: 'eur',
      status: 'requires_payment_method',
      capture_method: 'automatic_async',
      livemode: false,
      metadata: { booking_id: 'bk_123', office: 'berlin-mitte' },
      receipt_email: 'citizen@example.org',
      latest_charge: null,
      automatic_payment_methods: { enabled: true },
    });
    expect(paymentIntent.id).toMatch(/^pi_[A-Za-z0-9]{24}$/);
    expect(paymentIntent.client_secret).toMatch(new RegExp(`^${paymentIntent.id}_secret_[A-Za-z0-9]+$`));
    expect(Number.isInteger(paymentIntent.created)).toBe(true);
    // Stamped now; the margin (it was 5 s) allows for a loaded 2-core machine.
    expect(Math.abs(paymentIntent.created - Date.now() / 1000)).toBeLessThan(25);

    const retrieved = await stripe.paymentIntents.retrieve(paymentIntent.id);
    expect(retrieved).toEqual(paymentIntent);
  });

  it('confirms with pm_card_visa: succeeded, with a charge and a balance transaction carrying a fee', async () => {
    const created = await stripe.paymentIntents.create({ amount: 2000, currency: 'eur', capture_method: 'automatic' });
    const confirmed = await stripe.paymentIntents.confirm(created.id, { payment_method: 'pm_card_visa' });

    expect(confirmed.status).toBe('succeeded');
    expect(confirmed.amount_received).toBe(2000);
    expect(confirmed.payment_method).toMatch(/^pm_/);
    expect(confirmed.payment_method).not.toBe('pm_card_visa');
    expect(confirmed.latest_charge).toMatch(/^ch_/);

    const charge = await stripe.charges.retrieve(confirmed.latest_charge as string);
    expect(charge).toMatchObject({
      object: 'charge',
      amount: 2000,
      amount_captured: 2000,
      amount_refunded: 0,
      captured: true,
      paid: true,
      refunded: false,
      status: 'succeeded',
      payment_intent: created.id,
      currency: 'eur',
      payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242' } },
    });
    expect(charge.balance_transaction).toMatch(/^txn_/);

    const transaction = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
    // 1.5 % + €0.25 of €20.00
    expect(transaction).toMatchObject({
      object: 'balance_transaction',
      amount: 2000,
      fee: 55,
      net: 1945,
      currency: 'eur',
      type: 'charge',
      reporting_category: 'charge',
      source: charge.id,
      status: 'pending',
    });
    expect(transaction.fee_details).toEqual([
      { amount: 55, application: null, currency: 'eur', description: 'Stripe processing fees', type: 'stripe_fee' },
    ]);
    expect(transaction.available_on).toBeGreaterThan(transaction.created);
  });

  it('expands latest_charge and its balance transaction like Stripe', async () => {
    const created = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur' });
    await stripe.paymentIntents.confirm(created.id, { payment_method: 'pm_card_mastercard' });
    const expanded = await stripe.paymentIntents.retrieve(created.id, { expand: ['latest_charge.balance_transaction'] });
    const charge = expanded.latest_charge as Stripe.Charge;
    expect(charge.object).toBe('charge');
    expect((charge.balance_transaction as Stripe.BalanceTransaction).object).toBe('balance_transaction');

    const error = await catchError(() => stripe.paymentIntents.retrieve(created.id, { expand: ['currency'] }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.message).toBe('This property cannot be expanded (currency).');

    // A bad expand is rejected before the request changes anything.
    const fresh = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur' });
    const rejected = await catchError(() =>
      stripe.paymentIntents.confirm(fresh.id, { payment_method: 'pm_card_visa', expand: ['latest_charge.nope'] }),
    );
    expect(rejected.param).toBe('expand');
    expect((await stripe.paymentIntents.retrieve(fresh.id)).status).toBe('requires_payment_method');

    const listed = await stripe.charges.list({ expand: ['data.payment_intent'] });
    expect((must(listed.data[0], 'listed.data[0]').payment_intent as Stripe.PaymentIntent).object).toBe('payment_intent');
  });

  it('creates and confirms in one call with confirm=true', async () => {
    const paymentIntent = await stripe.paymentIntents.create({
      amount: 990,
      currency: 'eur',
      payment_method: 'pm_card_visa',
      confirm: true,
      allowed_payment_method_types: ['card'],
    });
    expect(paymentIntent.status).toBe('succeeded');
    expect(paymentIntent.automatic_payment_methods).toBeNull();
    expect(paymentIntent.allowed_payment_method_types).toEqual(['card']);
    expect(paymentIntent.payment_method_types).toEqual(['card']);

    const sepa = await catchError(() =>
      stripe.paymentIntents.create({ amount: 990, currency: 'eur', allowed_payment_method_types: ['sepa_debit'] }),
    );
    expect(sepa).toMatchObject({ statusCode: 400, code: 'payment_method_unactivated', param: 'allowed_payment_method_types' });
  });

  it('declines pm_card_chargeDeclined with a StripeCardError and emits payment_intent.payment_failed', async () => {
    const created = await stripe.paymentIntents.create({ amount: 1500, currency: 'eur' });
    const error = await catchError(() => stripe.paymentIntents.confirm(created.id, { payment_method: 'pm_card_chargeDeclined' }));

    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error.statusCode).toBe(402);
    expect(error.type).toBe('StripeCardError');
    expect(error.code).toBe('card_declined');
    expect(error.decline_code).toBe('generic_decline');
    expect(error.message).toBe('Your card was declined.');
    expect(error.payment_intent?.id).toBe(created.id);
    expect(error.payment_intent?.status).toBe('requires_payment_method');

    const after = await stripe.paymentIntents.retrieve(created.id);
    expect(after.status).toBe('requires_payment_method');
    expect(after.last_payment_error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'generic_decline' });
    const failedCharge = await stripe.charges.retrieve(after.latest_charge as string);
    expect(failedCharge).toMatchObject({ status: 'failed', paid: false, failure_code: 'card_declined', balance_transaction: null });

    const events = await stripe.events.list({ type: 'payment_intent.payment_failed' });
    expect(events.data).toHaveLength(1);
    expect((must(events.data[0], 'events.data[0]').data.object as Stripe.PaymentIntent).id).toBe(created.id);

    // A declined PaymentIntent can be paid with another card afterwards.
    const retried = await stripe.paymentIntents.confirm(created.id, { payment_method: 'pm_card_visa' });
    expect(retried.status).toBe('succeeded');
    expect(retried.last_payment_error).toBeNull();
  });

  it('reports insufficient funds and expired cards with their decline codes', async () => {
    const first = await stripe.paymentIntents.create({ amount: 1500, currency: 'eur' });
    const insufficient = await catchError(() =>
      stripe.paymentIntents.confirm(first.id, { payment_method: 'pm_card_chargeDeclinedInsufficientFunds' }),
    );
    expect(insufficient.decline_code).toBe('insufficient_funds');
    const expired = await catchError(() =>
      stripe.paymentIntents.confirm(first.id, { payment_method: 'pm_card_chargeDeclinedExpiredCard' }),
    );
    expect(expired.code).toBe('expired_card');
  });

  it('cancels, and refuses to cancel or confirm a PaymentIntent in a final state', async () => {
    const open = await stripe.paymentIntents.create({ amount: 1500, currency: 'eur' });
    const canceled = await stripe.paymentIntents.cancel(open.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
    expect(canceled.canceled_at).toEqual(expect.any(Number));

    const again = await catchError(() => stripe.paymentIntents.cancel(open.id));
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again.code).toBe('payment_intent_unexpected_state');
    expect(again.statusCode).toBe(400);

    const confirmCanceled = await catchError(() => stripe.paymentIntents.confirm(open.id, { payment_method: 'pm_card_visa' }));
    expect(confirmCanceled.code).toBe('payment_intent_unexpected_state');

    const paid = await stripe.paymentIntents.create({ amount: 1500, currency: 'eur', payment_method: 'pm_card_visa', confirm: true });
    const cancelPaid = await catchError(() => stripe.paymentIntents.cancel(paid.id));
    expect(cancelPaid.code).toBe('payment_intent_unexpected_state');
    expect(cancelPaid.message).toContain('status of succeeded');
    const confirmPaid = await catchError(() => stripe.paymentIntents.confirm(paid.id, { payment_method: 'pm_card_visa' }));
    expect(confirmPaid.message).toContain('already succeeded');

    const events = harness.sandbox.events().map((event) => event.type);
    expect(events).toContain('payment_intent.canceled');
  });

  it('updates metadata and amount before payment, and only metadata afterwards', async () => {
    const created = await stripe.paymentIntents.create({ amount: 1500, currency: 'eur', metadata: { a: '1', b: '2' } });
    const updated = await stripe.paymentIntents.update(created.id, { amount: 1800, metadata: { b: '', c: '3' } });
    expect(updated.amount).toBe(1800);
    expect(updated.metadata).toEqual({ a: '1', c: '3' });

    await stripe.paymentIntents.confirm(created.id, { payment_method: 'pm_card_visa' });
    const note = await stripe.paymentIntents.update(created.id, { metadata: { note: 'delivered' } });
    expect(note.metadata).toEqual({ a: '1', c: '3', note: 'delivered' });
    const error = await catchError(() => stripe.paymentIntents.update(created.id, { amount: 2000 }));
    expect(error.code).toBe('payment_intent_unexpected_state');
    expect(error.param).toBe('amount');
  });

  it('rejects bad parameters the way Stripe does', async () => {
    const missing = await catchError(() => stripe.paymentIntents.create({ currency: 'eur' } as Stripe.PaymentIntentCreateParams));
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({ code: 'parameter_missing', param: 'amount', statusCode: 400 });

    const notInteger = await catchError(() =>
      stripe.paymentIntents.create({ amount: 'twelve', currency: 'eur' } as unknown as Stripe.PaymentIntentCreateParams),
    );
    expect(notInteger).toMatchObject({ code: 'parameter_invalid_integer', param: 'amount', message: 'Invalid integer: twelve' });

    const unknown = await catchError(() =>
      stripe.paymentIntents.create({ amount: 1000, currency: 'eur', colour: 'blue' } as unknown as Stripe.PaymentIntentCreateParams),
    );
    expect(unknown).toMatchObject({ code: 'parameter_unknown', param: 'colour', message: 'Received unknown parameter: colour' });

    const tooSmall = await catchError(() => stripe.paymentIntents.create({ amount: 10, currency: 'eur' }));
    expect(tooSmall).toMatchObject({ code: 'amount_too_small', param: 'amount' });

    const unknownCard = await catchError(async () => {
      const paymentIntent = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur' });
      await stripe.paymentIntents.confirm(paymentIntent.id, { payment_method: 'pm_does_not_exist' });
    });
    expect(unknownCard).toMatchObject({ code: 'resource_missing', param: 'payment_method', statusCode: 404 });
  });

  it('accepts only form-encoded bodies, as Stripe does', async () => {
    const json = await rawRequest(`${harness.url}/v1/payment_intents`, {
      method: 'POST',
      headers: { Authorization: 'Bearer sk_test_x', 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount: 1000, currency: 'eur' }),
    });
    expect(json.status).toBe(400);
    expect(json.json).toMatchObject({ error: { type: 'invalid_request_error', param: 'body' } });

    const basicAuth = await rawRequest(`${harness.url}/v1/payment_intents`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from('sk_test_x:').toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'amount=1000&currency=eur&metadata[booking_id]=bk_7',
    });
    expect(basicAuth.status).toBe(200);
    expect(basicAuth.json).toMatchObject({ object: 'payment_intent', metadata: { booking_id: 'bk_7' } });
  });

  it('answers unknown ids with 404 resource_missing in Stripe’s error shape', async () => {
    const error = await catchError(() => stripe.paymentIntents.retrieve('pi_doesnotexist'));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      param: 'id',
      message: "No such payment_intent: 'pi_doesnotexist'",
      doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
    });
    expect(error.requestId).toMatch(/^req_/);

    const raw = await rawRequest(`${harness.url}/v1/charges/ch_missing`, { headers: { Authorization: 'Bearer sk_test_x' } });
    expect(raw.status).toBe(404);
    expect(raw.json).toEqual({
      error: {
        type: 'invalid_request_error',
        code: 'resource_missing',
        doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
        message: "No such charge: 'ch_missing'",
        param: 'id',
      },
    });
    expect(raw.headers.get('request-id')).toMatch(/^req_/);
  });

  it('requires a test-mode secret key', async () => {
    const anonymous = await rawRequest(`${harness.url}/v1/payment_intents`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect((anonymous.json as { error: { message: string } }).error.message).toContain('You did not provide an API key');

    const live = new Stripe('sk_live_realmoney', { host: '127.0.0.1', port: harness.port, protocol: 'http', maxNetworkRetries: 0 });
    const error = await catchError(() => live.paymentIntents.list());
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(error.statusCode).toBe(401);

    const unknownRoute = await catchError(() => stripe.customers.list());
    expect(unknownRoute).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(unknownRoute.message).toContain('Unrecognized request URL (GET: /v1/customers)');
  });

  it('stamps created from the injected clock', async () => {
    const fixed = new Date('2026-03-01T10:00:00Z');
    const clocked = await startSandbox({ clock: () => fixed });
    try {
      const paymentIntent = await clocked.stripe.paymentIntents.create({ amount: 1000, currency: 'eur' });
      expect(paymentIntent.created).toBe(fixed.getTime() / 1000);
    } finally {
      await clocked.sandbox.close();
    }
  });
});
