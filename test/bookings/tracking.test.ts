import { describe, expect } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog } from '../../src/audit/audit.table.ts';
import { createBookingHoldsRepository } from '../../src/bookings/booking-holds.repository.ts';
import { bookingEvents } from '../../src/bookings/bookings.table.ts';
import { createLogCapture } from '../helpers/log-capture.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { ADDRESS, api, bookingBody, createPaidBooking, deliveryWindow, NEAR, seedOffice } from '../helpers/test-platform.ts';
import { must } from '../helpers/must.ts';

// Every log line of the platform (request logs included), at the most verbose level.
const { logger, lines: logLines } = createLogCapture();
const test = platformTest({ logger });

describe("the citizen's tracking view", () => {
  let officeId: string;

  test.beforeAll(async ({ p }) => {
    ({
      office: { id: officeId },
    } = await seedOffice(p.db));
  });

  test('shows only the status, the delivery window and when it last changed', async ({ p }) => {
    const { booking, trackingToken } = await createPaidBooking(p, officeId);
    const res = await api(p, 'GET', '/v1/tracking', { headers: { 'tracking-token': trackingToken } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
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
    expect(Object.keys(res.body).sort()).toEqual([
      'amountCents',
      'currency',
      'deliveryAttempts',
      'history',
      'nextSteps',
      'pinLetter',
      'status',
      'updatedAt',
      'window',
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/Mustermann|Marktplatz|1234567|applicationNumber|kassenzeichen/);
    // The history is the booking's events, in order, to the millisecond.
    const events = await p.db.select().from(bookingEvents).where(eq(bookingEvents.bookingId, booking.id)).orderBy(bookingEvents.id);
    expect(res.body.history).toEqual(events.map((e) => ({ status: e.toStatus, at: e.occurredAt.toISOString() })));
  });

  test('an open hold tells the citizen to wait for the office instead of paying; released, the pay step is back', async ({ p }) => {
    const { booking, trackingToken } = await createPaidBooking(p, officeId, { pay: false });
    const track = async () => (await api(p, 'GET', '/v1/tracking', { headers: { 'tracking-token': trackingToken } })).body.nextSteps;
    expect(await track()).toEqual([expect.objectContaining({ code: 'pay' })]);
    const holds = createBookingHoldsRepository(p.db);
    await holds.place(booking.id, 'payment_mismatch');
    expect(await track()).toEqual([expect.objectContaining({ code: 'wait_for_office' })]);
    await holds.release({ bookingId: booking.id }, { releasedBy: 'test', resolution: 'continue', at: new Date() });
    expect(await track()).toEqual([expect.objectContaining({ code: 'pay' })]);
  });

  test('the earliest preferred window is shown, whatever order the citizen gave them in', async ({ p }) => {
    const q = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: NEAR } });
    const windows = [
      deliveryWindow(new Date(), 20, '09:00', '11:00'),
      deliveryWindow(new Date(), 10, '14:00', '16:00'),
      deliveryWindow(new Date(), 15, '09:00', '11:00'),
    ];
    const created = await api(p, 'POST', '/v1/bookings', {
      body: bookingBody(q.body.id, { preferredWindows: windows }),
      headers: { 'idempotency-key': `track-order-${Date.now()}` },
    });
    expect(created.status).toBe(201);
    const res = await api(p, 'GET', '/v1/tracking', { headers: { 'tracking-token': created.body.trackingToken } });
    expect(res.body).toMatchObject({ status: 'awaiting_payment', window: windows[1] });
  });

  test('a wrong token is a 404 that reveals nothing; a missing or too short one a 400', async ({ p }) => {
    const { trackingToken } = await createPaidBooking(p, officeId, { pay: false });
    const wrong = `${trackingToken.slice(0, -1)}${trackingToken.endsWith('A') ? 'B' : 'A'}`;
    const res = await api(p, 'GET', '/v1/tracking', { headers: { 'tracking-token': wrong } });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'tracking.not_found', requestId: expect.any(String) });
    expect(Object.keys(res.body.error).sort()).toEqual(['code', 'message', 'requestId']);
    expect((await api(p, 'GET', '/v1/tracking')).status).toBe(400);
    expect((await api(p, 'GET', '/v1/tracking', { headers: { 'tracking-token': 'short' } })).status).toBe(400);
  });

  test('a tracking token opens only its own booking: it cannot cancel another one', async ({ p }) => {
    const mine = await createPaidBooking(p, officeId, { pay: false });
    const theirs = await createPaidBooking(p, officeId, { pay: false });
    const res = await api(p, 'POST', `/v1/bookings/${theirs.booking.id}/cancel`, {
      headers: { 'tracking-token': mine.trackingToken },
      body: {},
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('booking.not_found');
    const still = await api(p, 'GET', '/v1/tracking', { headers: { 'tracking-token': theirs.trackingToken } });
    expect(still.body.status).toBe('awaiting_payment');
    // No reason given, and no body at all: the reason is optional.
    const own = await api(p, 'POST', `/v1/bookings/${mine.booking.id}/cancel`, { headers: { 'tracking-token': mine.trackingToken } });
    expect(own.status).toBe(200);
    expect(own.body.booking.status).toBe('cancelled');
  });

  test('the token travels only in a header: the operations take no token in the URL', ({ p }) => {
    const doc = p.app.swagger() as unknown as {
      paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>>;
    };
    const track = must(must(doc.paths['/v1/tracking'], "doc.paths['/v1/tracking']").get, "doc.paths['/v1/tracking'].get");
    expect(track.parameters?.map((prm) => `${prm.in}:${prm.name}`)).toEqual(['header:tracking-token']);
    for (const [path, ops] of Object.entries(doc.paths)) {
      expect(path).not.toMatch(/token/i);
      for (const op of Object.values(ops)) {
        for (const prm of op.parameters ?? []) if (/token/i.test(prm.name)) expect(prm.in, `${path} ${prm.name}`).toBe('header');
      }
    }
  });

  test("the token is in no log line, no audit row and not in Stripe's metadata", async ({ p }) => {
    logLines.length = 0;
    const { booking, payment, trackingToken } = await createPaidBooking(p, officeId);
    await api(p, 'GET', '/v1/tracking', { headers: { 'tracking-token': trackingToken } });
    await api(p, 'GET', '/v1/tracking', { headers: { 'tracking-token': `${trackingToken}x` } });
    await api(p, 'POST', `/v1/bookings/${booking.id}/cancel`, { headers: { 'tracking-token': trackingToken }, body: {} });
    // The capture works: the requests above were logged, with their URL.
    expect(logLines.some((l) => l.includes('/v1/tracking'))).toBe(true);
    expect(logLines.some((l) => l.includes(`/v1/bookings/${booking.id}/cancel`))).toBe(true);
    const secret = trackingToken.slice('ab_track_'.length);
    expect(logLines.filter((l) => l.includes(secret))).toEqual([]);

    const audit = await p.db.select().from(auditLog);
    expect(JSON.stringify(audit)).not.toContain(secret);
    const pi = await p.stripe.paymentIntents.retrieve(payment.paymentIntentId);
    expect(JSON.stringify(pi)).not.toContain(secret);
  });
});
