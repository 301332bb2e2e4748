import { eq, inArray } from 'drizzle-orm';
import Stripe from 'stripe';
import { describe, expect } from 'vitest';
import { stripeEvents } from '../../src/payments/payments.table.ts';
import { STRIPE_WEBHOOK_EVENTS } from '../../src/payments/stripe-gateway.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api, createPaidBooking, eventually, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import {
  auditRows,
  bookingRow,
  chargeObject,
  deliver,
  eventRows,
  forceStatus,
  holdWebhooks,
  newChargeId,
  paymentIntentObject,
  paymentRow,
  metadataOf,
  postWebhook,
  refundRows,
  sandboxEvent,
  sign,
  stripeEvent,
} from './stripe-events.ts';
import { must } from '../helpers/must.ts';

const test = platformTest({ workers: true });

describe('Stripe events reaching the platform', () => {
  let officeId: string;
  let clerk: { headers: Record<string, string> };

  test.beforeAll(async ({ p }) => {
    ({
      office: { id: officeId },
    } = await seedOffice(p.db, { refundPolicy: 'fee_after_ready', feeCents: 150 }));
    clerk = await p.staff(['clerk'], officeId);
  });

  /** A succeeded event as Stripe sends it, with the metadata the platform put on its own PaymentIntents. */
  const succeededFor = async (p: TestPlatform, paymentIntentId: string, amount = 450) =>
    stripeEvent(
      'payment_intent.succeeded',
      paymentIntentObject({
        id: paymentIntentId,
        amount,
        status: 'succeeded',
        latestCharge: newChargeId(),
        metadata: paymentIntentId.startsWith('pi_test_from') ? {} : await metadataOf(p, paymentIntentId),
      }),
    );

  const claimedEvent = async (p: TestPlatform, eventId: string) => p.db.select().from(stripeEvents).where(eq(stripeEvents.id, eventId));

  describe('refuses anything not signed by Stripe with the endpoint secret, and changes nothing', () => {
    test('a wrong secret, a stale timestamp, a missing header and a tampered body are each a 400; the genuine event then pays', async ({
      p,
    }) => {
      const { booking, payment } = await createPaidBooking(p, officeId, { pay: false });
      const event = await succeededFor(p, payment.paymentIntentId);

      const wrongSecret = sign(p, event, { secret: 'whsec_not_the_endpoint_secret' });
      const stale = sign(p, event, { timestamp: Math.floor(Date.now() / 1000) - 600 });
      const genuine = sign(p, event);
      const tampered = genuine.payload.replace('"amount": 450', '"amount": 1');
      expect(tampered).not.toBe(genuine.payload);

      for (const [payload, header] of [
        [wrongSecret.payload, wrongSecret.header],
        [stale.payload, stale.header],
        [genuine.payload, null],
        [tampered, genuine.header],
        [genuine.payload, 'garbage'],
      ] as const) {
        const res = await postWebhook(p, payload, header);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('webhook.invalid_signature');
      }
      expect((await bookingRow(p, booking.id)).status).toBe('awaiting_payment');
      expect((await paymentRow(p, booking.id)).status).toBe('requires_payment_method');
      expect(await claimedEvent(p, event.id)).toEqual([]);
      expect(await auditRows(p, booking.id, 'payment.succeeded')).toEqual([]);

      // The same event, correctly signed, is accepted: the refusals above were for the signature alone.
      const ok = await postWebhook(p, genuine.payload, genuine.header);
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ received: true, outcome: 'booking_paid' });
      expect((await bookingRow(p, booking.id)).status).toBe('paid');
    });

    test('an event type the platform does not act on, or a PaymentIntent it did not create, is acknowledged and left alone', async ({
      p,
    }) => {
      const other = await deliver(p, stripeEvent('customer.created', { id: 'cus_test123', object: 'customer' }));
      expect(other.body).toEqual({ received: true, outcome: 'ignored' });
      const foreign = await deliver(p, await succeededFor(p, 'pi_test_from_another_integration'));
      expect(foreign.body).toEqual({ received: true, outcome: 'unknown_payment' });
    });
  });

  test("the sandbox's endpoint is subscribed to the events the platform acts on, so a booking's other events are never sent", async ({
    p,
  }) => {
    const endpoints = await p.stripe.webhookEndpoints.list({ limit: 100 });
    expect(endpoints.data.map((e) => [...e.enabled_events].sort())).toEqual([[...STRIPE_WEBHOOK_EVENTS].sort()]);
    const { payment } = await createPaidBooking(p, officeId);
    // The sandbox made payment_intent.created and charge.succeeded too; only the payment's news arrived.
    const intent = await p.stripe.paymentIntents.retrieve(payment.paymentIntentId);
    const objectIds = [intent.id, intent.latest_charge];
    const made = (await p.stripe.events.list({ limit: 100 })).data.filter((e) => objectIds.includes((e.data.object as { id: string }).id));
    expect(made.map((e) => e.type).sort()).toEqual(['charge.succeeded', 'payment_intent.created', 'payment_intent.succeeded']);
    const received = await p.db
      .select()
      .from(stripeEvents)
      .where(
        inArray(
          stripeEvents.id,
          made.map((e) => e.id),
        ),
      );
    expect(received.map((e) => e.type)).toEqual(['payment_intent.succeeded']);
  });

  describe('applies each event id once', () => {
    test('the same signed payment_intent.succeeded delivered twice pays once: one paid event, one audit row', async ({ p }) => {
      const restore = await holdWebhooks(p);
      let booking;
      let paymentIntentId: string;
      try {
        ({
          booking,
          payment: { paymentIntentId },
        } = await createPaidBooking(p, officeId, { pay: false }));
        await p.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_card_visa' });
      } finally {
        restore();
      }
      // The very event the sandbox (Stripe) recorded, signed once and delivered twice.
      const { payload, header } = sign(p, sandboxEvent(p, 'payment_intent.succeeded', paymentIntentId));
      const first = await postWebhook(p, payload, header);
      const second = await postWebhook(p, payload, header);
      expect(first.body).toEqual({ received: true, outcome: 'booking_paid' });
      expect(second.status).toBe(200);
      expect(second.body).toEqual({ received: true, outcome: 'duplicate' });

      expect((await eventRows(p, booking.id)).filter((e) => e.toStatus === 'paid')).toHaveLength(1);
      expect(await auditRows(p, booking.id, 'payment.succeeded')).toHaveLength(1);
      expect((await paymentRow(p, booking.id)).latestChargeId).toMatch(/^ch_/);
    });

    test('contradicting events arriving together (succeeded and canceled) leave each booking paid, or ended with its refund owed', async ({
      p,
    }) => {
      const restore = await holdWebhooks(p);
      let runs;
      try {
        runs = await Promise.all(
          Array.from({ length: 4 }, async () => {
            const { booking, payment } = await createPaidBooking(p, officeId, { pay: false });
            await p.stripe.paymentIntents.confirm(payment.paymentIntentId, { payment_method: 'pm_card_visa' });
            return { booking, paymentIntentId: payment.paymentIntentId as string };
          }),
        );
      } finally {
        restore();
      }
      await Promise.all(
        runs.map(async ({ booking, paymentIntentId }) => {
          const canceled = stripeEvent(
            'payment_intent.canceled',
            paymentIntentObject({ id: paymentIntentId, amount: 450, status: 'canceled', cancellationReason: 'abandoned' }),
          );
          const [a, b] = await Promise.all([
            deliver(p, sandboxEvent(p, 'payment_intent.succeeded', paymentIntentId)),
            deliver(p, canceled),
          ]);
          expect([a.status, b.status]).toEqual([200, 200]);
          const status = (await bookingRow(p, booking.id)).status;
          if (status === 'paid') {
            expect([a.body.outcome, b.body.outcome]).toEqual(['booking_paid', 'no_change']);
            expect(await refundRows(p, booking.id)).toEqual([]);
          } else {
            expect(status).toBe('expired');
            expect([a.body.outcome, b.body.outcome]).toEqual(['paid_after_cancellation_refund_owed', 'booking_expired']);
            await eventually(
              () => p.stripe.refunds.list({ payment_intent: paymentIntentId }),
              (l) => l.data.length === 1 && l.data[0]?.amount === 450,
            );
          }
          expect((await paymentRow(p, booking.id)).status).toBe('succeeded');
        }),
      );
    });

    test('concurrent deliveries of one event id: exactly one applies it', async ({ p }) => {
      const { booking, payment } = await createPaidBooking(p, officeId, { pay: false });
      const { payload, header } = sign(p, await succeededFor(p, payment.paymentIntentId));
      const results = await Promise.all(Array.from({ length: 4 }, () => postWebhook(p, payload, header)));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(results.map((r) => r.body.outcome).sort()).toEqual(['booking_paid', 'duplicate', 'duplicate', 'duplicate']);
      expect((await eventRows(p, booking.id)).filter((e) => e.toStatus === 'paid')).toHaveLength(1);
      expect(await auditRows(p, booking.id, 'payment.succeeded')).toHaveLength(1);
    });
  });

  describe('events that end or flag a payment', () => {
    test('payment_intent.canceled for an unpaid booking: abandoned expires it, any other reason cancels it', async ({ p }) => {
      for (const [reason, outcome, status] of [
        ['abandoned', 'booking_expired', 'expired'],
        ['duplicate', 'booking_cancelled', 'cancelled'],
      ] as const) {
        const { booking, payment } = await createPaidBooking(p, officeId, { pay: false });
        const res = await deliver(
          p,
          stripeEvent(
            'payment_intent.canceled',
            paymentIntentObject({
              id: payment.paymentIntentId,
              amount: 450,
              status: 'canceled',
              cancellationReason: reason,
            }),
          ),
        );
        expect(res.body.outcome).toBe(outcome);
        expect((await bookingRow(p, booking.id)).status).toBe(status);
        expect((await paymentRow(p, booking.id)).status).toBe('canceled');
      }
    });

    test('charge.dispute.created without a payment_intent (as Stripe sends it for some charges) is matched by its charge', async ({
      p,
    }) => {
      const { booking } = await createPaidBooking(p, officeId);
      const chargeId = must((await paymentRow(p, booking.id)).latestChargeId, '(await paymentRow(p, booking.id)).latestChargeId');
      const dispute = {
        id: `dp_test${booking.id.slice(0, 8)}`,
        object: 'dispute',
        amount: 450,
        balance_transactions: [],
        charge: chargeId,
        created: Math.floor(Date.now() / 1000),
        currency: 'eur',
        evidence: {},
        is_charge_refundable: false,
        livemode: false,
        metadata: {},
        payment_intent: null,
        reason: 'fraudulent',
        status: 'needs_response',
      };
      const res = await deliver(p, stripeEvent('charge.dispute.created', dispute));
      // The booking is paid and still in the office: the dispute holds it there.
      expect(res.body.outcome).toBe('dispute_held');
      expect((await paymentRow(p, booking.id)).disputed).toBe(true);
      expect(await auditRows(p, booking.id, 'payment.disputed')).toMatchObject([
        { details: { disputeId: dispute.id, reason: 'fraudulent' } },
      ]);
      // A second dispute notification for the same payment is recorded once.
      expect((await deliver(p, stripeEvent('charge.dispute.created', dispute))).body.outcome).toBe('no_change');
    });
  });

  describe('late and out-of-order events never move a booking or a payment backwards', () => {
    test("any order of a payment's events, with a redelivery, ends in the same state: paid, or ended with one refund", async ({ p }) => {
      let seed = 7;
      const rnd = (n: number) => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed % n;
      };
      for (let round = 0; round < 6; round++) {
        const { booking, payment } = await createPaidBooking(p, officeId, { pay: false });
        const pi = payment.paymentIntentId as string;
        const chargeId = newChargeId();
        const events = [
          stripeEvent(
            'payment_intent.payment_failed',
            paymentIntentObject({
              id: pi,
              amount: 450,
              status: 'requires_payment_method',
              lastPaymentError: { code: 'card_declined', type: 'card_error', message: 'declined' },
            }),
          ),
          stripeEvent(
            'payment_intent.succeeded',
            paymentIntentObject({ id: pi, amount: 450, status: 'succeeded', latestCharge: chargeId, metadata: await metadataOf(p, pi) }),
          ),
          stripeEvent(
            'payment_intent.canceled',
            paymentIntentObject({ id: pi, amount: 450, status: 'canceled', cancellationReason: 'abandoned' }),
          ),
          stripeEvent('charge.refunded', chargeObject({ id: chargeId, paymentIntent: pi, amount: 450, amountRefunded: 100 })),
          stripeEvent('charge.dispute.created', {
            id: `dp_test${round}${chargeId.slice(-8)}`,
            object: 'dispute',
            amount: 450,
            charge: chargeId,
            payment_intent: pi,
            reason: 'general',
            status: 'needs_response',
          }),
        ];
        const order = events
          .map((e) => ({ e, k: rnd(1000) }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.e);
        order.splice(rnd(order.length + 1), 0, must(order[rnd(order.length)], 'order[rnd(order.length)]'));
        const outcomes = [];
        for (const event of order) {
          const res = await deliver(p, event);
          expect(res.status).toBe(200);
          outcomes.push(res.body.outcome);
        }
        expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(1);

        const canceledFirst =
          order.findIndex((e) => e.type === 'payment_intent.canceled') < order.findIndex((e) => e.type === 'payment_intent.succeeded');
        const history = (await eventRows(p, booking.id)).map((e) => e.toStatus);
        expect(history).toEqual(['awaiting_payment', canceledFirst ? 'expired' : 'paid']);
        expect(await refundRows(p, booking.id)).toMatchObject(canceledFirst ? [{ amountCents: 450, reason: 'paid_after_expired' }] : []);
        expect(await paymentRow(p, booking.id)).toMatchObject({
          status: 'succeeded',
          latestChargeId: chargeId,
          amountRefundedCents: 100,
          disputed: true,
        });
      }
    });

    test('payment_intent.payment_failed arriving after succeeded leaves the booking paid and the payment succeeded', async ({ p }) => {
      const { booking, payment } = await createPaidBooking(p, officeId);
      expect((await bookingRow(p, booking.id)).status).toBe('paid');
      const failed = stripeEvent(
        'payment_intent.payment_failed',
        paymentIntentObject({
          id: payment.paymentIntentId,
          amount: 450,
          status: 'requires_payment_method',
          lastPaymentError: { code: 'card_declined', type: 'card_error', message: 'Your card was declined.' },
        }),
        { created: Math.floor(Date.now() / 1000) - 30 },
      );
      const res = await deliver(p, failed);
      expect(res.body).toEqual({ received: true, outcome: 'no_change' });
      expect((await bookingRow(p, booking.id)).status).toBe('paid');
      expect((await paymentRow(p, booking.id)).status).toBe('succeeded');
      expect(await auditRows(p, booking.id, 'payment.failed')).toEqual([]);
    });

    test('payment_intent.canceled arriving after succeeded changes nothing', async ({ p }) => {
      const { booking, payment } = await createPaidBooking(p, officeId);
      for (const reason of ['abandoned', 'requested_by_customer']) {
        const res = await deliver(
          p,
          stripeEvent(
            'payment_intent.canceled',
            paymentIntentObject({
              id: payment.paymentIntentId,
              amount: 450,
              status: 'canceled',
              cancellationReason: reason,
            }),
          ),
        );
        expect(res.body).toEqual({ received: true, outcome: 'no_change' });
      }
      expect((await bookingRow(p, booking.id)).status).toBe('paid');
      expect((await paymentRow(p, booking.id)).status).toBe('succeeded');
      expect((await eventRows(p, booking.id)).map((e) => e.toStatus)).toEqual(['awaiting_payment', 'paid']);
    });

    test('charge.refunded with a lower amount_refunded than already recorded does not lower it', async ({ p }) => {
      const { booking, payment } = await createPaidBooking(p, officeId);
      const chargeId = must((await paymentRow(p, booking.id)).latestChargeId, '(await paymentRow(p, booking.id)).latestChargeId');
      const refunded = (amountRefunded: number, created: number) =>
        deliver(
          p,
          stripeEvent(
            'charge.refunded',
            chargeObject({ id: chargeId, paymentIntent: payment.paymentIntentId, amount: 450, amountRefunded }),
            { created },
          ),
        );
      const now = Math.floor(Date.now() / 1000);
      // These refunds were not made by the platform: each is also a discrepancy for finance.
      expect((await refunded(300, now)).body.outcome).toBe('refund_outside_platform_recorded');
      expect((await refunded(100, now - 20)).body.outcome).toBe('no_change');
      expect((await paymentRow(p, booking.id)).amountRefundedCents).toBe(300);
      // A charge.refunded above what was paid (a foreign or broken event) is capped, never stored above the charge.
      expect((await refunded(9_999, now)).body.outcome).toBe('refunded_at_stripe_held');
      expect((await paymentRow(p, booking.id)).amountRefundedCents).toBe(450);
    });

    test('a charge.refunded found only by its charge id (no payment_intent on the event) is applied to the right payment', async ({
      p,
    }) => {
      const { booking } = await createPaidBooking(p, officeId);
      const chargeId = must((await paymentRow(p, booking.id)).latestChargeId, '(await paymentRow(p, booking.id)).latestChargeId');
      const charge = { ...chargeObject({ id: chargeId, paymentIntent: 'x', amount: 450, amountRefunded: 200 }), payment_intent: null };
      expect((await deliver(p, stripeEvent('charge.refunded', charge))).body.outcome).toBe('refund_outside_platform_recorded');
      expect((await paymentRow(p, booking.id)).amountRefundedCents).toBe(200);
    });

    test('payment_intent.succeeded for a booking that had already expired creates a refund that the worker carries out', async ({ p }) => {
      const { booking, payment } = await createPaidBooking(p, officeId, { pay: false });
      // Setup: the expiry ran but its cancellation never reached Stripe.
      await forceStatus(p, booking.id, 'expired');
      await p.stripe.paymentIntents.confirm(payment.paymentIntentId, { payment_method: 'pm_card_visa' });
      await p.sandbox.flushWebhooks();

      const refunds = await eventually(
        () => p.stripe.refunds.list({ payment_intent: payment.paymentIntentId }),
        (l) => l.data.length > 0,
      );
      expect(refunds.data.map((r) => [r.amount, r.status])).toEqual([[450, 'succeeded']]);
      expect(must(refunds.data[0], 'refunds.data[0]').metadata).toMatchObject({ booking_id: booking.id });
      const rows = await eventually(
        () => refundRows(p, booking.id),
        (r) => r[0]?.status === 'succeeded',
      );
      expect(rows).toMatchObject([
        { amountCents: 450, reason: 'paid_after_expired', stripeRefundId: must(refunds.data[0], 'refunds.data[0]').id },
      ]);
      expect((await bookingRow(p, booking.id)).status).toBe('expired');
      expect((await paymentRow(p, booking.id)).status).toBe('succeeded');
      expect(await auditRows(p, booking.id, 'payment.succeeded_after_end')).toHaveLength(1);
      await p.sandbox.flushWebhooks();
      await eventually(
        () => paymentRow(p, booking.id),
        (r) => r.amountRefundedCents === 450,
      );
    });

    test('a second notification of the same payment under another event id owes no second refund', async ({ p }) => {
      const { booking, payment } = await createPaidBooking(p, officeId, { pay: false });
      await forceStatus(p, booking.id, 'cancelled');
      await p.stripe.paymentIntents.confirm(payment.paymentIntentId, { payment_method: 'pm_card_visa' });
      await p.sandbox.flushWebhooks();
      await eventually(
        () => refundRows(p, booking.id),
        (r) => r.length === 1 && r[0]?.status === 'succeeded',
      );

      const again = await deliver(p, await succeededFor(p, payment.paymentIntentId));
      expect(again.body).toEqual({ received: true, outcome: 'no_change' });
      expect(await refundRows(p, booking.id)).toHaveLength(1);
      expect((await p.stripe.refunds.list({ payment_intent: payment.paymentIntentId })).data.map((r) => r.amount)).toEqual([450]);
    });

    test('a citizen who pays while cancelling gets the whole surcharge back once, even when Stripe redelivers the event', async ({ p }) => {
      const restore = await holdWebhooks(p);
      let booking;
      let paymentIntentId: string;
      try {
        let trackingToken: string;
        ({
          booking,
          trackingToken,
          payment: { paymentIntentId },
        } = await createPaidBooking(p, officeId, { pay: false }));
        // The payment goes through at Stripe, but its webhook has not landed when the cancel arrives.
        await p.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_card_visa' });
        const cancelled = await api(p, 'POST', `/v1/bookings/${booking.id}/cancel`, {
          headers: { 'tracking-token': trackingToken },
          body: {},
        });
        expect(cancelled.status).toBe(200);
        expect(cancelled.body.refund).toBeNull();
        // The cancel of the PaymentIntent lost the race: it stays paid at Stripe.
        expect((await p.stripe.paymentIntents.retrieve(paymentIntentId)).status).toBe('succeeded');
      } finally {
        restore();
      }
      const late = sign(p, sandboxEvent(p, 'payment_intent.succeeded', paymentIntentId));
      expect((await postWebhook(p, late.payload, late.header)).body.outcome).toBe('paid_after_cancellation_refund_owed');
      expect((await postWebhook(p, late.payload, late.header)).body.outcome).toBe('duplicate');

      const refunds = await eventually(
        () => p.stripe.refunds.list({ payment_intent: paymentIntentId }),
        (l) => l.data.length > 0,
      );
      expect(refunds.data.map((r) => r.amount)).toEqual([450]);
      await eventually(
        () => refundRows(p, booking.id),
        (r) => r.length === 1 && r[0]?.status === 'succeeded',
      );
      expect((await bookingRow(p, booking.id)).status).toBe('cancelled');
      expect((await p.stripe.refunds.list({ payment_intent: paymentIntentId })).data).toHaveLength(1);
    });
  });

  describe('what the card does: declines and disputes, through stripe-node, the sandbox and its webhooks', () => {
    test('a declined card leaves the booking awaiting payment; the citizen then pays with another card', async ({ p }) => {
      const { booking, payment } = await createPaidBooking(p, officeId, { pay: false });
      const declined = await p.stripe.paymentIntents.confirm(payment.paymentIntentId, { payment_method: 'pm_card_chargeDeclined' }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect((declined as Stripe.errors.StripeCardError).code).toBe('card_declined');
      await p.sandbox.flushWebhooks();

      await eventually(
        () => auditRows(p, booking.id, 'payment.failed'),
        (r) => r.length === 1,
      );
      expect(
        must((await auditRows(p, booking.id, 'payment.failed'))[0], "(await auditRows(p, booking.id, 'payment.failed'))[0]").details,
      ).toMatchObject({ failureCode: 'card_declined' });
      expect((await bookingRow(p, booking.id)).status).toBe('awaiting_payment');
      expect((await paymentRow(p, booking.id)).status).toBe('requires_payment_method');

      const paid = await p.stripe.paymentIntents.confirm(payment.paymentIntentId, { payment_method: 'pm_card_visa' });
      expect(paid.status).toBe('succeeded');
      await p.sandbox.flushWebhooks();
      const view = await api(p, 'GET', `/v1/bookings/${booking.id}`, { headers: clerk.headers });
      expect(view.body.status).toBe('paid');
      expect(view.body.payment).toMatchObject({ status: 'succeeded', amountCents: 450, amountRefundedCents: 0, disputed: false });
      expect(view.body.events.map((e: { toStatus: string }) => e.toStatus)).toEqual(['awaiting_payment', 'paid']);
    });

    test('a disputed charge is flagged on the payment, visible to the clerk, and audited', async ({ p }) => {
      const { booking, payment } = await createPaidBooking(p, officeId, { paymentMethod: 'pm_card_createDispute' });
      await p.sandbox.flushWebhooks();
      const dispute = must(
        (await p.stripe.disputes.list({ payment_intent: payment.paymentIntentId })).data[0],
        '(await p.stripe.disputes.list({ payment_intent: payment.paymentIntentId })).data[0]',
      );
      expect(dispute).toBeDefined();

      const view = await eventually(
        () => api(p, 'GET', `/v1/bookings/${booking.id}`, { headers: clerk.headers }),
        (r) => r.body.payment?.disputed === true,
      );
      // A dispute does not undo the booking: the office decides; finance sees the flag.
      expect(view.body.status).toBe('paid');
      expect(view.body.payment).toMatchObject({ status: 'succeeded', disputed: true });
      const audit = await auditRows(p, booking.id, 'payment.disputed');
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actorType: 'stripe', details: { disputeId: dispute.id, amountCents: 450, reason: dispute.reason } });
    });
  });
});
