import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { platformTest } from '../helpers/platform-fixture.ts';
import { createBookingsRepository } from '../../src/bookings/bookings.repository.ts';
import { isValidKassenzeichen } from '../../src/bookings/kassenzeichen.ts';
import { holidayName } from '../../src/offices/delivery-hours.ts';
import { addDays, isoWeekday, localDate, zonedTimeToUtc } from '../../src/shared/zoned-time.ts';
import {
  ADDRESS,
  api,
  bookingBody,
  createPaidBooking,
  deliveryWindow,
  moveBooking,
  NEAR,
  seedOffice,
  type TestPlatform,
} from '../helpers/test-platform.ts';
import { sign, postWebhook, stripeEvent } from '../payments/stripe-events.ts';
import { must } from '../helpers/must.ts';

const TZ = 'Europe/Berlin';
const MUNICH = { street: 'Marienplatz', houseNumber: '8', postalCode: '80331', city: 'München' };

/** A window on the first date ≥ `daysAhead` for which `accept(date)` holds, in office time. */
function windowOn(accept: (date: string) => boolean, from: string, to: string, daysAhead = 14) {
  let date = addDays(localDate(new Date(), TZ), daysAhead);
  while (!accept(date)) date = addDays(date, 1);
  return { date, window: { start: zonedTimeToUtc(date, from, TZ).toISOString(), end: zonedTimeToUtc(date, to, TZ).toISOString() } };
}

const test = platformTest();

