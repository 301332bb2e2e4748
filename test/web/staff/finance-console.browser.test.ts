import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { localDate } from '../../../src/shared/zoned-time.ts';
import { expectAccessible, launchBrowser, tabTo } from '../../helpers/browser.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { bookPaidOnlyHere, createPaidBooking, seedOffice } from '../../helpers/test-platform.ts';
import { staffAccount } from './staff-web.ts';

const HOUR = 3_600_000;
const test = platformTest({ workers: true });

describe('the finance console in the browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  test(
    'sign in, start a run, resolve a discrepancy with the keyboard only, read a report: axe finds nothing',
    { timeout: 120_000 },
    async ({ p }) => {
      const { office } = await seedOffice(p.db);
      const day = localDate(p.clock(), 'Europe/Berlin');
      await createPaidBooking(p, office.id);
      // Paid here, nothing at Stripe (see bookPaidOnlyHere).
      const ghostPayment = await bookPaidOnlyHere(p, office.id);
      await p.sandbox.flushWebhooks();
      p.clock.advance(2 * HOUR);
      const finance = await staffAccount(p, ['finance'], null);

      const context = await browser.newContext({ locale: 'de-DE' });
      const page = await context.newPage();
      await page.goto(`${p.address}/amt/finanzen`);
      await page.waitForURL('**/amt/anmelden?weiter=*');
      await expectAccessible(page, 'sign-in page');
      await tabTo(page, '#username');
      await page.keyboard.type(finance.username);
      await tabTo(page, '#password');
      await page.keyboard.type(finance.password);
      await page.keyboard.press('Enter');
      await page.waitForURL('**/amt/finanzen');
      expect(await page.textContent('#whoami')).toContain('Test finance');
      await expectAccessible(page, 'finance overview');

      await page.fill('#from', day);
      await page.click('form[action="/amt/finanzen/abgleich"] button[type="submit"]');
      await page.waitForURL(/\/amt\/finanzen\/abgleich\/[0-9a-f-]{36}$/);
      for (let i = 0; i < 60 && !/Abgeschlossen|Fehlgeschlagen/.test((await page.textContent('#run-status')) ?? ''); i++) {
        await page.waitForTimeout(500);
        await page.reload();
      }
      expect(await page.textContent('#run-status')).toContain('Abgeschlossen');
      await expectAccessible(page, 'a finished run with its totals');
      const runId = page.url().split('/').pop() ?? '';

      await page.goto(`${p.address}/amt/finanzen/abweichungen?kind=missing_at_stripe&runId=${runId}`);
      await expectAccessible(page, 'discrepancy list');
      const subject = `payment:${ghostPayment?.id ?? ''}`;
      // The worker's test database holds the payments of earlier files too, all missing at this
      // file's sandbox and found at one instant: the ghost payment may be on a later page.
      const more = 'a.kern-link[href*="cursor="]';
      for (let pages = 0; (await page.$(`tr[data-subject="${subject}"]`)) === null && pages < 100; pages++) {
        await tabTo(page, more, 400);
        const next = await page.$eval(more, (a) => (a as unknown as { href: string }).href);
        await Promise.all([page.waitForURL(next), page.keyboard.press('Enter')]);
      }
      await tabTo(page, `tr[data-subject="${subject}"] a`, 400);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#comment');
      await expectAccessible(page, 'a discrepancy with its resolve form');
      await tabTo(page, '#comment');
      await page.keyboard.type('Mit der Kasse geklärt');
      await tabTo(page, 'form[action$="/erledigen"] button[type="submit"]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#resolved');
      expect(await page.textContent('#resolved')).toContain('Mit der Kasse geklärt');
      await expectAccessible(page, 'a resolved discrepancy');

      await page.goto(`${p.address}/amt/finanzen/berichte/buchungen?officeId=${office.id}&date=${day}`);
      await page.waitForSelector('#report-totals');
      expect(await page.textContent('[data-total="chargedCents"]')).toMatch(/\d,\d\d\s€/);
      await expectAccessible(page, 'booking list report');
      await context.close();
    },
  );
});
