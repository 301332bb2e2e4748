import { describe, expect, it } from 'vitest';
import { evaluate, type Evidence } from '../../bench/soak/invariants.ts';

/** A small settled world: one delivered, one cancelled and refunded, one abandoned. */
function settled(): Evidence {
  return {
    bookings: [
      { id: 'b1', status: 'delivered', custodyHolder: 'citizen' },
      { id: 'b2', status: 'cancelled', custodyHolder: null },
      { id: 'b3', status: 'awaiting_payment', custodyHolder: null },
    ],
    payments: [
      { bookingId: 'b1', paymentIntentId: 'pi_1', status: 'succeeded', amountReceivedCents: 450, amountRefundedCents: 0 },
      { bookingId: 'b2', paymentIntentId: 'pi_2', status: 'succeeded', amountReceivedCents: 450, amountRefundedCents: 450 },
      { bookingId: 'b3', paymentIntentId: 'pi_3', status: 'requires_payment_method', amountReceivedCents: null, amountRefundedCents: 0 },
    ],
    refunds: [{ id: 'r1', bookingId: 'b2', status: 'succeeded', amountCents: 450 }],
    sandboxIntents: [
      { id: 'pi_1', bookingId: 'b1', status: 'succeeded', amountReceived: 450 },
      { id: 'pi_2', bookingId: 'b2', status: 'succeeded', amountReceived: 450 },
      { id: 'pi_3', bookingId: 'b3', status: 'requires_payment_method', amountReceived: 0 },
    ],
    sandboxRefunds: [{ id: 're_1', paymentIntentId: 'pi_2', refundRowId: 'r1', status: 'succeeded', amount: 450 }],
    routesAcceptedTwice: 0,
    attempts: { recorded: 1, reported: 1 },
    outboundEvents: { pending: 0, dead: 0 },
    identityChecksTwice: 0,
    custodyEntriesTwice: 0,
    custody: { ok: true, entries: 3 },
    serverErrors: [{ at: 1_500, status: 502, path: '/v1/bookings', source: 'proxy' }],
    restartWindows: [
      { from: 1_000, to: 2_000, what: 'SIGKILL api-1', kind: 'api' },
      { from: 8_000, to: 9_000, what: 'PostgreSQL restart', kind: 'service' },
    ],
    duplicateMismatches: 0,
  };
}

const broken = (e: Evidence) =>
  evaluate(e)
    .filter((f) => !f.ok)
    .map((f) => f.name);

describe('the soak invariants', () => {
  it('hold for a settled world, with a 5xx inside a restart window counted but allowed', () => {
    const figures = evaluate(settled());
    expect(figures.filter((f) => !f.ok)).toEqual([]);
    expect(figures.find((f) => f.name === '5xx answers during a restart window')?.value).toBe(1);
    expect(figures.find((f) => f.name === 'money received (cents)')?.value).toBe(900);
  });

  it('catch a second PaymentIntent for one booking', () => {
    const e = settled();
    e.sandboxIntents.push({ id: 'pi_4', bookingId: 'b1', status: 'canceled', amountReceived: 0 });
    expect(broken(e)).toEqual(['PaymentIntents created twice for one booking']);
  });

  it('catch a payment Stripe took that the platform never saw', () => {
    const e = settled();
    const pi = e.sandboxIntents[2];
    if (pi) Object.assign(pi, { status: 'succeeded', amountReceived: 450 });
    expect(broken(e)).toEqual([
      'paid bookings forgotten (paid at Stripe, not delivered, refunded, returned or in flight)',
      'money received: platform − Stripe (cents)',
    ]);
  });

  it('catch a cancelled paid booking without its refund, and a refund made twice', () => {
    const unpaid = settled();
    unpaid.sandboxRefunds = [];
    expect(broken(unpaid)).toContain('paid bookings forgotten (paid at Stripe, not delivered, refunded, returned or in flight)');
    expect(broken(unpaid)).toContain('money refunded: platform − Stripe (cents)');

    const twice = settled();
    twice.sandboxRefunds.push({ id: 're_2', paymentIntentId: 'pi_2', refundRowId: 'r1', status: 'succeeded', amount: 450 });
    expect(broken(twice)).toEqual(['refunds made twice (or more than was paid)', 'money refunded: platform − Stripe (cents)']);
  });

  it('catch a pending refund, a status its custody contradicts, and a status without a payment', () => {
    const e = settled();
    e.refunds.push({ id: 'r2', bookingId: 'b1', status: 'pending', amountCents: 100 });
    const b1 = e.bookings[0];
    if (b1) b1.custodyHolder = 'courier';
    e.bookings.push({ id: 'b9', status: 'document_ready', custodyHolder: 'office' });
    expect(broken(e)).toEqual([
      'refunds still pending after the settling time',
      'bookings whose status and custody disagree',
      // Ready in the office but never planned: also stuck.
      'bookings stuck (paid, ready, planned or with the courier after settling)',
    ]);
    expect(evaluate(e).find((f) => f.name === 'bookings whose status and custody disagree')?.value).toBe(2);
  });

  it('catch routes accepted twice, events applied twice, a broken chain, a doubled booking and a 5xx outside a window', () => {
    const e = settled();
    Object.assign(e, {
      routesAcceptedTwice: 1,
      attempts: { recorded: 2, reported: 1 },
      outboundEvents: { pending: 0, dead: 1 },
      custody: { ok: false, reason: 'hash' },
      duplicateMismatches: 2,
      serverErrors: [...e.serverErrors, { at: 5_000, status: 500, path: '/v1/quotes', source: 'upstream' }],
    });
    expect(broken(e)).toEqual([
      'routes accepted twice',
      'delivery attempts recorded − doors the courier reported',
      'courier webhook events not delivered at the end (pending + dead)',
      'custody chain verifies',
      'repeated booking requests answered with another booking',
      '5xx answers outside a restart window',
    ]);
  });

  it('excuse an API kill only for the requests lost with the process; a database restart for every 5xx', () => {
    const e = settled();
    e.serverErrors = [
      { at: 1_200, status: 502, path: '/v1/bookings', source: 'proxy' },
      { at: 8_500, status: 500, path: '/v1/bookings', source: 'upstream' },
    ];
    expect(broken(e)).toEqual([]);
    // The other API process must answer while one is down: its 500 is a finding.
    e.serverErrors.push({ at: 1_500, status: 500, path: '/v1/quotes', source: 'upstream' });
    expect(broken(e)).toEqual(['5xx answers outside a restart window']);
  });

  it('catch a booking stuck after settling, and an attempt lost', () => {
    const e = settled();
    e.bookings.push({ id: 'b4', status: 'planned', custodyHolder: 'office' });
    e.payments.push({ bookingId: 'b4', paymentIntentId: 'pi_4', status: 'succeeded', amountReceivedCents: 0, amountRefundedCents: 0 });
    e.attempts = { recorded: 1, reported: 2 };
    expect(broken(e)).toEqual([
      'bookings stuck (paid, ready, planned or with the courier after settling)',
      'delivery attempts recorded − doors the courier reported',
    ]);
  });
});
