import { describe, expect } from 'vitest';
import { expectAccessible, tabTo, useBrowser } from '../../helpers/browser.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { seedOffice } from '../../helpers/test-platform.ts';
import { appendOutboundEvent } from '../../../src/webhooks/outbox.ts';
import { outboundEvents, webhookAttempts } from '../../../src/webhooks/webhooks.table.ts';
import { eq } from 'drizzle-orm';
import { staffAccount } from './staff-web.ts';

const test = platformTest({ workers: false });

describe('the admin console in the browser', () => {
  const browser = useBrowser();

  test(
    'register a company with the keyboard, read its key once, look at its dead letter and replay it: axe finds nothing',
    { timeout: 120_000 },
    async ({ p }) => {
      await seedOffice(p.db);
      const admin = await staffAccount(p, ['admin'], null);
      const context = await browser().newContext({ locale: 'de-DE' });
      const page = await context.newPage();
      await page.goto(`${p.address}/amt/verwaltung`);
      await page.waitForURL('**/amt/anmelden?weiter=*');
      await tabTo(page, '#username');
      await page.keyboard.type(admin.username);
      await tabTo(page, '#password');
      await page.keyboard.type(admin.password);
      await page.keyboard.press('Enter');
      await page.waitForURL('**/amt/verwaltung');
      await expectAccessible(page, 'the list of courier companies with the registration form');

      // Sent empty: the errors at their fields, and the summary is accessible too.
      await page.click('form[action="/amt/verwaltung/kurierdienste"] button[type="submit"]');
      await page.waitForSelector('#fehler');
      expect(await page.getAttribute('#name', 'aria-invalid')).toBe('true');
      await expectAccessible(page, 'the registration form with its errors');

      await tabTo(page, '#name');
      await page.keyboard.type('Tastatur Velo GmbH');
      await tabTo(page, '#vehicle-bike');
      await page.keyboard.press('Space');
      await tabTo(page, '#zone-0');
      await page.keyboard.press('Space');
      // Past the zone list by focus, not by Tab: in the shared test database it holds every test file's zones.
      await page.focus('#pricePerDelivery');
      await page.keyboard.type('6,00');
      await tabTo(page, '#pricePerFailedAttempt');
      await page.keyboard.type('3,00');
      await tabTo(page, '#contactName');
      await page.keyboard.type('Dispo');
      await tabTo(page, '#contactEmail');
      await page.keyboard.type('dispo@tastatur-velo.example');
      await tabTo(page, '#webhookUrl');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      const key = (await page.textContent('#api-key')) ?? '';
      expect(key).toMatch(/^ab_courier/);
      expect(await page.textContent('#shown-once')).toContain('nicht noch einmal angezeigt');
      await expectAccessible(page, 'the key and secret shown once');

      await page.click('a[href^="/amt/verwaltung/kurierdienste/"]');
      await page.waitForURL(/\/amt\/verwaltung\/kurierdienste\/[0-9a-f-]{36}$/);
      const companyId = page.url().split('/').at(-1) ?? '';
      expect(await page.content()).not.toContain(key);
      await expectAccessible(page, 'the company page without events');

      // A dead letter, as the delivery worker leaves one after its last failed attempt.
      const id = await p.db.transaction(
        async (tx) =>
          (await appendOutboundEvent(tx, { companyId, type: 'route.offered', subjectId: 'route-1', data: { routeId: 'route-1' } })).id,
      );
      const at = new Date('2026-01-15T06:30:00Z');
      await p.db.insert(webhookAttempts).values({
        eventId: id,
        attemptNo: 1,
        round: 0,
        startedAt: at,
        latencyMs: 90,
        statusCode: 503,
        outcome: 'failed',
        error: 'http_503',
      });
      await p.db
        .update(outboundEvents)
        .set({ status: 'dead', attempts: 1, deadAt: at, lastStatusCode: 503, lastError: 'http_503' })
        .where(eq(outboundEvents.id, id));
      await page.reload();
      await page.waitForSelector(`tr[data-event="${id}"]`);
      await expectAccessible(page, 'the company page with a dead letter');

      await page.click(`tr[data-event="${id}"] a`);
      await page.waitForSelector('#attempts');
      await expectAccessible(page, 'an event with its attempts');
      await tabTo(page, 'form[action$="/erneut-senden"] button[type="submit"]');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      await page.waitForSelector('#replayed');
      expect(await page.textContent('#event-status')).toContain('In Zustellung');
      await expectAccessible(page, 'a replayed event');
      await context.close();
    },
  );
});
