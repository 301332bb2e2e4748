import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { bookings } from '../../src/bookings/bookings.table.ts';
import { test } from '../helpers/platform-fixture.ts';
import { api, createPaidBooking, seedOffice } from '../helpers/test-platform.ts';

describe('lists, scans and retries that must not lose or undo anything', () => {
  let officeId: string;
  let clerk: { headers: Record<string, string> };

  test.beforeAll(async ({ p }) => {
    ({
      office: { id: officeId },
    } = await seedOffice(p.db));
    clerk = await p.staff(['clerk'], officeId);
  });

  test('paging one by one through bookings created in the same millisecond returns every one exactly once', async ({ p }) => {
    const made: string[] = [];
    for (let i = 0; i < 4; i++) made.push((await createPaidBooking(p, officeId, { pay: false })).booking.id as string);
    // Microseconds apart within one millisecond, as rows inserted in a burst are.
    for (const [n, id] of made.entries()) {
      await p.db.execute(
        sql`update bookings set created_at = timestamptz '2026-11-26 06:00:00.123400+00' + ${n * 100} * interval '1 microsecond' where id = ${id}`,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/v1/bookings?limit=1&officeId=${officeId}${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await api(p, 'GET', query, { headers: clerk.headers });
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((b: { id: string }) => b.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.filter((id) => made.includes(id)).sort()).toEqual([...made].sort());
    expect(new Set(seen).size).toBe(seen.length);
  });

  test('scanning the document of a planned booking again leaves it in its plan', async ({ p }) => {
    const { booking } = await createPaidBooking(p, officeId);
    const first = await api(p, 'POST', '/v1/document-arrivals', {
      headers: clerk.headers,
      body: { officeId, applicationNumber: booking.applicationNumber },
    });
    expect(first.body).toMatchObject({ status: 'document_ready', alreadyRecorded: false });
    await p.db.update(bookings).set({ status: 'planned' }).where(eq(bookings.id, booking.id));
    const again = await api(p, 'POST', '/v1/document-arrivals', {
      headers: clerk.headers,
      body: { officeId, applicationNumber: booking.applicationNumber },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'planned', alreadyRecorded: true });
    const [row] = await p.db.select().from(bookings).where(eq(bookings.id, booking.id));
    expect(row!.status).toBe('planned');
  });

  test('the same booking request with its fields in another order is a replay, not a conflict', async ({ p }) => {
    const quote = await api(p, 'POST', '/v1/quotes', {
      body: {
        officeId,
        address: { street: 'Marktplatz', houseNumber: '1', postalCode: '70173', city: 'Stuttgart' },
        location: [9.1773, 48.7754],
      },
    });
    const { request } = await createPaidBooking(p, officeId, { pay: false });
    const body = { ...request, quoteId: quote.body.id, applicationNumber: `R${randomUUID().slice(0, 8)}` };
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

  test('a client cannot walk around the sign-in limit by inventing X-Forwarded-For addresses', async ({ p }) => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await api(p, 'POST', '/v1/auth/sessions', {
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
        body: { username: 'nobody-here', password: 'wrong password' },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});
