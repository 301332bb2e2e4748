import { readFile } from 'node:fs/promises';
import { eq, inArray } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { bookings } from '../../src/bookings/bookings.table.ts';
import { localDate, zonedTimeToUtc } from '../../src/shared/zoned-time.ts';
import { registerCompany } from '../dispatch/helpers.ts';
import { expectAccessible, signInOnPage, useBrowser } from '../helpers/browser.ts';
import { must } from '../helpers/must.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api, createPaidBooking, eventually, seedOffice } from '../helpers/test-platform.ts';
import { PHONE, riderOf } from './courier/courier-day.ts';
import { staffAccount } from './staff/staff-web.ts';

const test = platformTest({ workers: true });
const TZ = 'Europe/Berlin';

/** The handover or return page: scan each code, name the courier, start; a second person confirms on the same screen. */
async function fourEyes(page: Page, codes: string[], second: { username: string; password: string }) {
  for (const code of codes) {
    await page.fill('#code', code);
    await page.keyboard.press('Enter');
    await page.locator('#scanned', { hasText: code }).waitFor();
  }
  await page.fill('#courierName', 'Mia Berger');
  await page.fill('#courierRef', 'rider-app');
  await Promise.all([page.waitForNavigation(), page.click('#start-form button[type="submit"]')]);
  await page.waitForSelector('input[name="handoverId"]', { state: 'attached' });
  await page.fill('#username', second.username);
  await page.fill('#password', second.password);
  await Promise.all([page.waitForURL(/\/amt\/uebergabe\?erledigt=/), page.keyboard.press('Enter')]);
}

