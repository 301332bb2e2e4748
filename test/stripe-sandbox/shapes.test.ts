import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { EventObjects } from '../../src/stripe-sandbox/events.ts';
import type { StoredObjects } from '../../src/stripe-sandbox/store.ts';
import { startSandbox, type SandboxHarness } from './helpers.ts';
import { must } from '../helpers/must.ts';

/**
 * The sandbox's objects against Stripe's published example objects (stripe/openapi
 * fixtures3.json, a subset kept in ./fixtures) and against stripe-node's types.
 */

const FIXTURES_PATH = new URL('./fixtures/stripe-fixtures3-subset.json', import.meta.url);

type Json = Record<string, unknown>;

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Paths (dot-separated) present in the fixture but missing in ours, recursing into nested
 * objects both sides have. Fixture keys under free-form maps (metadata) are not fields.
 */
function missingFields(fixture: Json, ours: Json, prefix = ''): string[] {
  const missing: string[] = [];
  for (const [key, value] of Object.entries(fixture)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    // Free-form maps, and the event's payload, which is compared as its own type.
    if (key === 'metadata' || path === 'data.object') continue;
    if (!(key in ours)) {
      missing.push(path);
      continue;
    }
    const mine = ours[key];
    if (isPlainObject(value) && isPlainObject(mine)) missing.push(...missingFields(value, mine, path));
  }
  return missing;
}

/** Same `typeof` for every field both have, where neither side is null. */
function typeMismatches(fixture: Json, ours: Json, prefix = ''): string[] {
  const mismatches: string[] = [];
  for (const [key, value] of Object.entries(fixture)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const mine = ours[key];
    if (value === null || mine === null || mine === undefined || key === 'metadata' || path === 'data.object') continue;
    if (Array.isArray(value) !== Array.isArray(mine) || typeof value !== typeof mine) {
      // An expandable field may be an id string in ours and an object in the fixture.
      if (!(typeof mine === 'string' && isPlainObject(value))) mismatches.push(path);
      continue;
    }
    if (isPlainObject(value) && isPlainObject(mine)) mismatches.push(...typeMismatches(value, mine, path));
  }
  return mismatches;
}

describe('stripe sandbox: objects match Stripe’s published fixtures', () => {
  let harness: SandboxHarness;
  let fixtures: Record<string, Json>;
  const ours: Record<string, Json> = {};

  beforeAll(async () => {
    fixtures = (JSON.parse(readFileSync(FIXTURES_PATH, 'utf8')) as { resources: Record<string, Json> }).resources;
    // A clock the test moves, so the charge's funds become available for a payout.
    let nowMs = Date.now();
    harness = await startSandbox({ disputeDelayMs: 1, clock: () => new Date(nowMs) });
    const { stripe, sandbox } = harness;
    const endpoint = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/hooks', enabled_events: ['*'] });
    await stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
    const paid = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur', payment_method: 'pm_card_visa', confirm: true });
    const refund = await stripe.refunds.create({ payment_intent: paid.id, amount: 100 });
    const charge = await stripe.charges.retrieve(paid.latest_charge as string);
    const disputed = await stripe.paymentIntents.create({
      amount: 1000,
      currency: 'eur',
      payment_method: 'pm_card_createDispute',
      confirm: true,
    });
    await sandbox.flushWebhooks();
    const dispute = must(
      (await stripe.disputes.list({ payment_intent: disputed.id })).data[0],
      '(await stripe.disputes.list({ payment_intent: disputed.id })).data[0]',
    );
    // Enough to cover the dispute above, so the balance is above zero when payouts run.
    await stripe.paymentIntents.create({ amount: 10_000, currency: 'eur', payment_method: 'pm_card_visa', confirm: true });
    nowMs += 8 * 86_400_000;
    const payout = must(sandbox.runPayouts()[0], 'sandbox.runPayouts()[0]');
    const strip = (value: object): Json => JSON.parse(JSON.stringify(value)) as Json;
    Object.assign(ours, {
      payment_intent: strip(paid),
      charge: strip(charge),
      refund: strip(refund),
      balance_transaction: strip(await stripe.balanceTransactions.retrieve(charge.balance_transaction as string)),
      dispute: strip(dispute),
      payment_method: strip(await stripe.paymentMethods.retrieve(paid.payment_method as string)),
      payout: strip(await stripe.payouts.retrieve(payout.id)),
      event: strip(must((await stripe.events.list({ limit: 1 })).data[0], '(await stripe.events.list({ limit: 1 })).data[0]')),
      webhook_endpoint: strip(endpoint),
    });
  });

  afterAll(async () => {
    await harness.sandbox.close();
  });

  // Fields of the fixture the sandbox leaves out on purpose.
  const OMITTED: Record<string, string[]> = {
    // Since API version 2022-11-15 Charge.refunds is only returned when expanded.
    charge: ['refunds'],
  };

  it.each([
    'payment_intent',
    'charge',
    'refund',
    'balance_transaction',
    'dispute',
    'payment_method',
    'payout',
    'event',
    'webhook_endpoint',
  ])('%s carries every field of Stripe’s example, with the same JSON types', (type) => {
    const fixture = must(fixtures[type], 'fixtures[type]');
    const mine = must(ours[type], 'ours[type]');
    expect(mine.object).toBe(fixture.object);
    expect(missingFields(fixture, mine).filter((path) => !(OMITTED[type] ?? []).includes(path))).toEqual([]);
    expect(typeMismatches(fixture, mine)).toEqual([]);
    expect(Number.isInteger(mine.created)).toBe(true);
    expect(String(mine.id)).toMatch(/^(pi|ch|re|txn|dp|pm|po|evt|we)_[A-Za-z0-9]+$/);
  });

  it('uses Stripe’s id prefixes and list envelope', async () => {
    const list = await harness.stripe.charges.list({ limit: 1 });
    expect(Object.keys(JSON.parse(JSON.stringify(list)) as Json).sort()).toEqual(['data', 'has_more', 'object', 'url']);
    expect(must(ours.payment_intent, 'ours.payment_intent').id).toMatch(/^pi_/);
    expect(must(ours.charge, 'ours.charge').id).toMatch(/^ch_/);
    expect(must(ours.refund, 'ours.refund').id).toMatch(/^re_/);
    expect(must(ours.balance_transaction, 'ours.balance_transaction').id).toMatch(/^txn_/);
    expect(must(ours.dispute, 'ours.dispute').id).toMatch(/^dp_/);
    expect(must(ours.payout, 'ours.payout').id).toMatch(/^po_/);
    expect(must(ours.event, 'ours.event').id).toMatch(/^evt_/);
  });
});

