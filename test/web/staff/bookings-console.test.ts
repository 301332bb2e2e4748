import { and, eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { auditLog } from '../../../src/audit/audit.table.ts';
import { bookingEvents, bookings } from '../../../src/bookings/bookings.table.ts';
import { refunds } from '../../../src/payments/payments.table.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { createPaidBooking, seedOffice } from '../../helpers/test-platform.ts';
import { staffAccount, webClient } from './staff-web.ts';

const test = platformTest({ workers: false });

async function rowOf(p: Parameters<typeof staffAccount>[0], id: string) {
  const [row] = await p.db.select().from(bookings).where(eq(bookings.id, id));
  if (!row) throw new Error(`booking ${id} not found`);
  return row;
}

/** Signs a new clerk of the office in and scans the documents in, as the counter would. */
async function clerkOf(p: Parameters<typeof staffAccount>[0], officeId: string) {
  const web = webClient(p);
  await web.signIn(await staffAccount(p, ['clerk'], officeId));
  const scanIn = async (applicationNumber: string) => {
    const page = await (await web.get('/amt/schalter')).text();
    expect((await web.post('/amt/schalter/eingang', { _csrf: web.csrfOf(page), code: applicationNumber })).status).toBe(200);
  };
  return { web, scanIn };
}

describe('the bookings console', () => {
  test("search finds a booking by application number, Kassenzeichen and status, only in the clerk's own office", async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const { office: other } = await seedOffice(p.db);
    const { booking: a } = await createPaidBooking(p, office.id);
    const { booking: b } = await createPaidBooking(p, office.id, { pay: false });
    const { booking: elsewhere } = await createPaidBooking(p, other.id);
    const { web } = await clerkOf(p, office.id);

    const all = await (await web.get('/amt/buchungen')).text();
    expect(all).toContain(a.applicationNumber);
    expect(all).toContain(b.applicationNumber);
    expect(all).not.toContain(elsewhere.id);

    const byNumber = await (await web.get(`/amt/buchungen?applicationNumber=${a.applicationNumber}`)).text();
    expect(byNumber).toContain(`data-booking="${a.id}"`);
    expect(byNumber).not.toContain(`data-booking="${b.id}"`);

    const rowB = await rowOf(p, b.id);
    const byKz = await (await web.get(`/amt/buchungen?kassenzeichen=${encodeURIComponent(rowB.kassenzeichen)}`)).text();
    expect(byKz).toContain(`data-booking="${b.id}"`);
    expect(byKz).not.toContain(`data-booking="${a.id}"`);

    const unpaid = await (await web.get('/amt/buchungen?status=awaiting_payment')).text();
    expect(unpaid).toContain(`data-booking="${b.id}"`);
    expect(unpaid).not.toContain(`data-booking="${a.id}"`);

    // Another office's booking is not found, neither by search nor by its address.
    expect(await (await web.get(`/amt/buchungen?applicationNumber=${elsewhere.applicationNumber}`)).text()).not.toContain(elsewhere.id);
    expect((await web.get(`/amt/buchungen/${elsewhere.id}`)).status).toBe(404);
    expect((await web.get('/amt/buchungen/not-a-uuid')).status).toBe(404);

    // Bad input: the form again, the error tied to its field.
    const bad = await web.get('/amt/buchungen?from=2026-13-45&kassenzeichen=<script>');
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('id="from-error"');
    expect(html).toContain('id="kassenzeichen-error"');
    expect(html).not.toContain('<script>');
  });

  test('opening a booking shows its facts, history and custody chain, and is audited', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const { booking } = await createPaidBooking(p, office.id);
    const { web, scanIn } = await clerkOf(p, office.id);
    await scanIn(booking.applicationNumber);

    const res = await web.get(`/amt/buchungen/${booking.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    const row = await rowOf(p, booking.id);
    expect(html).toContain(row.recipient.name);
    expect(html).toContain(row.kassenzeichen);
    expect(html).toMatch(/<dd class="kern-description-list-item__value" id="status">Dokument im Amt<\/dd>/);
    expect(html).toMatch(/id="holder">Amt</);
    // History: created → paid → document ready.
    expect(html).toMatch(/id="history"[\s\S]*bezahlt → Dokument im Amt/);
    // The custody chain has the arrival at the office, with its hash.
    const custody = /<table class="kern-table" id="custody">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
    expect(custody).toMatch(/<td class="kern-table__cell">Amt<\/td>/);
    expect(custody).toMatch(/title="[0-9a-f]{64}"/);

    const audits = await p.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subjectId, booking.id), eq(auditLog.actorType, 'staff')));
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['booking.viewed', 'custody.viewed']));
  });

  test('cancelling shows the refund first, needs a reason, and then refunds what the policy says', async ({ p }) => {
    const { office } = await seedOffice(p.db, { refundPolicy: 'fee_after_ready', feeCents: 150 });
    const { booking } = await createPaidBooking(p, office.id);
    const { web, scanIn } = await clerkOf(p, office.id);
    await scanIn(booking.applicationNumber);
    const refundCents = (await rowOf(p, booking.id)).amountCents - 150;
    const euros = (refundCents / 100).toFixed(2).replace('.', ',');

    const detail = await (await web.get(`/amt/buchungen/${booking.id}`)).text();
    expect(detail).toContain(`href="/amt/buchungen/${booking.id}/stornieren"`);
    const preview = await (await web.get(`/amt/buchungen/${booking.id}/stornieren`)).text();
    expect(preview).toContain(`Erstattet werden ${euros}`);
    // Looking at the preview changes nothing.
    expect((await p.db.select().from(bookings).where(eq(bookings.id, booking.id)))[0]?.status).toBe('document_ready');

    const noReason = await web.post(`/amt/buchungen/${booking.id}/stornieren`, { _csrf: web.csrfOf(preview), reason: '' });
    expect(noReason.status).toBe(422);
    expect(await noReason.text()).toContain('id="reason-error"');

    const done = await web.post(`/amt/buchungen/${booking.id}/stornieren`, { _csrf: web.csrfOf(preview), reason: 'Bürger verzichtet' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`/amt/buchungen/${booking.id}?storniert=1`);
    const [after] = await p.db.select().from(bookings).where(eq(bookings.id, booking.id));
    expect(after?.status).toBe('cancelled');
    const owed = await p.db.select().from(refunds).where(eq(refunds.bookingId, booking.id));
    expect(owed.map((r) => r.amountCents)).toEqual([refundCents]);
    const events = await p.db.select().from(bookingEvents).where(eq(bookingEvents.bookingId, booking.id));
    expect(events.find((e) => e.toStatus === 'cancelled')?.reason).toBe('Bürger verzichtet');
    const shown = await (await web.get(`/amt/buchungen/${booking.id}?storniert=1`)).text();
    expect(shown).toContain(`Die Erstattung von ${euros}`);
    expect(shown).not.toContain('/stornieren"');

    // Again: nothing more to cancel, and no second refund.
    const again = await (await web.get(`/amt/buchungen/${booking.id}/stornieren`)).text();
    expect(again).toContain('nicht mehr storniert werden');
    await web.post(`/amt/buchungen/${booking.id}/stornieren`, { _csrf: web.csrfOf(again), reason: 'noch einmal' });
    expect(await p.db.select().from(refunds).where(eq(refunds.bookingId, booking.id))).toHaveLength(1);
  });

  test('a finance officer cannot open the bookings console; a cancellation without its CSRF token is refused', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const { booking } = await createPaidBooking(p, office.id);
    const finance = webClient(p);
    await finance.signIn(await staffAccount(p, ['finance'], null));
    expect((await finance.get('/amt/buchungen')).status).toBe(403);
    expect((await finance.get(`/amt/buchungen/${booking.id}`)).status).toBe(403);
    const { web } = await clerkOf(p, office.id);
    expect((await web.post(`/amt/buchungen/${booking.id}/stornieren`, { reason: 'ohne Token' })).status).toBe(403);
    expect((await p.db.select().from(bookings).where(eq(bookings.id, booking.id)))[0]?.status).toBe('paid');
  });
});
