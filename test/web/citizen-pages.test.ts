import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { bookings } from '../../src/bookings/bookings.table.ts';
import { typeAddressWithKeyboard, expectAccessible, launchBrowser, tabTo } from '../helpers/browser.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { createPaidBooking, moveBooking, seedOffice, newApplicationNumber, type TestPlatform } from '../helpers/test-platform.ts';
import { must } from '../helpers/must.ts';

const test = platformTest();

/**
 * The citizen's pages in a real browser (Debian's Chromium through playwright-core), with axe on
 * every page and state. The booking is made with the keyboard only; payment goes through the
 * sandbox's hosted page; later states are driven through the platform as staff and couriers would.
 */
describe('the citizen books, pays and tracks in the browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  const bookingOf = async (p: TestPlatform, kassenzeichen: string) =>
    must((await p.db.select().from(bookings).where(eq(bookings.kassenzeichen, kassenzeichen)))[0], 'booking');

  async function bookWithKeyboard(page: Page, p: TestPlatform, slug: string, applicationNumber: string) {
    await page.goto(`${p.address}/`);
    await expectAccessible(page, 'start page');
    await tabTo(page, `a[href="/buchen/${slug}"]`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/buchen/${slug}`);
    await expectAccessible(page, 'address step');

    // Sent empty first: the errors are listed and each is tied to its field.
    await tabTo(page, 'button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#fehler');
    expect(await page.getAttribute('#street', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#street', 'aria-describedby')).toContain('street-error');
    await expectAccessible(page, 'address step with errors');

    await typeAddressWithKeyboard(page);
    await tabTo(page, '#zone-0');
    await page.keyboard.press('Space');
    await tabTo(page, 'button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('input[name="quoteId"]', { state: 'attached' });
    await expectAccessible(page, 'details step');

    await tabTo(page, '#window-1');
    await page.keyboard.press('Space');
    await tabTo(page, '#name');
    await page.keyboard.type('Erika Mustermann');
    await tabTo(page, '#phone');
    await page.keyboard.type('+49 711 1234567');
    await tabTo(page, '#applicationNumber');
    await page.keyboard.type(applicationNumber);
    await tabTo(page, '#consent');
    await page.keyboard.press('Space');
    await tabTo(page, 'button[type="submit"]');
    await page.keyboard.press('Enter');
    // Booked: on to Stripe Checkout's hosted page (the sandbox's stand-in), which shows the Kassenzeichen.
    await page.waitForURL(/\/sandbox\/checkout\/cs_test_/);
    expect(await page.textContent('.kz')).toMatch(/Kassenzeichen/);
    await page.click('button[type="submit"]');
    // Paid, Checkout sends the citizen back to the success URL.
    await page.waitForURL(/\/sendung\/zahlung$/);
    await expectAccessible(page, 'payment page');
    const kassenzeichen = must(await page.textContent('dl dd'), 'Kassenzeichen').trim();
    return kassenzeichen;
  }

  test('book with the keyboard, pay on the hosted page, and follow the delivery to the door', { timeout: 120_000 }, async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    const kassenzeichen = await bookWithKeyboard(page, p, office.slug, newApplicationNumber());

    // No tracking code in any URL the browser asked for: it lives in an HttpOnly cookie.
    const cookies = await context.cookies();
    const trackCookie = must(
      cookies.find((c) => c.name === 'amtsbote_sendung'),
      'tracking cookie',
    );
    expect(trackCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    // Only the verified webhook marks it paid; the page says so once it has landed.
    await p.sandbox.flushWebhooks();
    await page.reload();
    expect(await page.textContent('main')).toContain('Zahlung erhalten');
    await expectAccessible(page, 'payment page (paid)');

    await page.click('text=Zur Sendungsverfolgung');
    await page.waitForURL('**/sendung');
    expect(await page.textContent('[role="status"]')).toContain('Bezahlt');
    // An ID card: the PIN letter is confirmed on the page.
    await page.click('text=Ja, der PIN-Brief ist angekommen');
    await page.waitForSelector('text=PIN-Brief bestätigt am');
    await expectAccessible(page, 'tracking (paid)');
    // Nothing another person could use: no name, no street on the page.
    expect(await page.content()).not.toContain('Mustermann');
    expect(await page.content()).not.toContain('Königstraße');

    let row = await bookingOf(p, kassenzeichen);
    for (const [status, text] of [
      ['document_ready', 'im Bürgerbüro angekommen'],
      ['planned', 'Zustellung ist geplant'],
      ['handed_over', 'beim Kurier'],
      ['out_for_delivery', 'unterwegs zu Ihnen'],
      ['delivered', 'Zugestellt'],
    ] as const) {
      row = await moveBooking(p, row, status, { type: 'system' }, 'test');
      await page.reload();
      expect(await page.textContent('[role="status"]')).toContain(text);
      await expectAccessible(page, `tracking (${status})`);
    }
    await page.click('text=Beleg anzeigen');
    expect(await page.textContent('main')).toContain(kassenzeichen);
    // The tracking link as a QR code, made here (no request to anyone else).
    expect(await page.getAttribute('.receipt-qr img', 'src')).toMatch(/^data:image\/svg\+xml;base64,/);
    await expectAccessible(page, 'receipt');

    // In English.
    await page.goto(`${p.address}/sendung?lang=en`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('[role="status"]')).toContain('Delivered');
    await expectAccessible(page, 'tracking in English');
    await context.close();
  });

  test(
    'cancel before the handover, with the refund shown before confirming; a wrong code is said plainly',
    { timeout: 120_000 },
    async ({ p }) => {
      const { office } = await seedOffice(p.db, { refundPolicy: 'full' });
      const context = await browser.newContext({ locale: 'de-DE' });
      const page = await context.newPage();
      const kassenzeichen = await bookWithKeyboard(page, p, office.slug, newApplicationNumber());
      await p.sandbox.flushWebhooks();
      await page.goto(`${p.address}/sendung/stornieren`);
      const booking = await bookingOf(p, kassenzeichen);
      expect(await page.textContent('main')).toContain(`${(booking.amountCents / 100).toFixed(2).replace('.', ',')}`);
      await expectAccessible(page, 'cancel confirmation');
      await page.click('text=Ja, stornieren');
      await page.waitForURL('**/sendung');
      expect(await page.textContent('[role="status"]')).toContain('Storniert');
      expect((await bookingOf(p, kassenzeichen)).status).toBe('cancelled');

      // Signed out, a wrong code.
      await page.click('text=Abmelden');
      await page.fill('#code', 'not-a-code');
      await page.click('button[type="submit"]');
      expect(await page.textContent('#fehler')).toContain('keine Buchung');
      expect(await page.getAttribute('#code', 'aria-invalid')).toBe('true');
      await expectAccessible(page, 'tracking code not found');
      await context.close();
    },
  );
  test('reschedule to other offered days before the plan, then no longer once planned', { timeout: 120_000 }, async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const { booking, trackingToken, request } = await createPaidBooking(p, office.id);
    const context = await browser.newContext({ locale: 'de-DE' });
    await context.addCookies([{ name: 'amtsbote_sendung', value: trackingToken, url: p.address }]);
    const page = await context.newPage();
    await page.goto(`${p.address}/sendung`);
    await page.click('text=Liefertage ändern');
    await page.waitForURL('**/sendung/verschieben');
    await expectAccessible(page, 'reschedule page');

    // The window chosen at booking (09:00–13:00, inside a day's span) is offered and ticked.
    const [chosen] = request.preferredWindows;
    const current = page.locator(`input[name="window"][value="${must(chosen, 'window').start}|${must(chosen, 'window').end}"]`);
    expect(await current.isChecked()).toBe(true);

    // Nothing ticked: the error is listed and tied to the group of days.
    await current.uncheck();
    await page.click('button[type="submit"]');
    await page.waitForSelector('#fehler');
    expect(await page.textContent('#fehler')).toContain('einen bis fünf');
    expect(await page.getAttribute('#window', 'aria-describedby')).toContain('window-error');
    await expectAccessible(page, 'reschedule page with errors');

    // Two other days.
    const boxes = page.locator('input[name="window"]');
    const picked = [await boxes.nth(0).getAttribute('value'), await boxes.nth(2).getAttribute('value')].map((v) => must(v, 'value'));
    await boxes.nth(0).check();
    await boxes.nth(2).check();
    await page.click('button[type="submit"]');
    await page.waitForURL('**/sendung?verschoben=1');
    expect(await page.textContent('#verschoben')).toContain('neuen Liefertage sind gespeichert');
    await expectAccessible(page, 'tracking after rescheduling');
    const row = await bookingOf(p, booking.kassenzeichen);
    expect(row.preferredWindows.map((w) => `${w.start}|${w.end}`)).toEqual([...picked].sort());

    // Planned: the link is gone and the page says why.
    const planned = await moveBooking(
      p,
      await moveBooking(p, row, 'document_ready', { type: 'system' }, 'test'),
      'planned',
      { type: 'system' },
      'test',
    );
    expect(planned.status).toBe('planned');
    await page.goto(`${p.address}/sendung`);
    expect(await page.locator('a[href="/sendung/verschieben"]').count()).toBe(0);
    await page.goto(`${p.address}/sendung/verschieben`);
    expect(await page.textContent('main')).toContain('die Zustellung ist schon geplant');
    await expectAccessible(page, 'reschedule not possible');
    await context.close();
  });
});