describe('a whole day through the consoles', () => {
  const browser = useBrowser();

  test(
    'clerk scans in, supervisor plans and confirms, two staff hand over, the rider app delivers one stop and fails another, staff check the return in, finance reconciles and downloads the CSV',
    { timeout: 240_000 },
    async ({ p }) => {
      const { office, bikeZone } = await seedOffice(p.db);
      const company = await registerCompany(p, { name: 'Tagesvelo', zoneIds: [bikeZone.id] });
      const rider = await riderOf(p, company, 'Mia Berger');
      // Two citizens booked online and paid; their ID cards' PIN letters have arrived.
      const booked = [await createPaidBooking(p, office.id), await createPaidBooking(p, office.id)];
      for (const b of booked) {
        const pin = await api(p, 'POST', '/v1/tracking/pin-letter', { headers: { 'tracking-token': b.trackingToken } });
        expect(pin.status).toBe(200);
      }
      const codes = booked.map((b) => b.booking.applicationNumber as string);
      const ids = booked.map((b) => b.booking.id as string);
      const day = localDate(new Date(booked[0]?.booking.preferredWindows[0].start), TZ);
      const bookedOn = localDate(p.clock(), TZ);
      const [clerkA, clerkB, supervisor, finance] = await Promise.all([
        staffAccount(p, ['clerk'], office.id),
        staffAccount(p, ['clerk'], office.id),
        staffAccount(p, ['supervisor'], office.id),
        staffAccount(p, ['finance'], null),
      ]);
      const statuses = async () =>
        (await p.db.select().from(bookings).where(inArray(bookings.id, ids))).map((b) => [b.id, b.status] as const);
      const staffContext = await browser().newContext({ locale: 'de-DE' });

      // 1. The documents arrive: the clerk scans them in.
      const counter = await signInOnPage(staffContext, p.address, 'amt', clerkA, '/amt/schalter');
      for (const code of codes) {
        await counter.fill('#code', code);
        await counter.keyboard.press('Enter');
        await counter.locator('#scan-result [data-outcome="ready"]', { hasText: code }).waitFor();
      }
      expect(new Set((await statuses()).map(([, s]) => s))).toEqual(new Set(['document_ready']));

      // 2. The supervisor enters the company's shift, plans the day on the map and confirms.
      const planning = await signInOnPage(staffContext, p.address, 'amt', supervisor, `/amt/planung?tag=${day}`);
      await planning.click('summary');
      await planning.selectOption('#courierCompanyId', company.company.id);
      await planning.click('form[action="/amt/planung/schichten"] button[type="submit"]');
      await planning.waitForSelector('#shifts');
      await planning.click('#start-plan');
      await planning.waitForSelector('#confirm-plan', { timeout: 60_000 });
      await planning.waitForSelector('#map-box:not([hidden]) .leaflet-interactive');
      const routeId = must(await planning.getAttribute('table[data-route]', 'data-route'), 'the route');
      await Promise.all([planning.waitForURL(/erledigt=bestaetigt/), planning.click('#confirm-plan')]);
      expect(new Set((await statuses()).map(([, s]) => s))).toEqual(new Set(['planned']));

      // The company's dispatcher accepts the offered route (the platform offers it after confirming).
      await eventually(
        () => api(p, 'POST', `/v1/courier/routes/${routeId}/accept`, { headers: company.headers }),
        (r) => r.status === 200,
        30_000,
      );

      // 3. Four eyes: clerk A scans the route's documents, clerk B confirms on the same screen.
      const handover = await staffContext.newPage();
      await handover.goto(`${p.address}/amt/uebergabe/${routeId}/uebergabe`);
      await fourEyes(handover, codes, clerkB);
      expect(new Set((await statuses()).map(([, s]) => s))).toEqual(new Set(['handed_over']));
      await staffContext.close();

      // 4. The delivery day, 10:00: the rider works the route on a phone.
      p.clock.advance(zonedTimeToUtc(day, '10:00', TZ).getTime() - p.clock().getTime());
      const phone = await browser().newContext(PHONE);
      const app = await signInOnPage(phone, p.address, 'kurier', rider, `/kurier/touren/${routeId}`);
      await Promise.all([app.waitForURL(/ergebnis=applied/), app.click('button:has-text("Tour gestartet")')]);
      const stopLinks = await app.locator('a[href*="/stopps/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
      expect(stopLinks).toHaveLength(2);
      const [deliverHref, failHref] = stopLinks as [string, string];
      // The first door: identity checked, old document collected, receipt confirmed.
      await app.goto(`${p.address}${deliverHref}`);
      await app.waitForFunction("document.getElementById('pos-lng').value !== ''");
      await app.check('#method-photo_comparison');
      await app.check('#oldDocumentCollected');
      await app.check('#recipientConfirmed');
      await app.check('#result-delivered');
      await Promise.all([app.waitForURL(/meldung=stop\.delivered/), app.click('#tuer button[type="submit"]')]);
      // The second door: nobody at home.
      await app.goto(`${p.address}${failHref}`);
      await app.check('#result-failed');
      await app.check('#reason-not_home');
      await Promise.all([app.waitForURL(/meldung=stop\.failed/), app.click('#tuer button[type="submit"]')]);
      await Promise.all([app.waitForURL(/ergebnis=applied/), app.click('button:has-text("Dokumente zurückgegeben")')]);
      await expectAccessible(app, 'the route after the doors');
      await phone.close();
      const after = new Map(await statuses());
      const delivered = must(
        ids.find((id) => after.get(id) === 'delivered'),
        'a delivered booking',
      );
      const failed = must(
        ids.find((id) => after.get(id) === 'attempt_failed'),
        'a failed booking',
      );
      const [deliveredRow] = await p.db.select().from(bookings).where(eq(bookings.id, delivered));
      expect(deliveredRow?.custodyHolder).toBe('citizen');

      // 5. Staff check the returned document in, again with four eyes (the day's new sessions).
      const backContext = await browser().newContext({ locale: 'de-DE' });
      const back = await signInOnPage(backContext, p.address, 'amt', clerkA, `/amt/uebergabe/${routeId}/rueckgabe`);
      const returnedCode = must(codes[ids.indexOf(failed)], 'the returned code');
      await fourEyes(back, [returnedCode], clerkB);
      const [returnedRow] = await p.db.select().from(bookings).where(eq(bookings.id, failed));
      expect(returnedRow?.custodyHolder).toBe('office');
      await expectAccessible(back, 'the handover list after the return');
      await backContext.close();

      // 6. Finance reconciles the days since the bookings and downloads the booking list as CSV.
      const financeContext = await browser().newContext({ locale: 'de-DE', acceptDownloads: true });
      const fin = await signInOnPage(financeContext, p.address, 'amt', finance, '/amt/finanzen');
      await fin.fill('#from', bookedOn);
      await Promise.all([
        fin.waitForURL(/\/amt\/finanzen\/abgleich\/[0-9a-f-]{36}$/),
        fin.click('form[action="/amt/finanzen/abgleich"] button[type="submit"]'),
      ]);
      for (let i = 0; i < 60 && !/Abgeschlossen|Fehlgeschlagen/.test((await fin.textContent('#run-status')) ?? ''); i++) {
        await fin.waitForTimeout(500);
        await fin.reload();
      }
      expect(await fin.textContent('#run-status')).toContain('Abgeschlossen');
      await expectAccessible(fin, 'the finished reconciliation');
      await fin.goto(`${p.address}/amt/finanzen/berichte/buchungen?officeId=${office.id}&date=${bookedOn}`);
      const [download] = await Promise.all([fin.waitForEvent('download'), fin.click('#download-csv')]);
      const csv = await readFile(must(await download.path(), 'the downloaded file'), 'utf8');
      // German spreadsheets: UTF-8 with BOM, semicolons; both surcharges by their Kassenzeichen.
      expect(csv.charCodeAt(0)).toBe(0xfeff);
      expect(csv.split('\n')[0]).toContain(';');
      for (const b of booked) expect(csv).toContain(b.booking.kassenzeichen as string);
      // The company's invoice check for the month: one delivery at 6,00 € and one attempt nobody was home for at 3,00 €.
      await fin.goto(`${p.address}/amt/finanzen/berichte/kurier?companyId=${company.company.id}&month=${day.slice(0, 7)}`);
      await fin.waitForSelector('#report-totals');
      expect(await fin.textContent('[data-total="deliveredCents"]')).toMatch(/^6,00\s€$/);
      expect(await fin.textContent('[data-total="payableCents"]')).toMatch(/^9,00\s€$/);
      await expectAccessible(fin, 'the courier invoice check');
      await financeContext.close();
    },
  );
});
