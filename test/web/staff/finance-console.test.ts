import { describe, expect } from 'vitest';
import { parseCsv } from '../../../src/finance/csv.ts';
import { localDate } from '../../../src/shared/zoned-time.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { bookPaidOnlyHere, createPaidBooking, eventually, seedOffice } from '../../helpers/test-platform.ts';
import { staffAccount, webClient } from './staff-web.ts';

const HOUR = 3_600_000;
const test = platformTest({ workers: true, env: { DATEV_CONSULTANT_NUMBER: '1001', DATEV_CLIENT_NUMBER: '1' } });

describe('staff sign-in and the finance console on the web', () => {
  test('after ten wrong passwords the sign-in page says how long to wait and from when, and lets nobody in meanwhile', async ({ p }) => {
    const finance = await staffAccount(p, ['finance'], null);
    const web = webClient(p);
    const attempt = async (password: string) => {
      const form = await (await web.get('/amt/anmelden')).text();
      return web.post('/amt/anmelden', { _csrf: web.csrfOf(form), username: finance.username, password });
    };
    for (let i = 0; i < 10; i++) expect((await attempt('wrong-wrong-wrong')).status).toBe(401);
    const locked = await attempt(finance.password);
    expect(locked.status).toBe(429);
    const html = await locked.text();
    // The window is five minutes; the text names the minutes and the office time it ends.
    expect(html).toMatch(/Zu viele Anmeldeversuche\. Bitte versuchen Sie es in [1-5] Minuten wieder, ab \d{2}:\d{2} Uhr\./);
    expect(html).toContain(`value="${finance.username}"`);
    expect(web.jar.has('amtsbote_amt')).toBe(false);
  });

  test('sign-in sets a strict HttpOnly cookie for /amt; a form without its CSRF token is refused; sign-out ends the session', async ({
    p,
  }) => {
    const finance = await staffAccount(p, ['finance'], null);
    const web = webClient(p);

    const away = await web.get('/amt/finanzen');
    expect(away.status).toBe(303);
    expect(away.headers.get('location')).toBe('/amt/anmelden?weiter=%2Famt%2Ffinanzen');

    const form = await web.get('/amt/anmelden');
    expect(form.status).toBe(200);
    const noToken = await web.post('/amt/anmelden', { username: finance.username, password: finance.password });
    expect(noToken.status).toBe(403);

    const wrong = await web.post('/amt/anmelden', {
      _csrf: web.csrfOf(await form.text()),
      username: finance.username,
      password: 'nope-nope-nope',
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Benutzername oder Passwort ist falsch');

    const page = await (await web.get('/amt/anmelden?weiter=%2Famt%2Ffinanzen%2Fberichte')).text();
    const signedIn = await web.post('/amt/anmelden', {
      _csrf: web.csrfOf(page),
      username: finance.username,
      password: finance.password,
      weiter: '/amt/finanzen/berichte',
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/amt/finanzen/berichte');
    const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith('amtsbote_amt='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/amt(;|$)/);
    // Plain HTTP in the test: Secure only when the site is served over HTTPS.
    expect(cookie).not.toMatch(/Secure/);

    const home = await (await web.get('/amt/finanzen')).text();
    expect(home).toContain('Angemeldet als Test finance (Finanzen)');
    const out = await web.post('/amt/abmelden', { _csrf: web.csrfOf(home) });
    expect(out.status).toBe(303);
    expect((await web.get('/amt/finanzen')).status).toBe(303);
  });

  test('a clerk cannot open the finance pages', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const clerk = await staffAccount(p, ['clerk'], office.id);
    const web = webClient(p);
    expect((await web.signIn(clerk)).headers.get('location')).toBe('/amt');
    for (const path of ['/amt/finanzen', '/amt/finanzen/abweichungen', '/amt/finanzen/berichte']) {
      const res = await web.get(path);
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain('Kein Zugriff');
    }
    const en = await web.get('/amt/finanzen?lang=en');
    expect(await en.text()).toContain('No access');
  });

  test(
    'a finance officer starts a run, sees its totals, resolves what it found and downloads the booking list as CSV',
    { timeout: 120_000 },
    async ({ p }) => {
      const { office } = await seedOffice(p.db);
      const day = localDate(p.clock(), 'Europe/Berlin');
      await createPaidBooking(p, office.id);
      // Paid here, nothing at Stripe (see bookPaidOnlyHere).
      const ghostPayment = await bookPaidOnlyHere(p, office.id);
      await p.sandbox.flushWebhooks();
      // Money younger than an hour is still in flight: the officer reconciles later.
      p.clock.advance(2 * HOUR);

      const web = webClient(p);
      const finance = await staffAccount(p, ['finance'], null);
      expect((await web.signIn(finance)).headers.get('location')).toBe('/amt/finanzen');
      const overview = await web.get('/amt/finanzen');
      const html = await overview.text();
      expect(html).toContain('Abgleich starten');

      const started = await web.post('/amt/finanzen/abgleich', { _csrf: web.csrfOf(html), importLedger: 'on', from: day });
      expect(started.status).toBe(303);
      const runPath = started.headers.get('location') ?? '';
      expect(runPath).toMatch(/^\/amt\/finanzen\/abgleich\/[0-9a-f-]{36}$/);
      const done = await eventually(
        async () => (await web.get(runPath)).text(),
        (t) => t.includes('Abgeschlossen') || t.includes('Fehlgeschlagen'),
        60_000,
      );
      expect(done).toContain('Abgeschlossen');
      expect(done).toContain('8 von 8 Schritten');
      expect(done).toMatch(/data-total="chargedCents">[\d.]+,\d\d\s€/);
      expect(done).toContain('Belastet (brutto)');
      expect(await (await web.get('/amt/finanzen')).text()).toContain(runPath);

      // The test database holds the payments of every test file this worker ran before, none of
      // them at this file's Stripe sandbox: the run finds them missing too, so the ghost payment
      // may be on a later page of the run's list, as it may for an officer.
      const subject = `payment:${ghostPayment?.id ?? ''}`;
      const openOfRun = `/amt/finanzen/abweichungen?kind=missing_at_stripe&status=open&runId=${runPath.split('/').pop() ?? ''}`;
      const row = await listedDiscrepancy(web, openOfRun, subject);
      expect(row, 'the ghost payment is listed').not.toBeNull();
      const detailPath = row ?? '';
      const detail = await (await web.get(detailPath)).text();
      expect(detail).toContain('Bei Stripe nicht vorhanden');
      const empty = await web.post(`${detailPath}/erledigen`, { _csrf: web.csrfOf(detail), comment: '' });
      expect(empty.status).toBe(422);
      const resolved = await web.post(`${detailPath}/erledigen`, { _csrf: web.csrfOf(detail), comment: 'Zahlung manuell geprüft' });
      expect(resolved.status).toBe(303);
      expect(await (await web.get(detailPath)).text()).toMatch(/Erledigt am .*: Zahlung manuell geprüft/);
      expect(await listedDiscrepancy(web, openOfRun, subject), 'no longer open').toBeNull();

      const reportPath = `/amt/finanzen/berichte/buchungen?officeId=${office.id}&date=${day}`;
      const onScreen = await (await web.get(reportPath)).text();
      expect(onScreen).toContain('Tägliche Buchungsliste');
      expect(onScreen).toMatch(/data-total="netCents">-?[\d.]+,\d\d\s€/);
      const csv = await web.get(`${reportPath}&format=csv`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
      expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"$/);
      const rows = parseCsv(new Uint8Array(await csv.arrayBuffer()), 'utf-8-bom');
      expect(rows.length).toBeGreaterThan(1);
      const datev = await web.get(`${reportPath}&format=datev`);
      expect(datev.status).toBe(200);
      expect(datev.headers.get('content-disposition')).toMatch(/attachment/);
    },
  );
});

/** The detail link of the discrepancy about `subject` on the list at `path` or one of its later pages, or null. */
async function listedDiscrepancy(web: ReturnType<typeof webClient>, path: string, subject: string): Promise<string | null> {
  const rowOf = new RegExp(`data-subject="${subject}">\\s*<td[^>]*><a class="kern-link" href="(/amt/finanzen/abweichungen/[0-9a-f-]{36})"`);
  let next: string | null = path;
  for (let pages = 0; next && pages < 100; pages++) {
    const list = await (await web.get(next)).text();
    const row = rowOf.exec(list)?.[1];
    if (row) return row;
    next = /<a class="kern-link" href="([^"]*&amp;cursor=[^"]*)"/.exec(list)?.[1]?.replaceAll('&amp;', '&') ?? null;
  }
  return null;
}
