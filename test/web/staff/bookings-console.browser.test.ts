import { describe, expect } from 'vitest';
import { expectAccessible, tabTo, useBrowser } from '../../helpers/browser.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { createPaidBooking, seedOffice } from '../../helpers/test-platform.ts';
import { staffAccount } from './staff-web.ts';

const test = platformTest({ workers: false });

describe('the bookings console in the browser', () => {
  const browser = useBrowser();

  test('search, open and cancel a booking with the keyboard only: axe finds nothing in any state', { timeout: 120_000 }, async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const { booking } = await createPaidBooking(p, office.id);
    await createPaidBooking(p, office.id, { pay: false });
    const clerk = await staffAccount(p, ['clerk'], office.id);

    const context = await browser().newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    await page.goto(`${p.address}/amt/anmelden?weiter=/amt/buchungen`);
    await page.fill('#username', clerk.username);
    await page.fill('#password', clerk.password);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/amt/buchungen');
    await expectAccessible(page, 'the booking list');

    await tabTo(page, '#applicationNumber');
    await page.keyboard.type(booking.applicationNumber);
    await page.keyboard.press('Enter');
    await page.waitForURL(/applicationNumber=/);
    expect(await page.locator('#bookings tbody tr').count()).toBe(1);
    await tabTo(page, `tr[data-booking="${booking.id}"] a`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#facts');
    await expectAccessible(page, 'one booking');

    await tabTo(page, '#cancel', 120);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#refund');
    await expectAccessible(page, 'the cancellation with its refund');
    await tabTo(page, 'form button[type="submit"]:not(.staff-whoami button)', 120);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#fehler');
    await expectAccessible(page, 'the cancellation without a reason');
    await tabTo(page, '#reason');
    await page.keyboard.type('Bürger holt selbst ab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#cancelled');
    expect(await page.textContent('#status')).toContain('storniert');
    await expectAccessible(page, 'the cancelled booking');
    // The overview and the page a role may not open are pages too.
    await page.goto(`${p.address}/amt`);
    await expectAccessible(page, 'the overview');
    expect((await page.goto(`${p.address}/amt/planung`))?.status()).toBe(403);
    await expectAccessible(page, 'the 403 page');
    await context.close();
  });
});
