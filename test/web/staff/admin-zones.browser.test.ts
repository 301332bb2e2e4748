import { describe, expect } from 'vitest';
import { expectAccessible, useBrowser } from '../../helpers/browser.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { seedOffice } from '../../helpers/test-platform.ts';
import { staffAccount } from './staff-web.ts';

const test = platformTest({ workers: false });

const SQUARE = JSON.stringify({
  type: 'Polygon',
  coordinates: [
    [
      [9.16, 48.77],
      [9.19, 48.77],
      [9.19, 48.785],
      [9.16, 48.785],
      [9.16, 48.77],
    ],
  ],
});

describe('zones and the custody chain in the browser', () => {
  const browser = useBrowser();

  test(
    'an uploaded zone is drawn on the map before it is saved; the chain check: axe finds nothing',
    { timeout: 120_000 },
    async ({ p }) => {
      const { office } = await seedOffice(p.db);
      const admin = await staffAccount(p, ['admin'], null);
      const context = await browser().newContext({ locale: 'de-DE' });
      const page = await context.newPage();
      // A city-wide admin's page opens on the first office unless it names one: the test database
      // holds earlier files' offices too, some without zones (and without #zones).
      await page.goto(`${p.address}/amt/anmelden?weiter=${encodeURIComponent(`/amt/verwaltung/gebiete?buero=${office.id}`)}`);
      await page.fill('#username', admin.username);
      await page.fill('#password', admin.password);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#zones');
      await page.waitForSelector('#map-box:not([hidden]) .leaflet-interactive');
      const zonesDrawn = await page.locator('#plan-map path.leaflet-interactive').count();
      expect(await page.isVisible('#file-box')).toBe(true);
      await expectAccessible(page, 'zones and prices');

      await page.fill('#name', 'Vorschau');
      await page.fill('#geojson', SQUARE);
      await page.click('#zone-preview-button');
      await page.waitForSelector('#preview-shown');
      await page.waitForSelector('#map-box:not([hidden]) .leaflet-interactive');
      // One more shape on the map (dashed), and still nothing saved.
      expect(await page.locator('#plan-map path.leaflet-interactive').count()).toBe(zonesDrawn + 1);
      expect(await page.locator('#plan-map path[stroke-dasharray]').count()).toBe(1);
      await expectAccessible(page, 'a zone previewed');
      await page.click('#zone-save');
      await page.waitForSelector('#done');
      expect(await page.textContent('#zones')).toContain('Vorschau');

      await page.goto(`${p.address}/amt/verwaltung/verwahrkette`);
      await expectAccessible(page, 'the chain check, not run yet');
      await Promise.all([page.waitForNavigation(), page.click('#check-chain')]);
      expect(await page.getAttribute('#chain-result', 'data-ok')).toBe('true');
      await expectAccessible(page, 'the chain check');
      await context.close();
    },
  );
});
