import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createPaidBooking, eventually, seedOffice, startTestPlatform, type TestPlatform } from '../helpers/test-platform.ts';
import { auditRows, bookingRow, paymentRow } from './stripe-events.ts';

describe('what the card does: declines and disputes, through stripe-node, the sandbox and its webhooks', () => {
  let p: TestPlatform;
  let officeId: string;
  let clerk: { headers: Record<string, string> };

  beforeAll(async () => {
    p = await startTestPlatform();
    ({ office: { id: officeId } } = await seedOffice(p.db));
    clerk = await p.staff(['clerk'], officeId);
  });
  afterAll(async () => p?.close());

  it('a declined card leaves the booking awaiting payment; the citizen then pays with another card', async () => {
    const { booking, payment } = await createPaidBooking(p, officeId, { pay: false });
    const declined = await p.stripe.paymentIntents
      .confirm(payment.paymentIntentId, { payment_method: 'pm_card_chargeDeclined' })
      .then(() => null, (err: unknown) => err);
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect((declined as Stripe.errors.StripeCardError).code).toBe('card_declined');
    await p.sandbox.flushWebhooks();

    await eventually(() => auditRows(p, booking.id, 'payment.failed'), (r) => r.length === 1);
    expect((await auditRows(p, booking.id, 'payment.failed'))[0]!.details).toMatchObject({ failureCode: 'card_declined' });
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

  it('a disputed charge is flagged on the payment, visible to the clerk, and audited', async () => {
    const { booking, payment } = await createPaidBooking(p, officeId, { paymentMethod: 'pm_card_createDispute' });
    await p.sandbox.flushWebhooks();
    const dispute = (await p.stripe.disputes.list({ payment_intent: payment.paymentIntentId })).data[0]!;
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
