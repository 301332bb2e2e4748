import { describe, expect, it } from 'vitest';
import { platformTest } from '../helpers/platform-fixture.ts';
import { createBookingsRepository } from '../../src/bookings/bookings.repository.ts';
import { createPaymentUpkeepService } from '../../src/payments/payment-upkeep.service.ts';
import { api, createPaidBooking, eventually, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import { bookingRow, deliver, newChargeId, paymentIntentObject, paymentRow, refundRows, stripeEvent } from './stripe-events.ts';
import { must } from '../helpers/must.ts';

/**
 * Money that does not match. A signed Stripe event is genuine, but not every genuine payment is
 * the one the booking asked for, and not every refund or chargeback goes through the platform.
 * Each case here is produced the way it happens: through stripe-node against the sandbox (an
 * amount or metadata changed on the PaymentIntent, a refund made directly, a disputed card).
 */
const test = platformTest({ workers: true });

describe('payments that do not match their booking, refunds and disputes made outside the platform', () => {
  let p: TestPlatform;
  let held: { id: string };
  let automatic: { id: string };
  let finance: { headers: Record<string, string> };
  let clerk: { headers: Record<string, string> };

  // The file's one platform (the shared fixture); the helpers below close over it.
  test.beforeAll(async ({ p: platform }) => {
    p = platform;
    ({ office: held } = await seedOffice(p.db, { paymentIssueHandling: 'hold', refundPolicy: 'full' }));
    ({ office: automatic } = await seedOffice(p.db, { paymentIssueHandling: 'automatic', refundPolicy: 'full' }));
    finance = await p.staff(['finance'], null);
    clerk = await p.staff(['clerk'], held.id);
  });

  /** Books without paying, lets `tamper` change the PaymentIntent (as the dashboard could), then pays. */
  async function bookAndPayTampered(officeId: string, tamper: Record<string, unknown>) {
    const created = await createPaidBooking(p, officeId, { pay: false });
    await p.stripe.paymentIntents.update(created.payment.paymentIntentId, tamper);
    await p.stripe.paymentIntents.confirm(created.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
    await p.sandbox.flushWebhooks();
    return created;
  }

  const discrepanciesOf = async (bookingId: string) => {
    const res = await api(p, 'GET', '/v1/payment-discrepancies?limit=200', { headers: finance.headers });
    expect(res.status).toBe(200);
    return (res.body.data as { bookingId: string }[]).filter((d) => d.bookingId === bookingId) as Array<Record<string, unknown>>;
  };

  describe('a signed payment_intent.succeeded whose amount differs from the price does not pay the booking', () => {
    it('held for a person: the booking stays unpaid and held, finance sees the amounts, the deadline does not expire it', async () => {
      const { booking } = await bookAndPayTampered(held.id, { amount: 999 });
      expect((await bookingRow(p, booking.id)).status).toBe('awaiting_payment');
      expect(await paymentRow(p, booking.id)).toMatchObject({ status: 'succeeded', amountCents: 450, amountReceivedCents: 999 });

      const [found] = await discrepanciesOf(booking.id);
      expect(found).toMatchObject({
        kind: 'amount_mismatch',
        action: 'held',
        expectedAmountCents: 450,
        actualAmountCents: 999,
        expectedCurrency: 'EUR',
        actualCurrency: 'EUR',
        kassenzeichen: booking.kassenzeichen,
        resolvedAt: null,
        holdId: expect.any(String),
      });

      // The payment deadline passes: the booking waits for the finance officer, not the clock.
      const upkeep = createPaymentUpkeepService({ db: p.db, gateway: p.gateway, clock: () => new Date(Date.now() + 2 * 3_600_000) });
      expect(await upkeep.expireBooking(booking.id)).toBe('held');
      expect(await upkeep.overdueBookingIds()).not.toContain(booking.id);

      // The clerk's view shows the hold; the citizen is told to wait for the office.
      const staffView = await api(p, 'GET', `/v1/bookings/${booking.id}`, { headers: clerk.headers });
      expect(staffView.body.holds).toEqual([expect.objectContaining({ reason: 'payment_mismatch', releasedAt: null })]);
      expect(staffView.body.discrepancies).toEqual([expect.objectContaining({ kind: 'amount_mismatch' })]);
    });

    it('a finance officer accepts it: the booking becomes paid and the discrepancy is resolved with the comment', async () => {
      const { booking } = await bookAndPayTampered(held.id, { amount: 460 });
      const found = must((await discrepanciesOf(booking.id))[0], 'a discrepancy of the booking');
      const res = await api(p, 'POST', `/v1/bookings/${booking.id}/holds/${String(found.holdId)}/resolve`, {
        headers: finance.headers,
        body: { decision: 'continue', comment: 'Old tariff; the 10 cents are accepted' },
      });
      expect(res.status).toBe(200);
      expect(res.body.booking.status).toBe('paid');
      expect(res.body.hold).toMatchObject({ reason: 'payment_mismatch', resolution: 'continued', releasedAt: expect.any(String) });
      const [after] = await discrepanciesOf(booking.id);
      expect(after).toMatchObject({ resolvedAt: expect.any(String), resolutionComment: 'Old tariff; the 10 cents are accepted' });
      // Deciding twice is refused: the hold is gone.
      const again = await api(p, 'POST', `/v1/bookings/${booking.id}/holds/${String(found.holdId)}/resolve`, {
        headers: finance.headers,
        body: { decision: 'cancel', comment: 'again' },
      });
      expect(again.status).toBe(404);
    });

    it('a finance officer cancels it: the whole amount received goes back, once', async () => {
      const { booking } = await bookAndPayTampered(held.id, { amount: 999 });
      const found = must((await discrepanciesOf(booking.id))[0], 'a discrepancy of the booking');
      const res = await api(p, 'POST', `/v1/bookings/${booking.id}/holds/${String(found.holdId)}/resolve`, {
        headers: finance.headers,
        body: { decision: 'cancel', comment: 'Not our price' },
      });
      expect(res.status).toBe(200);
      expect(res.body.booking.status).toBe('cancelled');
      expect(res.body.refund).toMatchObject({ amountCents: 999 });
      const refunds = await eventually(
        () => refundRows(p, booking.id),
        (rows) => rows.length === 1 && rows[0]?.status === 'succeeded',
      );
      expect(refunds.map((r) => r.amountCents)).toEqual([999]);
    });

    it('automatic: the amount received is refunded and the booking cancelled', async () => {
      const { booking } = await bookAndPayTampered(automatic.id, { amount: 999 });
      expect((await bookingRow(p, booking.id)).status).toBe('cancelled');
      const refunds = await eventually(
        () => refundRows(p, booking.id),
        (rows) => rows.length === 1 && rows[0]?.status === 'succeeded',
      );
      expect(refunds[0]).toMatchObject({ amountCents: 999, reason: 'payment_mismatch' });
      const [found] = await discrepanciesOf(booking.id);
      expect(found).toMatchObject({ kind: 'amount_mismatch', action: 'refunded', holdId: null });
      await eventually(
        () => paymentRow(p, booking.id),
        (row) => row.amountRefundedCents === 999,
      );
      // Our own refund coming back as charge.refunded is no refund "outside the platform".
      expect((await discrepanciesOf(booking.id)).map((d) => d.kind)).toEqual(['amount_mismatch']);
    });
  });

  it('a payment in another currency does not pay the booking', async () => {
    const { booking, payment } = await createPaidBooking(p, held.id, { pay: false });
    const event = stripeEvent('payment_intent.succeeded', {
      ...paymentIntentObject({
        id: payment.paymentIntentId,
        amount: 450,
        status: 'succeeded',
        latestCharge: newChargeId(),
        metadata: { booking_id: booking.id, kassenzeichen: booking.kassenzeichen },
      }),
      currency: 'usd',
    });
    const res = await deliver(p, event);
    expect(res.body).toEqual({ received: true, outcome: 'payment_mismatch_held' });
    expect((await bookingRow(p, booking.id)).status).toBe('awaiting_payment');
    const [found] = await discrepanciesOf(booking.id);
    expect(found).toMatchObject({ kind: 'currency_mismatch', expectedCurrency: 'EUR', actualCurrency: 'USD', expectedAmountCents: 450 });
    // The same event again, and a second event id with the same news, add nothing.
    expect((await deliver(p, event)).body.outcome).toBe('duplicate');
    expect((await deliver(p, { ...event, id: `${event.id}x` })).body.outcome).toBe('no_change');
    expect(await discrepanciesOf(booking.id)).toHaveLength(1);
  });

  it('a payment whose PaymentIntent metadata names another booking does not pay this one', async () => {
    const other = await createPaidBooking(p, held.id, { pay: false });
    const { booking } = await bookAndPayTampered(held.id, { metadata: { booking_id: other.booking.id } });
    expect((await bookingRow(p, booking.id)).status).toBe('awaiting_payment');
    expect((await bookingRow(p, other.booking.id)).status).toBe('awaiting_payment');
    const [found] = await discrepanciesOf(booking.id);
    expect(found).toMatchObject({
      kind: 'metadata_mismatch',
      action: 'held',
      facts: expect.objectContaining({ metadataBookingId: other.booking.id }),
    });
  });

  it('a payment the platform never created, naming one of its bookings, is recorded for finance and pays nothing', async () => {
    const { booking } = await createPaidBooking(p, held.id, { pay: false });
    const foreign = await p.stripe.paymentIntents.create({
      amount: 450,
      currency: 'eur',
      metadata: { booking_id: booking.id, kassenzeichen: booking.kassenzeichen },
      confirm: true,
      payment_method: 'pm_card_visa',
    });
    await p.sandbox.flushWebhooks();
    expect((await bookingRow(p, booking.id)).status).toBe('awaiting_payment');
    const [found] = await discrepanciesOf(booking.id);
    expect(found).toMatchObject({ kind: 'unknown_payment_intent', stripeObjectId: foreign.id, action: 'recorded', actualAmountCents: 450 });
  });

  describe('a refund made at Stripe, not by the platform', () => {
    it('held: a fully refunded booking is held, finance sees it, and it is not planned', async () => {
      const { booking, payment } = await createPaidBooking(p, held.id);
      await api(p, 'POST', '/v1/document-arrivals', {
        headers: clerk.headers,
        body: { officeId: held.id, applicationNumber: booking.applicationNumber },
      });
      await p.stripe.refunds.create({ payment_intent: payment.paymentIntentId });
      await p.sandbox.flushWebhooks();
      expect((await bookingRow(p, booking.id)).status).toBe('document_ready');
      const found = must((await discrepanciesOf(booking.id))[0], 'a discrepancy of the booking');
      expect(found).toMatchObject({ kind: 'refund_outside_platform', action: 'held', expectedAmountCents: 0, actualAmountCents: 450 });
      const plannable = await createBookingsRepository(p.db).plannableBookings(held.id, 5);
      expect(plannable.map((b) => b.id)).not.toContain(booking.id);
      const list = await api(p, 'GET', `/v1/bookings?kassenzeichen=${booking.kassenzeichen}`, { headers: clerk.headers });
      expect(list.body.data[0]).toMatchObject({ openHolds: ['refunded_at_stripe'], payment: { amountRefundedCents: 450 } });
      // Resolving the discrepancy alone is refused: the hold needs a decision.
      const direct = await api(p, 'POST', `/v1/payment-discrepancies/${String(found.id)}/resolve`, {
        headers: finance.headers,
        body: { comment: 'seen' },
      });
      expect(direct.status).toBe(409);
      const decided = await api(p, 'POST', `/v1/bookings/${booking.id}/holds/${String(found.holdId)}/resolve`, {
        headers: finance.headers,
        body: { decision: 'cancel', comment: 'Refunded by the citizen service desk' },
      });
      expect(decided.body).toMatchObject({ booking: { status: 'cancelled' }, refund: null });
    });

    it('automatic: a fully refunded booking is cancelled', async () => {
      const { booking, payment } = await createPaidBooking(p, automatic.id);
      await p.stripe.refunds.create({ payment_intent: payment.paymentIntentId });
      await p.sandbox.flushWebhooks();
      expect((await bookingRow(p, booking.id)).status).toBe('cancelled');
      expect((await discrepanciesOf(booking.id))[0]).toMatchObject({ kind: 'refund_outside_platform', action: 'cancelled' });
    });

    it('a partial refund at Stripe is recorded for finance; the booking goes on', async () => {
      const { booking, payment } = await createPaidBooking(p, held.id);
      await p.stripe.refunds.create({ payment_intent: payment.paymentIntentId, amount: 100 });
      await p.sandbox.flushWebhooks();
      expect((await bookingRow(p, booking.id)).status).toBe('paid');
      const found = must((await discrepanciesOf(booking.id))[0], 'a discrepancy of the booking');
      expect(found).toMatchObject({ kind: 'refund_outside_platform', action: 'recorded', actualAmountCents: 100, holdId: null });
      const resolved = await api(p, 'POST', `/v1/payment-discrepancies/${String(found.id)}/resolve`, {
        headers: finance.headers,
        body: { comment: 'Goodwill refund, approved' },
      });
      expect(resolved.status).toBe(200);
      expect(resolved.body).toMatchObject({ resolvedAt: expect.any(String), resolutionComment: 'Goodwill refund, approved' });
    });

    it("the platform's own cancellation refund is not a refund outside the platform", async () => {
      const { booking, trackingToken } = await createPaidBooking(p, held.id);
      const res = await api(p, 'POST', `/v1/bookings/${booking.id}/cancel`, { headers: { 'tracking-token': trackingToken } });
      expect(res.status).toBe(200);
      await eventually(
        () => paymentRow(p, booking.id),
        (row) => row.amountRefundedCents === 450,
      );
      await p.sandbox.flushWebhooks();
      expect(await discrepanciesOf(booking.id)).toEqual([]);
    });
  });

  describe('a dispute', () => {
    it('puts a booking that has not left the office on hold, visible to staff and finance; won, the hold is released', async () => {
      const { booking, payment } = await createPaidBooking(p, held.id, { paymentMethod: 'pm_card_createDispute' });
      await eventually(
        () => paymentRow(p, booking.id),
        (row) => row.disputed,
      );
      const staffView = await api(p, 'GET', `/v1/bookings/${booking.id}`, { headers: clerk.headers });
      expect(staffView.body.holds).toEqual([expect.objectContaining({ reason: 'dispute', releasedAt: null })]);
      expect(staffView.body.disputes).toEqual([expect.objectContaining({ amountCents: 450, status: 'needs_response', closedAt: null })]);
      const disputes = await api(p, 'GET', '/v1/disputes?open=true&limit=200', { headers: finance.headers });
      const listed = (disputes.body.data as { bookingId: string; id: string }[]).find((d) => d.bookingId === booking.id);
      expect(listed).toMatchObject({ kassenzeichen: booking.kassenzeichen, amountCents: 450 });
      const plannable = await createBookingsRepository(p.db).plannableBookings(held.id, 5);
      expect(plannable.map((b) => b.id)).not.toContain(booking.id);

      p.sandbox.closeDispute(must(listed, 'listed').id, 'won');
      await p.sandbox.flushWebhooks();
      const after = await api(p, 'GET', `/v1/bookings/${booking.id}`, { headers: clerk.headers });
      expect(after.body.holds).toEqual([
        expect.objectContaining({ reason: 'dispute', resolution: 'dispute_won', releasedAt: expect.any(String) }),
      ]);
      expect(after.body.disputes[0]).toMatchObject({ status: 'won', closedAt: expect.any(String) });
      expect(payment.paymentIntentId).toBeTruthy();
    });

    it('lost: held for a person, or cancelled automatically', async () => {
      const heldCase = await createPaidBooking(p, held.id, { paymentMethod: 'pm_card_createDispute' });
      const autoCase = await createPaidBooking(p, automatic.id, { paymentMethod: 'pm_card_createDispute' });
      for (const c of [heldCase, autoCase]) {
        await eventually(
          () => paymentRow(p, c.booking.id),
          (row) => row.disputed,
        );
      }
      const all = await api(p, 'GET', '/v1/disputes?limit=200', { headers: finance.headers });
      for (const c of [heldCase, autoCase]) {
        const dispute = must(
          (all.body.data as { bookingId: string; id: string }[]).find((d) => d.bookingId === c.booking.id),
          '(all.body.data as { bookingId: string; id: string }[]).find((d) => d.bookingId === c.booking.id)',
        );
        p.sandbox.closeDispute(dispute.id, 'lost');
      }
      await p.sandbox.flushWebhooks();
      expect((await bookingRow(p, heldCase.booking.id)).status).toBe('paid');
      const heldView = await api(p, 'GET', `/v1/bookings/${heldCase.booking.id}`, { headers: clerk.headers });
      expect(heldView.body.holds).toEqual([expect.objectContaining({ reason: 'dispute', releasedAt: null })]);
      expect((await discrepanciesOf(heldCase.booking.id)).map((d) => d.kind).sort()).toEqual(['dispute_lost', 'dispute_opened']);
      expect((await bookingRow(p, autoCase.booking.id)).status).toBe('cancelled');
      // Money taken back by the dispute is not refunded a second time.
      expect(await refundRows(p, autoCase.booking.id)).toEqual([]);
    });
  });
});
