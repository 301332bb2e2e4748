import { describe, expect } from 'vitest';
import { expectAccessible, tabTo, typeAddressWithKeyboard, useBrowser } from '../../helpers/browser.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { newApplicationNumber, seedOffice } from '../../helpers/test-platform.ts';
import { staffAccount } from './staff-web.ts';

const test = platformTest({ workers: false });

describe('booking at the counter in the browser', () => {
  const browser = useBrowser();

  test(
    'a clerk books with the keyboard only and gets the printable receipt: axe finds nothing on any step',
    { timeout: 120_000 },
    async ({ p }) => {
      const { office } = await seedOffice(p.db);
      const clerk = await staffAccount(p, ['clerk'], office.id);
      const context = await browser().newContext({ locale: 'de-DE' });
      const page = await context.newPage();
      await page.goto(`${p.address}/amt/anmelden?weiter=/amt/schalter`);
      await page.fill('#username', clerk.username);
      await page.fill('#password', clerk.password);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#counter-book');
      await tabTo(page, '#counter-book');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#street');
      await expectAccessible(page, 'the address step at the counter');

      await typeAddressWithKeyboard(page);
      await tabTo(page, '#zone-0');
      await page.keyboard.press('Space');
      await tabTo(page, 'main button[type="submit"]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('input[name="quoteId"]', { state: 'attached' });
      await expectAccessible(page, 'the details step at the counter');

      await tabTo(page, '#window-1');
      await page.keyboard.press('Space');
      await tabTo(page, '#name');
      await page.keyboard.type('Erika Mustermann');
      await tabTo(page, '#phone');
      await page.keyboard.type('+49 711 1234567');
      await tabTo(page, '#applicationNumber');
      await page.keyboard.type(newApplicationNumber());
      await tabTo(page, '#consent');
      await page.keyboard.press('Space');
      await tabTo(page, 'main button[type="submit"]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#receipt');
      expect(await page.textContent('#kassenzeichen')).toMatch(/\S/);
      expect(await page.isVisible('#print')).toBe(true);
      await expectAccessible(page, 'the receipt');
      await context.close();
    },
  );
});
