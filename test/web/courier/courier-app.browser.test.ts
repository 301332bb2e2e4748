import { eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { bookings } from '../../../src/bookings/bookings.table.ts';
import { planStops } from '../../../src/planning/planning.table.ts';
import { expectAccessible, useBrowser } from '../../helpers/browser.ts';
import { must } from '../../helpers/must.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { PHONE, riderOf, routeForToday } from './courier-day.ts';

const test = platformTest({ workers: true });

describe('the rider app on a phone', () => {
  const browser = useBrowser();

  test('sign in, open the route, deliver a stop with the checklist; axe finds nothing on any page', { timeout: 120_000 }, async ({ p }) => {
    const day = await routeForToday(p, { name: 'Handy Velo', daysAhead: 7, count: 1 });
    const rider = await riderOf(p, day.company, 'Ali Demir');
    const jobId = must(day.jobIds[0], 'job');

    const context = await browser().newContext(PHONE);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${p.address}/kurier`);
    await page.waitForURL('**/kurier/anmelden');
    await expectAccessible(page, 'sign-in');
    await page.fill('#username', rider.username);
    await page.fill('#password', 'falsch-falsch-falsch');
    await page.click('button[type="submit"]:has-text("Anmelden")');
    await page.waitForSelector('#fehler');
    await expectAccessible(page, 'sign-in failed');
    await page.fill('#password', rider.password);
    await Promise.all([page.waitForURL(/\/kurier$/), page.click('button[type="submit"]:has-text("Anmelden")')]);
    await expectAccessible(page, "today's routes");
    // Nothing wider than the phone: no sideways scrolling at the door.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

    await Promise.all([page.waitForURL(`**/kurier/touren/${day.routeId}`), page.click(`a[href="/kurier/touren/${day.routeId}"]`)]);
    await expectAccessible(page, 'the route, handed over');
    const start = page.locator('button:has-text("Tour gestartet")');
    const box = must(await start.boundingBox(), 'start button');
    expect(box.height).toBeGreaterThanOrEqual(48);
    await Promise.all([page.waitForURL(/ergebnis=applied/), start.click()]);
    expect(await page.textContent('#ergebnis')).toContain('Gemeldet: Tour gestartet.');
    await expectAccessible(page, 'the route, started');
    expect(await page.getAttribute('a[href^="tel:"]', 'href')).toBe('tel:+497111234567');

    await Promise.all([page.waitForURL(`**/stopps/${jobId}`), page.click(`a[href$="/stopps/${jobId}"]`)]);
    // The position script fills the hidden fields from the phone's location.
    await page.waitForFunction("document.getElementById('pos-lng').value !== ''");
    expect(await page.textContent('#position')).toContain('Position erfasst (± 15 m).');
    await expectAccessible(page, 'the door');
    await page.check('#method-photo_comparison');
    await page.check('#oldDocumentCollected');
    await page.check('#result-delivered');
    // Forgot the confirmation: said on the page, with the summary at the top.
    await page.click('#tuer button[type="submit"]');
    await page.waitForSelector('#recipientConfirmed-error');
    await expectAccessible(page, 'the door, with an error');
    await page.check('#recipientConfirmed');
    await page.check('#result-delivered');
    await Promise.all([page.waitForURL(/ergebnis=applied&meldung=stop\.delivered/), page.click('#tuer button[type="submit"]')]);
    expect(await page.textContent('#ergebnis')).toContain('Gemeldet: Zugestellt.');
    await expectAccessible(page, 'the route, stop delivered');

    const [stop] = await p.db.select().from(planStops).where(eq(planStops.id, jobId));
    const [booking] = await p.db
      .select()
      .from(bookings)
      .where(eq(bookings.id, must(stop, 'stop').bookingId));
    expect(booking).toMatchObject({ status: 'delivered', custodyHolder: 'citizen' });

    // The service worker took over the app's scope (and keeps only static files: see public/courier-sw.js).
    expect(await page.evaluate<string>('navigator.serviceWorker.ready.then((r) => r.scope)')).toBe(`${p.address}/kurier`);

    await Promise.all([page.waitForURL('**/kurier/anmelden?abgemeldet=1'), page.click('button:has-text("Abmelden")')]);
    await expectAccessible(page, 'signed out');
    expect(errors).toEqual([]);
    await context.close();
  });
});
