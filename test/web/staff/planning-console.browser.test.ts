import { describe, expect } from 'vitest';
import { expectAccessible, useBrowser } from '../../helpers/browser.ts';
import { must } from '../../helpers/must.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { seedOffice } from '../../helpers/test-platform.ts';
import { futureDeliveryDate, insertReadyBooking, localWindow, NEARBY } from '../../planning/helpers.ts';
import { staffAccount } from './staff-web.ts';

const test = platformTest({ workers: true });

describe('the planning console in the browser', () => {
  const browser = useBrowser();

  test(
    'shift, plan (the page follows the solver until the draft is there), the plan on the map beside its table, confirm: axe finds nothing',
    { timeout: 120_000 },
    async ({ p }) => {
      const { office } = await seedOffice(p.db);
      const date = futureDeliveryDate(8);
      const windows = [localWindow(date, '09:00', '17:00')];
      for (let i = 0; i < 3; i++)
        await insertReadyBooking(p, office.id, { location: must(NEARBY[i], 'a location'), vehicleType: 'bike', windows });
      const supervisor = await staffAccount(p, ['supervisor'], office.id);

      const context = await browser().newContext({ locale: 'de-DE' });
      const page = await context.newPage();
      const problems: string[] = [];
      // The scripts and their requests (the map's layers, the progress) must all work; a form's 422 is the page's own answer.
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('response', (r) => {
        const type = r.request().resourceType();
        if (r.status() >= 400 && type !== 'document' && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`);
      });
      await page.goto(`${p.address}/amt/anmelden?weiter=${encodeURIComponent(`/amt/planung?tag=${date}`)}`);
      await page.fill('#username', supervisor.username);
      await page.fill('#password', supervisor.password);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#day-heading');
      await expectAccessible(page, 'an empty day');

      await page.click('summary');
      await page.fill('#vehicleCount', '');
      await page.click('form[action="/amt/planung/schichten"] button[type="submit"]');
      await page.waitForSelector('#fehler');
      await expectAccessible(page, 'the shift form with an error');
      await page.fill('#vehicleCount', '2');
      await page.click('form[action="/amt/planung/schichten"] button[type="submit"]');
      await page.waitForSelector('#shifts');

      await page.click('#start-plan');
      // The progress script reloads the page when the plan is done; the confirm button comes with the draft.
      await page.waitForSelector('#confirm-plan', { timeout: 60_000 });
      await page.waitForSelector('#map-box:not([hidden]) .leaflet-interactive');
      // Three stops, one route line, the office: drawn from the GeoJSON layers.
      expect(await page.locator('#plan-map path.leaflet-interactive').count()).toBeGreaterThanOrEqual(5);
      expect(await page.locator('#route-1 tbody tr').count()).toBe(3);
      await expectAccessible(page, 'the draft with its map and tables');

      await page.click('#confirm-plan');
      await page.waitForSelector('#withdraw-plan');
      expect(await page.textContent('#plan-status')).toContain('bestätigt');
      await expectAccessible(page, 'the confirmed plan');
      expect(problems, problems.join('\n')).toEqual([]);
      await context.close();
    },
  );
});
