import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { bookings } from '../../src/bookings/bookings.table.ts';
import { test } from '../helpers/platform-fixture.ts';
import { ADDRESS, api, bookingBody, createPaidBooking, NEAR, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import { must } from '../helpers/must.ts';

describe('createBooking is idempotent per Idempotency-Key', () => {
  let officeId: string;

  test.beforeAll(async ({ p }) => {
    ({
      office: { id: officeId },
    } = await seedOffice(p.db));
  });

  async function quote(p: TestPlatform) {
    const res = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: NEAR } });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }
  const book = (p: TestPlatform, body: unknown, key?: string) =>
    api(p, 'POST', '/v1/bookings', { body, headers: key === undefined ? {} : { 'idempotency-key': key } });

  async function intentsOf(p: TestPlatform, bookingId: string) {
    const all = await p.stripe.paymentIntents.list({ limit: 100 });
    return all.data.filter((pi) => pi.metadata.booking_id === bookingId);
  }

  test('a retried request with the same key and body gets the same booking, token and PaymentIntent back', async ({ p }) => {
    const body = bookingBody(await quote(p));
    const key = randomUUID();
    const first = await book(p, body, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const second = await book(p, body, key);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(second.body.trackingToken).toBe(first.body.trackingToken);

    expect(await intentsOf(p, first.body.booking.id)).toHaveLength(1);
    const rows = await p.db
      .select()
      .from(bookings)
      .where(and(eq(bookings.officeId, officeId), eq(bookings.applicationNumber, body.applicationNumber as string)));
    expect(rows).toHaveLength(1);
  });

  test('the same key with a different body is refused with 409 idempotency.key_reused', async ({ p }) => {
    const quoteId = await quote(p);
    const key = randomUUID();
    const body = bookingBody(quoteId);
    expect((await book(p, body, key)).status).toBe(201);
    const res = await book(p, { ...body, recipient: { name: 'Max Mustermann', phone: '+49 711 7654321' } }, key);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'idempotency.key_reused', requestId: expect.any(String) });
  });

  test('two concurrent requests with the same key create one booking', async ({ p }) => {
    const body = bookingBody(await quote(p));
    const key = randomUUID();
    const results = await Promise.all([book(p, body, key), book(p, body, key), book(p, body, key)]);
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(201);
    const ids = new Set(results.map((r) => r.body.booking.id));
    expect(ids.size).toBe(1);
    expect(new Set(results.map((r) => r.body.trackingToken)).size).toBe(1);
    expect(new Set(results.map((r) => r.body.payment.paymentIntentId)).size).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(2);
    expect(await intentsOf(p, must([...ids][0], '[...ids][0]'))).toHaveLength(1);
  });

  test('the same body under two different keys is two attempts: the second finds the application booked', async ({ p }) => {
    const body = bookingBody(await quote(p));
    expect((await book(p, body, randomUUID())).status).toBe(201);
    const res = await book(p, body, randomUUID());
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('booking.application_already_booked');
  });

  test('a request without an Idempotency-Key (or with a malformed one) is a 400', async ({ p }) => {
    const body = bookingBody(await quote(p));
    for (const key of [undefined, 'short', 'x'.repeat(256), 'has spaces in it']) {
      const res = await book(p, body, key);
      expect(res.status, String(key)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'request.invalid_headers', requestId: expect.any(String) });
    }
    const none = await api(p, 'GET', `/v1/bookings?applicationNumber=${body.applicationNumber as string}`, {
      headers: (await p.staff(['clerk'], officeId)).headers,
    });
    expect(none.body.data).toEqual([]);
  });

  test('a failed attempt does not burn the key: after fixing the cause the same key succeeds', async ({ p }) => {
    const quoteId = await quote(p);
    const key = randomUUID();
    const body = bookingBody(quoteId, { preferredWindows: [{ start: '2020-01-01T08:00:00Z', end: '2020-01-01T12:00:00Z' }] });
    expect((await book(p, body, key)).status).toBe(422);
    const unknownQuote = bookingBody(randomUUID());
    expect((await book(p, unknownQuote, key)).status).toBe(404);
    const res = await book(p, bookingBody(quoteId), key);
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
  });

  test('the same booking request with its fields in another order is a replay, not a conflict', async ({ p }) => {
    const quoted = await api(p, 'POST', '/v1/quotes', {
      body: {
        officeId,
        address: { street: 'Marktplatz', houseNumber: '1', postalCode: '70173', city: 'Stuttgart' },
        location: [9.1773, 48.7754],
      },
    });
    const { request } = await createPaidBooking(p, officeId, { pay: false });
    const body = { ...request, quoteId: quoted.body.id, applicationNumber: `R${randomUUID().slice(0, 8)}` };
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    reordered.recipient = Object.fromEntries(Object.entries(body.recipient).reverse());
    const key = randomUUID();
    const a = await api(p, 'POST', '/v1/bookings', { body, headers: { 'idempotency-key': key } });
    const b = await api(p, 'POST', '/v1/bookings', { body: reordered, headers: { 'idempotency-key': key } });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.booking.id).toBe(a.body.booking.id);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
  });
});
