import { describe, expect } from 'vitest';
import { expectAccessible, tabTo, useBrowser } from '../../helpers/browser.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { createPaidBooking, seedOffice } from '../../helpers/test-platform.ts';
import { staffAccount } from './staff-web.ts';

const test = platformTest({ workers: false });

describe('scan-in in the browser', () => {
  const browser = useBrowser();

  test(
    'a scanner types code and Enter: the result is announced without reloading, the field is ready again; axe finds nothing',
    {
      timeout: 90_000,
    },
    async ({ p }) => {
      const { office } = await seedOffice(p.db);
      const { booking } = await createPaidBooking(p, office.id);
      const clerk = await staffAccount(p, ['clerk'], office.id);
      const context = await browser().newContext({ locale: 'de-DE' });
      const page = await context.newPage();
      await page.goto(`${p.address}/amt/schalter`);
      await tabTo(page, '#username');
      await page.keyboard.type(clerk.username);
      await tabTo(page, '#password');
      await page.keyboard.type(clerk.password);
      await page.keyboard.press('Enter');
      await page.waitForURL('**/amt/schalter');
      await expectAccessible(page, 'scan-in, empty');

      // The field has the focus (autofocus): the scanner just types.
      await page.keyboard.type(booking.applicationNumber);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#scan-result [data-outcome="ready"]');
      expect(await page.inputValue('#code')).toBe('');
      expect(await page.locator('#code').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      await page.keyboard.type('UNKNOWN-0001');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#scan-result [data-outcome="unknown"]');
      expect(await page.locator('#scan-list li').count()).toBe(2);
      expect(page.url()).toMatch(/\/amt\/schalter$/);
      await expectAccessible(page, 'scan-in after a problem');
      await context.close();
    },
  );
});
