import { describe, expect } from 'vitest';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api, createPaidBooking, eventually, seedOffice } from '../helpers/test-platform.ts';
import { must } from '../helpers/must.ts';

const test = platformTest({ workers: true });

describe('the life of a booking, end to end through stripe-node and the sandbox', () => {
  let officeId: string;
  let clerk: { headers: Record<string, string> };

  test.beforeAll(async ({ p }) => {
    ({
      office: { id: officeId },
    } = await seedOffice(p.db));
    clerk = await p.staff(['clerk'], officeId);
  });

  test('a citizen quotes, books, pays, is tracked, the document arrives, and a cancellation refunds by policy', async ({ p }) => {
    const { booking, payment, trackingToken } = await createPaidBooking(p, officeId);
    expect(booking.status).toBe('awaiting_payment');
    expect(payment.sandbox).toBe(true);
    const pi = await p.stripe.paymentIntents.retrieve(payment.paymentIntentId);
    expect(pi.metadata).toMatchObject({ booking_id: booking.id, office_id: officeId, kassenzeichen: booking.kassenzeichen });
    expect(pi.amount).toBe(450);

    const tracked = await api(p, 'GET', '/v1/tracking', { headers: { 'tracking-token': trackingToken } });
    expect(tracked.status).toBe(200);
    expect(tracked.body).toEqual({
      status: 'paid',
      amountCents: 450,
      currency: 'EUR',
      nextSteps: [{ code: 'confirm_pin_letter' }, { code: 'wait_for_document' }],
      window: booking.preferredWindows[0],
      pinLetter: { required: true, confirmedAt: null },
      deliveryAttempts: 0,
      history: [
        { status: 'awaiting_payment', at: expect.any(String) },
        { status: 'paid', at: expect.any(String) },
      ],
      updatedAt: expect.any(String),
    });

    const arrival = await api(p, 'POST', '/v1/document-arrivals', {
      headers: clerk.headers,
      body: { officeId, applicationNumber: booking.applicationNumber },
    });
    expect(arrival.body).toMatchObject({ bookingId: booking.id, status: 'document_ready', alreadyRecorded: false });

    const cancelled = await api(p, 'POST', `/v1/bookings/${booking.id}/cancel`, {
      headers: { 'tracking-token': trackingToken },
      body: { reason: 'picking up myself' },
    });
    expect(cancelled.status).toBe(200);
    // fee_after_ready with a 150 cent fee: the document had arrived, so 450 - 150 comes back.
    expect(cancelled.body.refund).toMatchObject({ amountCents: 300, status: 'pending' });

    const refunds = await eventually(
      () => p.stripe.refunds.list({ payment_intent: payment.paymentIntentId }),
      (l) => l.data.length === 1,
    );
    expect(must(refunds.data[0], 'refunds.data[0]').amount).toBe(300);
    await p.sandbox.flushWebhooks();
    const full = await eventually(
      () => api(p, 'GET', `/v1/bookings/${booking.id}`, { headers: clerk.headers }),
      (r) => r.body.payment.amountRefundedCents === 300 && r.body.refunds[0].status === 'succeeded',
    );
    expect(full.body.status).toBe('cancelled');
    expect(full.body.events.map((e: { toStatus: string }) => e.toStatus)).toEqual([
      'awaiting_payment',
      'paid',
      'document_ready',
      'cancelled',
    ]);
  });
});
