import { and, eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { auditLog } from '../../src/audit/audit.table.ts';
import { createBookingsRepository } from '../../src/bookings/bookings.repository.ts';
import type { Booking } from '../../src/bookings/bookings.table.ts';
import { createOfficeCalendarRepository } from '../../src/offices/office-calendar.repository.ts';
import { addDays, isoWeekday, localDate, zonedTimeToUtc } from '../../src/shared/zoned-time.ts';
import { must } from '../helpers/must.ts';
import { test } from '../helpers/platform-fixture.ts';
import { api, createPaidBooking, deliveryWindow, moveBooking, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';

const reschedule = (p: TestPlatform, token: string, preferredWindows: unknown) =>
  api(p, 'POST', '/v1/tracking/reschedule', { headers: { 'tracking-token': token }, body: { preferredWindows } });

const bookingRow = async (p: TestPlatform, id: string) => must(await createBookingsRepository(p.db).findById(id), `booking ${id}`);

const auditsOf = (p: TestPlatform, bookingId: string) =>
  p.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.subjectId, bookingId), eq(auditLog.action, 'booking.rescheduled')));

/** The next date from `daysAhead` on with the ISO weekday asked for (7 = Sunday). */
function nextWeekday(weekday: number, daysAhead = 10) {
  let date = addDays(localDate(new Date(), 'Europe/Berlin'), daysAhead);
  while (isoWeekday(date) !== weekday) date = addDays(date, 1);
  return date;
}

const windowOn = (date: string, from: string, to: string) => ({
  start: zonedTimeToUtc(date, from, 'Europe/Berlin').toISOString(),
  end: zonedTimeToUtc(date, to, 'Europe/Berlin').toISOString(),
});

