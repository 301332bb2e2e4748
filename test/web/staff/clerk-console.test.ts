import { eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { auditLog } from '../../../src/audit/audit.table.ts';
import { bookings } from '../../../src/bookings/bookings.table.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { createPaidBooking, seedOffice } from '../../helpers/test-platform.ts';
import { staffAccount, webClient } from './staff-web.ts';

const test = platformTest({ workers: false });

describe('scan-in at the counter', () => {
  test('each scan records the arrival as the API does and says ready, already scanned, unknown or not paid; the list keeps them', async ({
    p,
  }) => {
    const { office } = await seedOffice(p.db);
    const { booking } = await createPaidBooking(p, office.id);
    const { booking: unpaid } = await createPaidBooking(p, office.id, { pay: false });
    const clerk = await staffAccount(p, ['clerk'], office.id);
    const web = webClient(p);
    await web.signIn(clerk);
    const scan = async (code: string) => {
      const page = await (await web.get('/amt/schalter')).text();
      const res = await web.post('/amt/schalter/eingang', { _csrf: web.csrfOf(page), code });
      return { status: res.status, html: await res.text() };
    };

    const ready = await scan(booking.applicationNumber);
    expect(ready.status).toBe(200);
    expect(ready.html).toContain('kern-alert--success');
    const [row] = await p.db.select().from(bookings).where(eq(bookings.id, booking.id));
    expect(row?.status).toBe('document_ready');
    const audits = await p.db.select().from(auditLog).where(eq(auditLog.subjectId, booking.id));
    expect(audits.map((a) => a.action)).toContain('document.arrived');

    const again = await scan(booking.applicationNumber);
    expect(again.status).toBe(200);
    expect(again.html).toContain('kern-alert--warning');

    const unknown = await scan('UNKNOWN-0001');
    expect(unknown.status).toBe(422);
    expect(unknown.html).toContain('kern-alert--danger');

    const notPaid = await scan(unpaid.applicationNumber);
    expect(notPaid.status).toBe(422);
    expect(notPaid.html).toContain('kern-alert--danger');
    const [stillUnpaid] = await p.db.select().from(bookings).where(eq(bookings.id, unpaid.id));
    expect(stillUnpaid?.status).toBe('awaiting_payment');

    // The running list holds all four, newest first.
    const listed = notPaid.html.indexOf(unpaid.applicationNumber);
    expect(listed).toBeGreaterThan(-1);
    expect(notPaid.html.indexOf('UNKNOWN-0001')).toBeGreaterThan(listed);
    expect(notPaid.html.lastIndexOf(booking.applicationNumber)).toBeGreaterThan(notPaid.html.indexOf('UNKNOWN-0001'));

    // The progressive script asks for JSON and gets the same outcome.
    const page = await (await web.get('/amt/schalter')).text();
    const json = await web.post(
      '/amt/schalter/eingang',
      { _csrf: web.csrfOf(page), code: booking.applicationNumber },
      { accept: 'application/json' },
    );
    expect(json.status).toBe(200);
    expect(await json.json()).toMatchObject({ code: booking.applicationNumber, outcome: 'already', alert: 'warning' });
  });

  test('a finance officer cannot open the counter; a scan without its CSRF token is refused', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const finance = await staffAccount(p, ['finance'], null);
    const web = webClient(p);
    await web.signIn(finance);
    expect((await web.get('/amt/schalter')).status).toBe(403);
    const clerk = await staffAccount(p, ['clerk'], office.id);
    const clerkWeb = webClient(p);
    await clerkWeb.signIn(clerk);
    expect((await clerkWeb.post('/amt/schalter/eingang', { code: 'A2026-000001' })).status).toBe(403);
  });
});
