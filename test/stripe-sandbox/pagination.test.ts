import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catchError, startSandbox, type SandboxHarness } from './helpers.ts';
import { must } from '../helpers/must.ts';

describe('stripe sandbox: list pagination', () => {
  let harness: SandboxHarness;
  let stripe: Stripe;
  let ids: string[];

  beforeEach(async () => {
    harness = await startSandbox();
    stripe = harness.stripe;
    ids = [];
    for (let index = 0; index < 5; index += 1) {
      ids.push((await stripe.paymentIntents.create({ amount: 1000 + index, currency: 'eur' })).id);
    }
  });

  afterEach(async () => {
    await harness.sandbox.close();
  });

  it('lists newest first with limit, starting_after and has_more', async () => {
    const newestFirst = [...ids].reverse();
    const page1 = await stripe.paymentIntents.list({ limit: 2 });
    expect(page1).toMatchObject({ object: 'list', has_more: true, url: '/v1/payment_intents' });
    expect(page1.data.map((pi) => pi.id)).toEqual(newestFirst.slice(0, 2));

    const page2 = await stripe.paymentIntents.list({ limit: 2, starting_after: must(page1.data[1], 'page1.data[1]').id });
    expect(page2.data.map((pi) => pi.id)).toEqual(newestFirst.slice(2, 4));
    expect(page2.has_more).toBe(true);

    const page3 = await stripe.paymentIntents.list({ limit: 2, starting_after: must(page2.data[1], 'page2.data[1]').id });
    expect(page3.data.map((pi) => pi.id)).toEqual(newestFirst.slice(4));
    expect(page3.has_more).toBe(false);
  });

  it('pages backwards with ending_before', async () => {
    const newestFirst = [...ids].reverse();
    const before = await stripe.paymentIntents.list({ limit: 2, ending_before: must(newestFirst[3], 'newestFirst[3]') });
    expect(before.data.map((pi) => pi.id)).toEqual(newestFirst.slice(1, 3));
    expect(before.has_more).toBe(true);
    const first = await stripe.paymentIntents.list({ limit: 5, ending_before: must(newestFirst[1], 'newestFirst[1]') });
    expect(first.data.map((pi) => pi.id)).toEqual([newestFirst[0]]);
    expect(first.has_more).toBe(false);
  });

  it('works with stripe-node auto-pagination', async () => {
    const all = await stripe.paymentIntents.list({ limit: 2 }).autoPagingToArray({ limit: 100 });
    expect(all.map((pi) => pi.id)).toEqual([...ids].reverse());
  });

  it('filters by created and validates limit and cursors', async () => {
    const created = (await stripe.paymentIntents.retrieve(must(ids[0], 'ids[0]'))).created;
    const sameSecondOrLater = await stripe.paymentIntents.list({ created: { gte: created }, limit: 100 });
    expect(sameSecondOrLater.data.length).toBe(5);
    const none = await stripe.paymentIntents.list({ created: { lt: created - 3600 } });
    expect(none.data).toEqual([]);

    const badLimit = await catchError(() => stripe.paymentIntents.list({ limit: 500 }));
    expect(badLimit).toMatchObject({ statusCode: 400, param: 'limit' });
    const badCursor = await catchError(() => stripe.paymentIntents.list({ starting_after: 'pi_unknown' }));
    expect(badCursor).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'starting_after' });
  });

  it('lists events with type filters, wildcard included', async () => {
    await stripe.paymentIntents.confirm(must(ids[0], 'ids[0]'), { payment_method: 'pm_card_visa' });
    const created = await stripe.events.list({ type: 'payment_intent.created', limit: 3 });
    expect(created.data).toHaveLength(3);
    expect(created.has_more).toBe(true);
    const charges = await stripe.events.list({ type: 'charge.*' });
    expect(charges.data.map((event) => event.type)).toEqual(['charge.succeeded']);
    const event = await stripe.events.retrieve(must(charges.data[0], 'charges.data[0]').id);
    expect(event).toEqual(charges.data[0]);
  });
});
