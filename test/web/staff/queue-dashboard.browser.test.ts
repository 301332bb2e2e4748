import { describe, expect } from 'vitest';
import { QUEUE_NAMES } from '../../../src/jobs/registry.ts';
import { signInOnPage, useBrowser } from '../../helpers/browser.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { staffAccount } from './staff-web.ts';

const test = platformTest({ workers: false });
const BASE = '/amt/verwaltung/warteschlangen';
const missing = (text: string) => QUEUE_NAMES.filter((n) => !text.includes(n));

describe('the queue dashboard in the browser', () => {
  const browser = useBrowser();

  test(
    'an admin signs in and sees bull-board rendered with every queue, no CSP refusal and nothing loaded from elsewhere',
    { timeout: 120_000 },
    async ({ p }) => {
      const admin = await staffAccount(p, ['admin'], null);
      const context = await browser().newContext({ locale: 'de-DE' });
      // On the dashboard's pages (the sign-in page before it has a favicon.ico 404 of its own).
      const problems: string[] = [];
      const outside: string[] = [];
      const onDashboard = (url: string) => url.startsWith(`${p.address}${BASE}`);
      context.on('request', (request) => {
        if (!request.url().startsWith(p.address)) outside.push(request.url());
      });
      context.on('response', (res) => {
        if (res.status() >= 400 && onDashboard(res.url())) problems.push(`${res.status()} ${res.url()}`);
      });
      context.on('page', (page) => {
        page.on('console', (msg) => {
          const bad = msg.type() === 'error' || /Content Security Policy/i.test(msg.text());
          if (bad && onDashboard(page.url())) problems.push(`${msg.text()} (${msg.location().url})`);
        });
        page.on('pageerror', (err) => problems.push(err.message));
      });

      const page = await signInOnPage(context, p.address, 'amt', admin, BASE);
      expect(new URL(page.url()).pathname).toBe(BASE);
      // The React app has replaced the loading placeholder with the queue list.
      const body = () => page.locator('body').innerText();
      await expect.poll(async () => missing(await body()), { timeout: 30_000 }).toEqual([]);
      expect(await body()).not.toContain('Loading');

      // A queue's page (a client-side route of the app, also served from the server when reloaded).
      await page.goto(`${p.address}${BASE}/queue/webhooks-relay`);
      await expect.poll(async () => (await body()).includes('webhooks-relay'), { timeout: 30_000 }).toBe(true);

      expect(problems).toEqual([]);
      expect(outside).toEqual([]);
      await context.close();
    },
  );
});
