import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { confirmedDay, registerCompany } from '../../dispatch/helpers.ts';
import { expectAccessible, tabTo, useBrowser } from '../../helpers/browser.ts';
import { must } from '../../helpers/must.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { api, seedOffice } from '../../helpers/test-platform.ts';
import { staffAccount } from './staff-web.ts';

const test = platformTest({ workers: true });

describe('the handover in the browser', () => {
  const browser = useBrowser();

  test('a whole handover with the keyboard only, two people on one screen; axe finds nothing', { timeout: 120_000 }, async ({ p }) => {
    const { office, bikeZone } = await seedOffice(p.db);
    const supervisor = await p.staff(['supervisor'], office.id);
    const c = await registerCompany(p, { name: 'Tasten Velo', zoneIds: [bikeZone.id] });
    const day = await confirmedDay(p, { officeId: office.id, supervisor, shiftsOf: [c.company.id], count: 1, daysAhead: 13 });
    const routeId = must(day.routeIds[0], 'route');
    expect((await api(p, 'POST', `/v1/courier/routes/${routeId}/accept`, { headers: c.headers })).status).toBe(200);
    const route = await api(p, 'GET', `/v1/routes/${routeId}`, supervisor);
    const codes = (route.body.stops as { applicationNumber: string }[]).map((s) => s.applicationNumber);
    const first = await staffAccount(p, ['clerk'], office.id);
    const second = await staffAccount(p, ['clerk'], office.id);

    const context = await browser().newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    const type = async (sel: string, value: string, target: Page = page) => {
      await tabTo(target, sel);
      await target.keyboard.type(value);
    };
    await page.goto(`${p.address}/amt/uebergabe/${routeId}/uebergabe`);
    await type('#username', first.username);
    await type('#password', first.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/amt/uebergabe/${routeId}/uebergabe`);
    await expectAccessible(page, 'handover, nothing scanned');
    const url = page.url();
    for (const code of codes) {
      await type('#code', code);
      // Each scan goes to the server and its difference comes back into the page, which stays (the small script).
      await page.keyboard.press('Enter');
      await page.locator('#scanned', { hasText: code }).waitFor();
      expect(await page.locator('#code:focus').count()).toBe(1);
    }
    expect(page.url()).toBe(url);
    expect(await page.textContent('#missing')).toBe('–');
    await expectAccessible(page, 'handover, all scanned');
    await type('#courierName', 'Mia Berger');
    await type('#courierRef', 'rider-7');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    await page.waitForSelector('input[name="handoverId"]', { state: 'attached' });
    await expectAccessible(page, 'handover started, waiting for the second person');
    await type('#username', second.username);
    await type('#password', second.password);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/amt/uebergabe?erledigt=uebergabe');
    expect(await page.textContent('#done')).toBeTruthy();
    await expectAccessible(page, 'handover done');
    await context.close();
  });
});