describe('the citizen reschedules to other offered days before the route is confirmed', () => {
  let officeId: string;
  test.beforeAll(async ({ p }) => {
    ({
      office: { id: officeId },
    } = await seedOffice(p.db));
  });

  test('new windows replace the old ones, recorded without personal data; the same windows again change nothing', async ({ p }) => {
    const { booking, trackingToken } = await createPaidBooking(p, officeId);
    const windows = [deliveryWindow(new Date(), 20, '14:00', '18:00'), deliveryWindow(new Date(), 25, '08:00', '12:00')];
    const res = await reschedule(p, trackingToken, windows);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'paid', changed: true });
    expect(res.body.preferredWindows).toEqual([...windows].sort((a, b) => a.start.localeCompare(b.start)));
    expect((await bookingRow(p, booking.id)).preferredWindows).toEqual(res.body.preferredWindows);

    // The tracking view shows the earliest new window.
    const tracked = await api(p, 'GET', '/v1/tracking', { headers: { 'tracking-token': trackingToken } });
    expect(tracked.body.window).toEqual(res.body.preferredWindows[0]);

    const audits = await auditsOf(p, booking.id);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorType: 'citizen', actorId: null, officeId, subjectType: 'booking' });
    expect(audits[0]?.details).toEqual({ status: 'paid', windowsBefore: 1, windowsAfter: 2 });

    // Repeated (another order, another ISO spelling): nothing changes, nothing more is recorded.
    const again = await reschedule(
      p,
      trackingToken,
      [...windows].reverse().map((w) => ({ start: w.start.replace('.000Z', 'Z'), end: w.end })),
    );
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ changed: false, preferredWindows: res.body.preferredWindows, updatedAt: res.body.updatedAt });
    expect(await auditsOf(p, booking.id)).toHaveLength(1);
  });

  test('allowed while awaiting payment, paid, document ready and after a failed attempt', async ({ p }) => {
    const unpaid = await createPaidBooking(p, officeId, { pay: false });
    const paid = await createPaidBooking(p, officeId);
    const ready = await createPaidBooking(p, officeId);
    await moveBooking(p, await bookingRow(p, ready.booking.id), 'document_ready', { type: 'system' }, 'test');
    const failed = await createPaidBooking(p, officeId);
    let row: Booking = await bookingRow(p, failed.booking.id);
    for (const status of ['document_ready', 'planned', 'handed_over', 'out_for_delivery', 'attempt_failed'] as const) {
      row = await moveBooking(p, row, status, { type: 'system' }, 'test');
    }
    for (const [expected, { trackingToken }] of [
      ['awaiting_payment', unpaid],
      ['paid', paid],
      ['document_ready', ready],
      ['attempt_failed', failed],
    ] as const) {
      const res = await reschedule(p, trackingToken, [deliveryWindow(new Date(), 30, '10:00', '14:00')]);
      expect(res.status, `${expected}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body).toMatchObject({ status: expected, changed: true });
    }
  });

  test('refused with 409 once the booking is on a confirmed route, and after the delivery', async ({ p }) => {
    const { booking, trackingToken } = await createPaidBooking(p, officeId);
    const before = (await bookingRow(p, booking.id)).preferredWindows;
    let row = await moveBooking(p, await bookingRow(p, booking.id), 'document_ready', { type: 'system' }, 'test');
    row = await moveBooking(p, row, 'planned', { type: 'staff' }, 'plan confirmed');
    const planned = await reschedule(p, trackingToken, [deliveryWindow(new Date(), 30)]);
    expect(planned.status).toBe(409);
    expect(planned.body.error).toMatchObject({ code: 'booking.not_reschedulable', details: { status: 'planned' } });
    expect(planned.body.error.message).toMatch(/confirmed delivery route/);
    for (const status of ['handed_over', 'out_for_delivery', 'delivered'] as const) {
      row = await moveBooking(p, row, status, { type: 'system' }, 'test');
      const res = await reschedule(p, trackingToken, [deliveryWindow(new Date(), 30)]);
      expect(res.status, status).toBe(409);
      expect(res.body.error.code).toBe('booking.not_reschedulable');
    }
    expect((await bookingRow(p, booking.id)).preferredWindows).toEqual(before);
    expect(await auditsOf(p, booking.id)).toHaveLength(0);
  });

  test('windows outside the offered days are refused as at booking (422 booking.invalid_windows)', async ({ p }) => {
    // An office of its own: the closing day below must not touch the other tests' days.
    const { office } = await seedOffice(p.db);
    const { booking, trackingToken } = await createPaidBooking(p, office.id);
    const before = (await bookingRow(p, booking.id)).preferredWindows;
    const sunday = nextWeekday(7);
    const onSunday = await reschedule(p, trackingToken, [windowOn(sunday, '10:00', '12:00')]);
    expect(onSunday.status).toBe(422);
    expect(onSunday.body.error.code).toBe('booking.invalid_windows');
    expect(onSunday.body.error.message).toContain('there is no delivery on Sun');

    const lateEvening = deliveryWindow(new Date(), 16, '19:00', '21:00');
    const outsideHours = await reschedule(p, trackingToken, [lateEvening]);
    expect(outsideHours.status).toBe(422);
    expect(outsideHours.body.error.message).toContain('outside the delivery hours');

    // A closing day the office entered after the booking.
    const closed = deliveryWindow(new Date(), 18);
    const closedDate = localDate(new Date(closed.start), 'Europe/Berlin');
    await createOfficeCalendarRepository(p.db).addClosure({ officeId: office.id, date: closedDate, reason: 'Betriebsausflug' });
    const onClosure = await reschedule(p, trackingToken, [closed]);
    expect(onClosure.status).toBe(422);
    expect(onClosure.body.error.message).toContain('Betriebsausflug');

    const past = await reschedule(p, trackingToken, [windowOn(addDays(localDate(new Date(), 'Europe/Berlin'), -3), '09:00', '11:00')]);
    expect(past.status).toBe(422);
    const overlapping = await reschedule(p, trackingToken, [
      deliveryWindow(new Date(), 20, '09:00', '12:00'),
      deliveryWindow(new Date(), 20, '11:00', '14:00'),
    ]);
    expect(overlapping.status).toBe(422);

    // 0 or 6 windows are refused by the request schema.
    expect((await reschedule(p, trackingToken, [])).status).toBe(400);
    const six = Array.from({ length: 6 }, (_, i) => deliveryWindow(new Date(), 20 + i * 2));
    expect((await reschedule(p, trackingToken, six)).status).toBe(400);

    expect((await bookingRow(p, booking.id)).preferredWindows).toEqual(before);
  });

  test('an unknown tracking token is a 404; a missing one a 400', async ({ p }) => {
    const unknown = await reschedule(p, 'ab_track_unknown_token_123', [deliveryWindow()]);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('tracking.not_found');
    const missing = await api(p, 'POST', '/v1/tracking/reschedule', { body: { preferredWindows: [deliveryWindow()] } });
    expect(missing.status).toBe(400);
  });
});
