import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../src/web/chromium.ts';
import { afterAll, beforeAll, expect } from 'vitest';

/** Debian's Chromium through playwright-core (src/web/chromium.ts). */
export const launchBrowser = launchChromium;

/** One Chromium for the tests of a describe block: launched before them, closed after. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the browser is not launched yet');
    return browser;
  };
}

/** axe-core on the page as it is now: WCAG 2.1 A and AA (BITV 2.0), 0 violations, each named when one is found. */
export async function expectAccessible(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const found = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(found, `axe on ${what}`).toEqual([]);
}

/** Moves the focus with the Tab key until `selector` has it: a keyboard user's way through a form. */
export async function tabTo(page: Page, selector: string, maxPresses = 80) {
  for (let i = 0; i < maxPresses; i++) {
    if ((await page.locator(`${selector}:focus`).count()) > 0) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} never received the focus by Tab`);
}

/** The booking page's address, typed field by field with the keyboard (Tab, then the letters). */
export async function typeAddressWithKeyboard(page: Page) {
  for (const [field, value] of [
    ['#street', 'Königstraße'],
    ['#houseNumber', '1'],
    ['#postalCode', '70173'],
    ['#city', 'Stuttgart'],
  ] as const) {
    await tabTo(page, field);
    await page.keyboard.type(value);
  }
}

/** Signs a person in on a new page of the context (staff at /amt, riders at /kurier) and lands on `next`. */
export async function signInOnPage(
  context: BrowserContext,
  base: string,
  area: 'amt' | 'kurier',
  account: { username: string; password: string },
  next: string,
) {
  const page = await context.newPage();
  await page.goto(`${base}/${area}/anmelden?weiter=${encodeURIComponent(next)}`);
  await page.fill('#username', account.username);
  await page.fill('#password', account.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/anmelden')), page.keyboard.press('Enter')]);
  // The rider app starts at its home page; the consoles go back to where they were sent from.
  if (area === 'kurier') await page.goto(`${base}${next}`);
  return page;
}
