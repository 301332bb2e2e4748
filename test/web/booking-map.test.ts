import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { quotes } from '../../src/quotes/quotes.table.ts';
import { typeAddressWithKeyboard, expectAccessible, launchBrowser, tabTo } from '../helpers/browser.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { seedOffice } from '../helpers/test-platform.ts';
import { must } from '../helpers/must.ts';

// No GEOCODER: the citizen places the address with the zone list, or with a pin on the map.
const test = platformTest();

describe('the booking page’s map, without a geocoder', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  test('serves the zones and the office as GeoJSON, and only Leaflet’s own files from its package', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const geo = await fetch(`${p.address}/buchen/${office.slug}/gebiete.geojson`);
    expect(geo.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    const body = (await geo.json()) as { features: Array<{ properties: { kind: string }; geometry: { type: string } }> };
    expect(body.features.map((f) => `${f.properties.kind} ${f.geometry.type}`).sort()).toEqual([
      'office Point',
      'zone Polygon',
      'zone Polygon',
    ]);
    for (const asset of ['leaflet.js', 'leaflet.css', 'images/marker-icon.png', 'images/marker-icon-2x.png', 'images/marker-shadow.png']) {
      expect((await fetch(`${p.address}/static/leaflet/${asset}`)).status, asset).toBe(200);
    }
    expect((await fetch(`${p.address}/static/leaflet/leaflet-src.js.map`)).status).toBe(404);
    expect((await fetch(`${p.address}/static/leaflet/%2e%2e/package.json`)).status).toBe(404);
  });

  test(
    'a pin set with the keyboard, then moved with a click, quotes at that position; axe finds nothing',
    { timeout: 120_000 },
    async ({ p }) => {
      const { office } = await seedOffice(p.db);
      const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1100, height: 1400 } });
      const page = await context.newPage();
      const refused: string[] = [];
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
      });
      await page.goto(`${p.address}/buchen/${office.slug}`);
      await page.waitForSelector('#map-box:not([hidden]) .leaflet-marker-pane', { state: 'attached' });
      await page.waitForSelector('.leaflet-overlay-pane path');
      await expectAccessible(page, 'address step with the map');

      await typeAddressWithKeyboard(page);
      // The keyboard: Tab to the map, Enter sets the pin at its centre; the arrows then move the pin.
      await tabTo(page, '#map');
      await page.keyboard.press('Enter');
      await page.waitForSelector('.leaflet-marker-icon');
      const atCentre = { lng: await page.inputValue('#lng'), lat: await page.inputValue('#lat') };
      expect(Number(atCentre.lng)).toBeGreaterThan(9);
      expect(await page.textContent('#map-status')).toContain('Markierung gesetzt');
      await tabTo(page, '.leaflet-marker-icon');
      await page.keyboard.press('ArrowRight');
      const moved = { lng: await page.inputValue('#lng'), lat: await page.inputValue('#lat') };
      expect(Number(moved.lng)).toBeGreaterThan(Number(atCentre.lng));
      expect(Math.abs(Number(moved.lat) - Number(atCentre.lat))).toBeLessThan(0.001);
      await expectAccessible(page, 'address step with a pin');

      // A click moves it to where the citizen clicked.
      const box = must(await page.locator('#map').boundingBox(), 'map box');
      await page.mouse.click(box.x + box.width / 2 - 30, box.y + box.height / 2 + 20);
      const clicked = { lng: Number(await page.inputValue('#lng')), lat: Number(await page.inputValue('#lat')) };
      expect(clicked.lng).toBeLessThan(Number(atCentre.lng));
      expect(clicked.lat).toBeLessThan(Number(atCentre.lat));

      // No zone chosen: the pin prices the booking.
      await page.click('button[type="submit"]');
      await page.waitForSelector('input[name="quoteId"]', { state: 'attached' });
      const quoteId = must(await page.getAttribute('input[name="quoteId"]', 'value'), 'quote id');
      const quote = must((await p.db.select().from(quotes).where(eq(quotes.id, quoteId)))[0], 'quote');
      expect(quote.location).toEqual([clicked.lng, clicked.lat]);
      expect(refused).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    },
  );

  test('a pin outside every zone, with no zone chosen, is an error at the zone list', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const page = await fetch(`${p.address}/buchen/${office.slug}`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const csrf = must(/name="_csrf" value="([^"]+)"/.exec(html)?.[1], 'csrf');
    const response = await fetch(`${p.address}/buchen/${office.slug}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, accept: 'text/html' },
      body: new URLSearchParams({
        _csrf: csrf,
        street: 'Marienplatz',
        houseNumber: '8',
        postalCode: '80331',
        city: 'München',
        lng: '11.5755',
        lat: '48.1372',
      }).toString(),
    });
    expect(response.status).toBe(422);
    const page2 = await response.text();
    expect(page2).toContain('id="zoneId-error"');
    expect(page2).toContain('Die Markierung liegt außerhalb der Liefergebiete.');
  });
});