describe('stripe sandbox: types line up with stripe-node', () => {
  it('stores objects typed as stripe-node’s resources', () => {
    expectTypeOf<StoredObjects['payment_intent']>().toEqualTypeOf<Stripe.PaymentIntent>();
    expectTypeOf<StoredObjects['charge']>().toEqualTypeOf<Stripe.Charge>();
    expectTypeOf<StoredObjects['refund']>().toEqualTypeOf<Stripe.Refund>();
    expectTypeOf<StoredObjects['balance_transaction']>().toEqualTypeOf<Stripe.BalanceTransaction>();
    expectTypeOf<StoredObjects['dispute']>().toEqualTypeOf<Stripe.Dispute>();
    expectTypeOf<StoredObjects['payout']>().toEqualTypeOf<Stripe.Payout>();
    expectTypeOf<StoredObjects['event']>().toEqualTypeOf<Stripe.Event>();
    expectTypeOf<StoredObjects['webhook_endpoint']>().toExtend<Stripe.WebhookEndpoint>();
  });

  it('pairs each emitted event type with the object stripe-node declares for it', () => {
    type DataObject<T extends keyof EventObjects> = Extract<Stripe.Event, { type: T }>['data']['object'];
    expectTypeOf<EventObjects['payment_intent.created']>().toEqualTypeOf<DataObject<'payment_intent.created'>>();
    expectTypeOf<EventObjects['payment_intent.succeeded']>().toEqualTypeOf<DataObject<'payment_intent.succeeded'>>();
    expectTypeOf<EventObjects['payment_intent.payment_failed']>().toEqualTypeOf<DataObject<'payment_intent.payment_failed'>>();
    expectTypeOf<EventObjects['payment_intent.canceled']>().toEqualTypeOf<DataObject<'payment_intent.canceled'>>();
    expectTypeOf<EventObjects['charge.succeeded']>().toEqualTypeOf<DataObject<'charge.succeeded'>>();
    expectTypeOf<EventObjects['charge.failed']>().toEqualTypeOf<DataObject<'charge.failed'>>();
    expectTypeOf<EventObjects['charge.refunded']>().toEqualTypeOf<DataObject<'charge.refunded'>>();
    expectTypeOf<EventObjects['charge.dispute.created']>().toEqualTypeOf<DataObject<'charge.dispute.created'>>();
    expectTypeOf<EventObjects['charge.dispute.funds_withdrawn']>().toEqualTypeOf<DataObject<'charge.dispute.funds_withdrawn'>>();
    expectTypeOf<EventObjects['refund.created']>().toEqualTypeOf<DataObject<'refund.created'>>();
    expectTypeOf<EventObjects['payout.created']>().toEqualTypeOf<DataObject<'payout.created'>>();
    expectTypeOf<EventObjects['payout.paid']>().toEqualTypeOf<DataObject<'payout.paid'>>();
    expectTypeOf<EventObjects['payout.failed']>().toEqualTypeOf<DataObject<'payout.failed'>>();
    expectTypeOf<EventObjects['payout.reconciliation_completed']>().toEqualTypeOf<DataObject<'payout.reconciliation_completed'>>();
  });
});
