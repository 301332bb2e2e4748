import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { auditLog } from '../../src/audit/audit.table.ts';
import { bookings } from '../../src/bookings/bookings.table.ts';
import { isValidKassenzeichen } from '../../src/bookings/kassenzeichen.ts';
import { test } from '../helpers/platform-fixture.ts';
import { ADDRESS, allPages, api, bookingBody, createPaidBooking, NEAR, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import { must } from '../helpers/must.ts';

type Headers = Record<string, string>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API JSON
type Json = any;

describe('staff operations on bookings: lists, counter bookings, views, document arrivals', () => {
  let officeA: string;
  let officeB: string;
  let clerkA: { user: { id: string }; headers: Headers };
  let clerkB: { headers: Headers };
  let finance: { headers: Headers };
  /** Office A: three paid and two unpaid bookings, oldest first. */
  const bookingsA: Array<{ booking: Json; paid: boolean }> = [];
  let bookingB: Json;

  test.beforeAll(async ({ p }) => {
    ({
      office: { id: officeA },
    } = await seedOffice(p.db));
    ({
      office: { id: officeB },
    } = await seedOffice(p.db));
    [clerkA, clerkB, finance] = await Promise.all([p.staff(['clerk'], officeA), p.staff(['clerk'], officeB), p.staff(['finance'], null)]);
    for (let i = 0; i < 5; i++) {
      const paid = i % 2 === 0;
      const { booking } = await createPaidBooking(p, officeA, { pay: paid });
      bookingsA.push({ booking, paid });
    }
    ({ booking: bookingB } = await createPaidBooking(p, officeB));
  });

  const list = (p: TestPlatform, query: string, headers: Headers = clerkA.headers) => api(p, 'GET', `/v1/bookings${query}`, { headers });
  const idsOf = (res: { body: { data: Array<{ id: string }> } }) => res.body.data.map((b) => b.id);

  describe('listBookings', () => {
    test('pages through every booking of the office, newest first, without duplicates or gaps', async ({ p }) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: Json = await list(p, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...idsOf(res));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(bookingsA.map((b) => b.booking.id).reverse());
    });

    test('a page that ends exactly at the last booking says there is no next page', async ({ p }) => {
      const res = await list(p, '?limit=5');
      expect(res.body.data).toHaveLength(5);
      expect(res.body.nextCursor).toBeNull();
    });

    test('filters by status (one or several), application number and Kassenzeichen', async ({ p }) => {
      const paidIds = bookingsA
        .filter((b) => b.paid)
        .map((b) => b.booking.id)
        .reverse();
      const unpaidIds = bookingsA
        .filter((b) => !b.paid)
        .map((b) => b.booking.id)
        .reverse();
      expect(idsOf(await list(p, '?status=paid'))).toEqual(paidIds);
      expect(idsOf(await list(p, '?status=awaiting_payment'))).toEqual(unpaidIds);
      expect(idsOf(await list(p, '?status=awaiting_payment&status=paid'))).toHaveLength(5);
      expect(idsOf(await list(p, '?status=delivered'))).toEqual([]);

      const target = must(bookingsA[3], 'bookingsA[3]').booking;
      expect(idsOf(await list(p, `?applicationNumber=${target.applicationNumber}`))).toEqual([target.id]);
      expect(isValidKassenzeichen(target.kassenzeichen)).toBe(true);
      expect(idsOf(await list(p, `?kassenzeichen=${encodeURIComponent(target.kassenzeichen)}`))).toEqual([target.id]);
      expect(idsOf(await list(p, `?status=paid&applicationNumber=${target.applicationNumber}`))).toEqual([]);
    });

    test('shows no contact data or address in the list', async ({ p }) => {
      const res = await list(p, '?limit=1');
      expect(Object.keys(res.body.data[0]).sort()).toEqual([
        'amountCents',
        'applicationNumber',
        'createdAt',
        'currency',
        'documentType',
        'id',
        'kassenzeichen',
        'officeId',
        'openHolds',
        'payment',
        'postalCode',
        'status',
        'updatedAt',
        'vehicleType',
      ]);
      // The fields are the booking's own: the newest of office A.
      const newest = must(bookingsA.at(-1), 'bookingsA').booking;
      expect(res.body.data[0]).toMatchObject({
        id: newest.id,
        applicationNumber: newest.applicationNumber,
        kassenzeichen: newest.kassenzeichen,
        amountCents: newest.amountCents,
        postalCode: ADDRESS.postalCode,
        createdAt: newest.createdAt,
      });
    });

    test('a clerk of office B sees nothing of office A: the list is empty, the booking a 404, asking for A a 403', async ({ p }) => {
      const res = await list(p, '', clerkB.headers);
      expect(idsOf(res)).toEqual([bookingB.id]);
      expect(
        idsOf(await list(p, `?applicationNumber=${must(bookingsA[0], 'bookingsA[0]').booking.applicationNumber}`, clerkB.headers)),
      ).toEqual([]);
      const get = await api(p, 'GET', `/v1/bookings/${must(bookingsA[0], 'bookingsA[0]').booking.id}`, { headers: clerkB.headers });
      expect(get.status).toBe(404);
      expect(get.body.error.code).toBe('booking.not_found');
      const asked = await list(p, `?officeId=${officeA}`, clerkB.headers);
      expect(asked.status).toBe(403);
      expect(asked.body.error.code).toBe('auth.other_office');
      const cancel = await api(p, 'POST', `/v1/bookings/${must(bookingsA[1], 'bookingsA[1]').booking.id}/cancel`, {
        headers: clerkB.headers,
        body: {},
      });
      expect(cancel.status).toBe(404);
    });

    test("finance sees the lists of every office but not a booking's personal data", async ({ p }) => {
      const all = await list(p, '?limit=200', finance.headers);
      expect(all.status).toBe(200);
      expect(idsOf(all)).toEqual(expect.arrayContaining([bookingB.id, ...bookingsA.map((b) => b.booking.id)]));
      expect(idsOf(await list(p, `?officeId=${officeB}`, finance.headers))).toEqual([bookingB.id]);
      const get = await api(p, 'GET', `/v1/bookings/${bookingB.id}`, { headers: finance.headers });
      expect(get.status).toBe(403);
    });

    // Last in this block: it adds bookings to office A, which the tests above count.
    test('paging one by one through bookings created in the same millisecond returns every one exactly once', async ({ p }) => {
      const made: string[] = [];
      for (let i = 0; i < 4; i++) made.push((await createPaidBooking(p, officeA, { pay: false })).booking.id as string);
      // Microseconds apart within one millisecond, as rows inserted in a burst are.
      for (const [n, id] of made.entries()) {
        await p.db.execute(
          sql`update bookings set created_at = timestamptz '2026-11-26 06:00:00.123400+00' + ${n * 100} * interval '1 microsecond' where id = ${id}`,
        );
      }
      const seen = (await allPages<{ id: string }>(p, `/v1/bookings?limit=1&officeId=${officeA}`, clerkA.headers)).map((b) => b.id);
      expect(seen.filter((id) => made.includes(id)).sort()).toEqual([...made].sort());
      expect(new Set(seen).size).toBe(seen.length);
    });
  });

  test('a clerk booking at the counter is recorded as its creator, and only for their own office', async ({ p }) => {
    const quoteFor = async (officeId: string) =>
      (await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: NEAR } })).body.id as string;
    const own = await api(p, 'POST', '/v1/bookings', {
      headers: { ...clerkA.headers, 'idempotency-key': randomUUID() },
      body: bookingBody(await quoteFor(officeA)),
    });
    expect(own.status).toBe(201);
    const opened = await api(p, 'GET', `/v1/bookings/${own.body.booking.id}`, { headers: clerkA.headers });
    expect(opened.body.createdByStaffId).toBe(clerkA.user.id);
    expect(opened.body.events[0]).toMatchObject({ toStatus: 'awaiting_payment', actorType: 'staff', actorId: clerkA.user.id });
    const other = await api(p, 'POST', '/v1/bookings', {
      headers: { ...clerkB.headers, 'idempotency-key': randomUUID() },
      body: bookingBody(await quoteFor(officeA)),
    });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('auth.other_office');
  });

  test('opening a booking is written to the audit log as booking.viewed', async ({ p }) => {
    const target = must(bookingsA[0], 'bookingsA[0]').booking;
    const res = await api(p, 'GET', `/v1/bookings/${target.id}`, { headers: { ...clerkA.headers, 'x-request-id': `view-${target.id}` } });
    expect(res.status).toBe(200);
    expect(res.body.recipient.name).toBe('Erika Mustermann');
    const rows = await p.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'booking.viewed'), eq(auditLog.subjectId, target.id)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorType: 'staff',
      actorId: clerkA.user.id,
      subjectType: 'booking',
      officeId: officeA,
      requestId: `view-${target.id}`,
    });
    // A refused look is not a look: nothing is written for office B's clerk.
    await api(p, 'GET', `/v1/bookings/${target.id}`, { headers: clerkB.headers });
    expect(
      await p.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'booking.viewed'), eq(auditLog.subjectId, target.id))),
    ).toHaveLength(1);
  });

  describe('recordDocumentArrival', () => {
    const arrive = (p: TestPlatform, officeId: string, applicationNumber: string, headers: Headers = clerkA.headers) =>
      api(p, 'POST', '/v1/document-arrivals', { headers, body: { officeId, applicationNumber } });

    test('an application without a booking is a 404 booking.application_unknown', async ({ p }) => {
      const res = await arrive(p, officeA, 'UNKNOWN-0001');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('booking.application_unknown');
      // Another office's application is unknown here too.
      expect((await arrive(p, officeA, bookingB.applicationNumber)).status).toBe(404);
    });

    test('an unpaid booking is a 409 booking.not_paid and stays awaiting payment', async ({ p }) => {
      const unpaid = must(
        bookingsA.find((b) => !b.paid),
        'bookingsA.find((b) => !b.paid)',
      ).booking;
      const res = await arrive(p, officeA, unpaid.applicationNumber);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('booking.not_paid');
      expect(idsOf(await list(p, `?status=awaiting_payment&applicationNumber=${unpaid.applicationNumber}`))).toEqual([unpaid.id]);
    });

    test('a paid booking becomes document_ready; scanning it again is harmless', async ({ p }) => {
      const paid = must(bookingsA.filter((b) => b.paid)[1], 'bookingsA.filter((b) => b.paid)[1]').booking;
      const first = await arrive(p, officeA, paid.applicationNumber);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ bookingId: paid.id, status: 'document_ready', alreadyRecorded: false });
      const second = await arrive(p, officeA, paid.applicationNumber);
      expect(second.status).toBe(200);
      expect(second.body).toEqual({ bookingId: paid.id, status: 'document_ready', alreadyRecorded: true });
      const arrivals = await p.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'document.arrived'), eq(auditLog.subjectId, paid.id)));
      expect(arrivals).toHaveLength(1);
    });

    test('a clerk records arrivals only for their own office', async ({ p }) => {
      const res = await arrive(p, officeA, must(bookingsA[2], 'bookingsA[2]').booking.applicationNumber, clerkB.headers);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('auth.other_office');
    });

    test('scanning the document of a planned booking again leaves it in its plan', async ({ p }) => {
      const { booking } = await createPaidBooking(p, officeA);
      const first = await api(p, 'POST', '/v1/document-arrivals', {
        headers: clerkA.headers,
        body: { officeId: officeA, applicationNumber: booking.applicationNumber },
      });
      expect(first.body).toMatchObject({ status: 'document_ready', alreadyRecorded: false });
      await p.db.update(bookings).set({ status: 'planned' }).where(eq(bookings.id, booking.id));
      const again = await api(p, 'POST', '/v1/document-arrivals', {
        headers: clerkA.headers,
        body: { officeId: officeA, applicationNumber: booking.applicationNumber },
      });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ status: 'planned', alreadyRecorded: true });
      const [row] = await p.db.select().from(bookings).where(eq(bookings.id, booking.id));
      expect(must(row, 'row').status).toBe('planned');
    });
  });
});