describe('what a booking must match: the quoted address, the delivery hours, the roles that may book', () => {
  let p: TestPlatform;
  let officeId: string;
  let servedOfficeId: string;
  let admin: { headers: Record<string, string> };
  let finance: { headers: Record<string, string> };
  let clerk: { headers: Record<string, string> };

  // The file's one platform (the shared fixture); the helpers below close over it.
  test.beforeAll(async ({ p: platform }) => {
    p = platform;
    ({
      office: { id: officeId },
    } = await seedOffice(p.db));
    ({
      office: { id: servedOfficeId },
    } = await seedOffice(p.db, { postalCodes: ['70173', '70174'] }));
    admin = await p.staff(['admin'], null);
    finance = await p.staff(['finance'], null);
    clerk = await p.staff(['clerk'], officeId);
  });

  const quote = (body: Record<string, unknown>) =>
    api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: NEAR, ...body } });
  const book = (body: unknown, headers: Record<string, string> = {}) =>
    api(p, 'POST', '/v1/bookings', { body, headers: { 'idempotency-key': randomUUID(), ...headers } });

  describe('the booked address is the quoted address', () => {
    it('a quote for Stuttgart and a booking with a Munich address is a 422 that says to quote again', async () => {
      const q = await quote({});
      expect(q.status).toBe(201);
      const res = await book(bookingBody(q.body.id, { address: MUNICH }));
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'booking.address_not_quoted', message: expect.stringMatching(/new quote/) });
      // Only the postal code changed: still another address.
      const plz = await book(bookingBody(q.body.id, { address: { ...ADDRESS, postalCode: '80331' } }));
      expect(plz.body.error.code).toBe('booking.address_not_quoted');
    });

    it('the same address written differently books fine', async () => {
      const q = await quote({});
      const res = await book(bookingBody(q.body.id, { address: { ...ADDRESS, street: ' marktplatz ', city: 'STUTTGART' } }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    });

    it('an office that lists its postal codes refuses a quote for another one, whatever the position', async () => {
      const res = await api(p, 'POST', '/v1/quotes', { body: { officeId: servedOfficeId, address: MUNICH, location: NEAR } });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'quote.postal_code_not_served', message: expect.stringContaining('70173, 70174') });
      const ok = await api(p, 'POST', '/v1/quotes', { body: { officeId: servedOfficeId, address: ADDRESS, location: NEAR } });
      expect(ok.status).toBe(201);
    });
  });

  describe('delivery windows lie in the office’s delivery hours', () => {
    const weekday = (d: string) => isoWeekday(d) <= 5 && holidayName(d, 'BW') === null;

    it('a window at 03:00 is refused with the hours that are offered', async () => {
      const q = await quote({});
      const { window } = windowOn(weekday, '03:00', '05:00');
      const res = await book(bookingBody(q.body.id, { preferredWindows: [window] }));
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('booking.invalid_windows');
      expect(res.body.error.message).toMatch(/03:00–05:00 lies outside the delivery hours/);
      expect(res.body.error.message).toMatch(/Delivery is offered Mon–Fri 08:00–20:00, Sat 09:00–14:00 \(office time, Europe\/Berlin\)/);
      expect(res.body.error.details.hours.sun).toEqual([]);
    });

    it('a Sunday and a public holiday are refused; a weekday morning is fine', async () => {
      const q = await quote({});
      const sunday = windowOn((d) => isoWeekday(d) === 7, '10:00', '12:00');
      expect((await book(bookingBody(q.body.id, { preferredWindows: [sunday.window] }))).body.error.message).toMatch(/no delivery on Sun/);
      const holiday = windowOn((d) => holidayName(d, 'BW') !== null && isoWeekday(d) <= 6, '09:00', '11:00', 1);
      if (holiday.date <= addDays(localDate(new Date(), TZ), 115)) {
        const res = await book(bookingBody(q.body.id, { preferredWindows: [holiday.window] }));
        expect(res.body.error.message).toMatch(/is a public holiday/);
      }
      const ok = windowOn(weekday, '09:00', '11:00');
      expect((await book(bookingBody(q.body.id, { preferredWindows: [ok.window] }))).status).toBe(201);
    });

    it('the quote offers the slots, and so does the office; a closing day an admin enters is taken out', async () => {
      const q = await quote({});
      expect(q.body.deliverySlots).toMatchObject({ timeZone: TZ, state: 'BW', hoursText: expect.stringContaining('Mon–Fri 08:00–20:00') });
      expect(q.body.deliverySlots.days).toHaveLength(28);
      const sunday = q.body.deliverySlots.days.find((d: { weekday: string }) => d.weekday === 'sun');
      expect(sunday).toMatchObject({ windows: [], closed: { kind: 'no_hours' } });

      const { date, window } = windowOn(weekday, '09:00', '11:00', 20);
      const closure = await api(p, 'POST', `/v1/offices/${officeId}/closures`, {
        headers: admin.headers,
        body: { date, reason: 'Personalversammlung' },
      });
      expect(closure.status).toBe(201);
      const slots = await api(p, 'GET', `/v1/offices/${officeId}/delivery-slots?from=${date}&days=1`);
      expect(slots.body.days).toEqual([
        { date, weekday: expect.any(String), windows: [], closed: { kind: 'closure', name: 'Personalversammlung' } },
      ]);
      // A quote made after the change shows the closing day, one made after its removal does not
      // (a process keeps computed slot views; the calendar is their key).
      const dayIn = (res: { body: { deliverySlots: { days: { date: string }[] } } }) =>
        res.body.deliverySlots.days.find((d) => d.date === date);
      expect(q.body.deliverySlots.days.find((d: { date: string }) => d.date === date)).toMatchObject({ closed: null });
      expect(dayIn(await quote({}))).toMatchObject({ windows: [], closed: { kind: 'closure', name: 'Personalversammlung' } });
      const refused = await book(bookingBody(q.body.id, { preferredWindows: [window] }));
      expect(refused.body.error.message).toMatch(/Personalversammlung/);
      expect((await api(p, 'DELETE', `/v1/offices/${officeId}/closures/${date}`, { headers: admin.headers })).status).toBe(204);
      expect(dayIn(await quote({}))).toMatchObject({ closed: null, windows: [expect.anything()] });
      expect((await book(bookingBody(q.body.id, { preferredWindows: [window] }))).status).toBe(201);
    });

    it('an admin changes the hours; malformed hours are a 422', async () => {
      const { office } = await seedOffice(p.db);
      const evening = { mon: [{ start: '16:00', end: '21:00' }], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
      const res = await api(p, 'PATCH', `/v1/offices/${office.id}`, { headers: admin.headers, body: { deliveryHours: evening } });
      expect(res.status).toBe(200);
      expect(res.body.deliveryHours).toEqual(evening);
      const q = await api(p, 'POST', '/v1/quotes', { body: { officeId: office.id, address: ADDRESS, location: NEAR } });
      const monday = windowOn((d) => isoWeekday(d) === 1 && holidayName(d, 'BW') === null, '09:00', '11:00');
      const refused = await book(bookingBody(q.body.id, { preferredWindows: [monday.window] }));
      expect(refused.body.error.message).toMatch(/Delivery is offered Mon 16:00–21:00/);
      const bad = await api(p, 'PATCH', `/v1/offices/${office.id}`, {
        headers: admin.headers,
        body: { deliveryHours: { ...evening, mon: [{ start: '21:00', end: '16:00' }] } },
      });
      expect(bad.status).toBe(422);
      expect(bad.body.error.code).toBe('office.invalid_delivery_hours');
      expect((await api(p, 'PATCH', `/v1/offices/${office.id}`, { headers: clerk.headers, body: { state: 'BY' } })).status).toBe(403);
    });
  });

  describe('who books and who sees money', () => {
    it('finance cannot book at the counter, nor open a booking with contact data; it lists and opens payments', async () => {
      const q = await quote({});
      const refused = await book(bookingBody(q.body.id), finance.headers);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('auth.forbidden');
      const counter = await book(bookingBody(q.body.id), clerk.headers);
      expect(counter.status).toBe(201);

      const { booking } = await createPaidBooking(p, officeId);
      expect((await api(p, 'GET', `/v1/bookings/${booking.id}`, { headers: finance.headers })).status).toBe(403);
      const list = await api(p, 'GET', `/v1/payments?kassenzeichen=${booking.kassenzeichen}`, { headers: finance.headers });
      expect(list.status).toBe(200);
      expect(list.body.data).toEqual([
        expect.objectContaining({
          bookingId: booking.id,
          kassenzeichen: booking.kassenzeichen,
          amountCents: 450,
          amountReceivedCents: 450,
          amountRefundedCents: 0,
          currency: 'EUR',
          status: 'succeeded',
          bookingStatus: 'paid',
          officeId,
        }),
      ]);
      const one = await api(p, 'GET', `/v1/payments/${list.body.data[0].id}`, { headers: finance.headers });
      expect(one.body).toMatchObject({ refunds: [], disputes: [], discrepancies: [], holds: [] });
      expect(JSON.stringify([list.body, one.body])).not.toMatch(/Mustermann|Marktplatz|1234567/);
      const booksList = await api(p, 'GET', `/v1/bookings?kassenzeichen=${booking.kassenzeichen}`, { headers: finance.headers });
      expect(booksList.body.data[0]).toMatchObject({
        payment: { status: 'succeeded', amountRefundedCents: 0, disputed: false },
        openHolds: [],
      });
      for (const path of ['/v1/refunds', '/v1/disputes', '/v1/payment-discrepancies']) {
        expect((await api(p, 'GET', path, { headers: finance.headers })).status, path).toBe(200);
        expect((await api(p, 'GET', path, { headers: clerk.headers })).status, path).toBe(403);
      }
    });

    it('pages of payments follow the cursor without losing or repeating one', async () => {
      const { office } = await seedOffice(p.db);
      for (let i = 0; i < 5; i++) await createPaidBooking(p, office.id, { pay: false });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await api(p, 'GET', `/v1/payments?officeId=${office.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
          headers: finance.headers,
        });
        expect(res.status).toBe(200);
        seen.push(...res.body.data.map((d: { id: string }) => d.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(5);
      expect(new Set(seen).size).toBe(5);
    });
  });

  describe('small things a newcomer meets', () => {
    it('the booking response carries a payment link that opens the pay page; tracking says to pay, how much, by when', async () => {
      const { payment, trackingToken, booking } = await createPaidBooking(p, officeId, { pay: false });
      expect(payment.payUrl).toMatch(new RegExp(`/sandbox/pay/${payment.paymentIntentId}\\?client_secret=`));
      const page = await fetch(payment.payUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/no real money/i);
      const tracked = await api(p, 'GET', '/v1/tracking', { headers: { 'tracking-token': trackingToken } });
      expect(tracked.body.nextSteps).toEqual([
        { code: 'pay', amountCents: 450, currency: 'EUR', payBy: booking.paymentDeadline, payUrl: payment.payUrl },
      ]);
    });

    it('the Kassenzeichen carries the office’s year: just after midnight on New Year’s Day in Stuttgart it is the new year', async () => {
      const year = new Date().getUTCFullYear() + 1;
      // 23:30 UTC on 31 December is 00:30 on 1 January in Stuttgart.
      const target = Date.UTC(year - 1, 11, 31, 23, 30);
      const offset = target - Date.now();
      p.clock.advance(offset);
      try {
        const q = await quote({});
        const res = await book(bookingBody(q.body.id, { preferredWindows: [deliveryWindow(new Date(target), 14)] }, new Date(target)));
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        expect(res.body.booking.kassenzeichen).toContain(`-${year}-`);
        expect(isValidKassenzeichen(res.body.booking.kassenzeichen)).toBe(true);
      } finally {
        p.clock.advance(-offset);
      }
    });

    it('GET / says what this is and where the docs are', async () => {
      const json = await api(p, 'GET', '/');
      expect(json.status).toBe(200);
      expect(json.body).toMatchObject({ name: 'Amtsbote', links: { docs: '/docs', api: '/v1', openapi: '/docs/json' } });
      const html = await fetch(`${p.address}/`, { headers: { accept: 'text/html' } });
      expect(html.headers.get('content-type')).toMatch(/text\/html/);
      expect(await html.text()).toMatch(/href="\/docs"/);
    });

    it('a Stripe webhook signed with a timestamp in the future beyond the tolerance is refused like a stale one', async () => {
      const event = stripeEvent('customer.created', { id: 'cus_future', object: 'customer' });
      const future = sign(p, event, { timestamp: Math.floor(Date.now() / 1000) + 600 });
      const res = await postWebhook(p, future.payload, future.header);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('webhook.invalid_signature');
      const slightlyAhead = sign(p, event, { timestamp: Math.floor(Date.now() / 1000) + 30 });
      expect((await postWebhook(p, slightlyAhead.payload, slightlyAhead.header)).status).toBe(200);
    });
  });

  it('the repository refuses a move the state machine forbids, with a coded 409', async () => {
    const { booking } = await createPaidBooking(p, officeId);
    const repo = createBookingsRepository(p.db);
    const row = must(await repo.findById(booking.id), 'await repo.findById(booking.id)');
    await expect(moveBooking(p, row, 'delivered', { type: 'system' })).rejects.toMatchObject({
      code: 'booking.invalid_transition',
      status: 409,
    });
    // A stale copy loses cleanly to a move made meanwhile.
    await moveBooking(p, row, 'document_ready', { type: 'system' });
    await expect(moveBooking(p, row, 'cancelled', { type: 'system' })).rejects.toMatchObject({
      code: 'booking.changed_concurrently',
      status: 409,
    });
  });
});
