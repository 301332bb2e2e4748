/**
 * `npm run screenshots`: pictures of the citizen's main pages for the README (docs/screenshots/).
 * Starts the platform in this process on a database of its own (SCREENSHOT_DATABASE_URL's
 * server, default the local PostgreSQL; dropped at the end), the local Redis and the offline
 * Stripe sandbox, seeds the demo office, and books, pays and tracks one delivery in Debian's
 * Chromium (playwright-core), taking a picture at each step; then each staff console, signed in
 * with the role it is for.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { createAuthService } from '../auth/auth.service.ts';
import type { StaffRole } from '../auth/auth.table.ts';
import { createScratchDatabase } from '../db/scratch-database.ts';
import { insertBooking, transitionBooking } from '../bookings/bookings.repository.ts';
import { createQuotesRepository } from '../quotes/quotes.repository.ts';
import { createCouriersService } from '../couriers/couriers.service.ts';
import { createOfficesRepository } from '../offices/offices.repository.ts';
import { hashToken } from '../shared/tokens.ts';
import { addDays, localDate, zonedTimeToUtc } from '../shared/zoned-time.ts';
import { bookings } from '../bookings/bookings.table.ts';
import { loadConfig } from '../config/config.ts';
import { seedDemoIfEmpty } from '../demo/seed-demo.ts';
import { createPlatform } from '../platform.ts';
import { createMemoryStore } from '../stripe-sandbox/index.ts';
import { launchChromium } from './chromium.ts';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
const scratch = await createScratchDatabase('amtsbote_screenshots', process.env.SCREENSHOT_DATABASE_URL);
const url = new URL(scratch.url);
mkdirSync(OUT, { recursive: true });

const config = loadConfig({
  DATABASE_URL: url.toString(),
  PORT: '0',
  STRIPE_SANDBOX_PORT: '0',
  LOG_LEVEL: 'silent',
  QUEUE_PREFIX: `screenshots-${process.pid}`,
  NOTIFICATIONS: 'off',
});
const platform = await createPlatform(
  config,
  // Workers on: the planning console's picture shows a plan the solver made.
  { api: 'listen', workers: true, hostSandbox: true, migrate: true },
  { logger: pino({ level: 'silent' }), sandbox: { store: createMemoryStore() } },
);
const browser = await launchChromium();

try {
  await seedDemoIfEmpty(platform.database.db, new Date());
  const base = platform.address ?? '';
  const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
    console.log(`docs/screenshots/${name}.png`);
  };

  await page.goto(`${base}/`);
  await shot('01-start');
  await page.click('a.kern-btn--primary');
  await page.fill('#street', 'Marktplatz');
  await page.fill('#houseNumber', '1');
  await page.fill('#postalCode', '70173');
  await page.fill('#city', 'Stuttgart');
  await page.check('#zone-0');
  await shot('02-address');
  await page.click('button[type="submit"]');
  await page.check('#window-1');
  await page.fill('#name', 'Erika Mustermann');
  await page.fill('#phone', '+49 711 1234567');
  await page.fill('#applicationNumber', 'A2026-000123');
  await page.check('#consent');
  await shot('03-details');
  await page.click('button[type="submit"]');
  await page.waitForURL(/\/sandbox\/checkout\//);
  await shot('04-checkout-sandbox');
  await page.click('button[type="submit"]');
  await page.waitForURL(/\/sendung\/zahlung$/);
  await platform.sandbox?.flushWebhooks();
  await page.reload();
  await shot('05-paid');
  const kassenzeichen = ((await page.textContent('dl dd')) ?? '').trim();
  await page.goto(`${base}/sendung/stornieren`);
  await shot('06-cancel-confirm');

  // The document arrives and is planned, as staff and the planner would move it.
  const { db } = platform.database;
  let [row] = await db.select().from(bookings).where(eq(bookings.kassenzeichen, kassenzeichen));
  for (const to of ['document_ready', 'planned'] as const) {
    if (!row) throw new Error('booking not found');
    const current = row;
    row = await db.transaction((tx) => transitionBooking(tx, current, to, { type: 'system' }, 'screenshots'));
  }
  await page.goto(`${base}/sendung`);
  await shot('07-tracking');
  await page.goto(`${base}/sendung/beleg`);
  await shot('08-receipt');
  await page.goto(`${base}/sendung?lang=en`);
  await shot('09-tracking-english');
  await context.close();

  // Documents at the office for a day a week ahead, at addresses around it, for the planning picture.
  const officeId = row?.officeId ?? '';
  const day = addDays(localDate(new Date(), 'Europe/Berlin'), 7);
  const window = {
    start: zonedTimeToUtc(day, '09:00', 'Europe/Berlin').toISOString(),
    end: zonedTimeToUtc(day, '17:00', 'Europe/Berlin').toISOString(),
  };
  const around: [number, number][] = [
    [9.1712, 48.7761],
    [9.1859, 48.7803],
    [9.1625, 48.7702],
    [9.1931, 48.7715],
    [9.1788, 48.7655],
    [9.1597, 48.7819],
  ];
  for (const [i, location] of around.entries()) {
    const res = await fetch(`${base}/v1/quotes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        officeId,
        address: { street: 'Königstraße', houseNumber: String(i + 1), postalCode: '70173', city: 'Stuttgart' },
        location,
      }),
    });
    const quote = await createQuotesRepository(db).findById(((await res.json()) as { id: string }).id);
    const option = quote?.options.find((o) => o.vehicleType === 'bike');
    if (!quote || !option) throw new Error('no bicycle quote for the demo bookings');
    const suffix = randomBytes(6).toString('hex');
    await db.transaction((tx) =>
      insertBooking(
        tx,
        {
          id: randomUUID(),
          officeId,
          quoteId: quote.id,
          applicationNumber: `DEMO-${suffix.slice(0, 6).toUpperCase()}`,
          documentType: 'passport',
          recipient: { name: `Demo ${i + 1}`, phone: '+49 711 000000' },
          address: { street: 'Königstraße', houseNumber: String(i + 1), postalCode: '70173', city: 'Stuttgart' },
          location,
          vehicleType: 'bike',
          zoneId: option.zoneId,
          tariffId: option.tariffId,
          amountCents: option.amountCents,
          preferredWindows: [window],
          consent: { powerOfAttorney: true, textVersion: 'demo', consentedAt: new Date().toISOString() },
          status: 'document_ready',
          custodyHolder: 'office',
          kassenzeichen: `DEMO-${suffix}`,
          trackingTokenHash: hashToken(`demo_${suffix}`),
          paymentDeadline: new Date(Date.now() + 3_600_000),
        },
        { type: 'system', id: 'screenshots' },
      ),
    );
  }

  // The consoles, each seen by the role it is for (accounts made here, passwords never shown).
  const auth = createAuthService({ db, clock: () => new Date(), sessionHours: 1 });
  const office = row?.officeId ?? null;
  /** A new staff account of the role, signed in through the service: its bearer token. */
  const tokenOf = async (role: StaffRole) => {
    const password = randomBytes(12).toString('base64url');
    const username = `shots-road-${role}-${randomBytes(3).toString('hex')}`;
    const officeOfRole = role === 'admin' ? null : office;
    await auth.createStaffUser({ username, displayName: `Demo ${role}`, password, roles: [role], officeId: officeOfRole, actorId: null });
    return (await auth.signIn({ username, password })).token;
  };
  // A courier company without a system of its own serves the demo office (its rider app is pictured below).
  const adminPrincipal = await auth.authenticate(await tokenOf('admin'));
  if (!adminPrincipal) throw new Error('no admin for the rider app pictures');
  const zones = await createOfficesRepository(db).activeZones(officeId);
  const { apiKey } = await createCouriersService({ db, clock: () => new Date() }).createCompany(
    {
      name: 'Stadtvelo Stuttgart (Demo)',
      vehicleTypes: ['bike'],
      zoneIds: zones.map((z) => z.id),
      pricePerDeliveryCents: 600,
      pricePerFailedAttemptCents: 300,
      contact: { name: 'Dispo', email: 'dispo@stadtvelo.example' },
      webhookUrl: null,
    },
    adminPrincipal,
  );
  /** A page and what to do on it before the picture (a click that leads to the state worth showing). */
  type Step = [name: string, href: string, act?: (page: import('playwright-core').Page) => Promise<void>];
  const consoles: { role: StaffRole; pages: Step[] }[] = [
    {
      role: 'clerk',
      pages: [
        ['10-console-scan-in', '/amt/schalter'],
        ['14-console-counter-booking', '/amt/schalter/buchen'],
        ['15-console-bookings', '/amt/buchungen'],
        [
          '16-console-booking',
          '/amt/buchungen',
          async (p) => {
            await p.click('#bookings tbody tr:first-child a');
            await p.waitForSelector('#facts');
          },
        ],
      ],
    },
    {
      role: 'supervisor',
      pages: [
        ['11-console-handover', '/amt/uebergabe'],
        [
          '17-console-planning',
          `/amt/planung?tag=${day}`,
          async (p) => {
            await p.click('summary');
            await p.fill('#vehicleCount', '2');
            await p.selectOption('#courierCompanyId', { label: 'Stadtvelo Stuttgart (Demo)' });
            await p.click('form[action="/amt/planung/schichten"] button[type="submit"]');
            await p.waitForSelector('#shifts');
            await p.click('#start-plan');
            await p.waitForSelector('#confirm-plan', { timeout: 60_000 });
            await p.waitForSelector('#map-box:not([hidden]) .leaflet-interactive');
          },
        ],
      ],
    },
    {
      role: 'admin',
      pages: [
        ['18-console-courier-companies', '/amt/verwaltung'],
        [
          '19-console-zones',
          '/amt/verwaltung/gebiete',
          async (p) => void (await p.waitForSelector('#map-box:not([hidden]) .leaflet-interactive')),
        ],
      ],
    },
    {
      role: 'finance',
      pages: [
        ['12-console-finance', '/amt/finanzen'],
        ['13-console-reports', '/amt/finanzen/berichte'],
      ],
    },
  ];
  for (const { role, pages } of consoles) {
    const password = randomBytes(12).toString('base64url');
    const username = `shots-${role}`;
    await auth.createStaffUser({
      username,
      displayName: `Demo ${role}`,
      password,
      roles: [role],
      officeId: role === 'finance' || role === 'admin' ? null : office,
      actorId: null,
    });
    const staffContext = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
    const staffPage = await staffContext.newPage();
    await staffPage.goto(`${base}/amt/anmelden`);
    await staffPage.fill('#username', username);
    await staffPage.fill('#password', password);
    await staffPage.click('form[action="/amt/anmelden"] button[type="submit"]');
    await staffPage.waitForURL((u) => !u.pathname.endsWith('/anmelden'));
    for (const [name, href, act] of pages) {
      await staffPage.goto(`${base}${href}`);
      if (act) await act(staffPage);
      await staffPage.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
      console.log(`docs/screenshots/${name}.png`);
    }
    await staffContext.close();
  }

  // The rider app on a phone: the day's plan confirmed, the route accepted by a company without a
  // system of its own and handed over under four eyes, then its rider opens it.
  const supervisorToken = await tokenOf('supervisor');
  const firstClerk = await tokenOf('clerk');
  const secondClerk = await tokenOf('clerk');
  const call = async (method: string, to: string, token: string, body?: unknown) => {
    const res = await fetch(`${base}${to}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
  };
  const confirmed = await call('POST', `/v1/offices/${officeId}/plans/${day}/confirm`, supervisorToken);
  if (confirmed.status !== 200) throw new Error(`confirm: ${confirmed.status}`);
  const plan = await call('GET', `/v1/offices/${officeId}/plans/${day}`, supervisorToken);
  const routeId = String((plan.body?.routes as { id: string }[] | undefined)?.[0]?.id ?? '');
  const company = `Bearer ${apiKey}`;
  for (let i = 0; ; i++) {
    const accepted = await fetch(`${base}/v1/courier/routes/${routeId}/accept`, { method: 'POST', headers: { authorization: company } });
    if (accepted.status === 200) break;
    if (i > 60) throw new Error(`accept: ${accepted.status}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const scanned = (await db.select().from(bookings).where(eq(bookings.officeId, officeId)))
    .filter((b) => b.status === 'planned' && b.applicationNumber.startsWith('DEMO-'))
    .map((b) => b.applicationNumber);
  const started = await call('POST', `/v1/routes/${routeId}/handover`, firstClerk, {
    scanned,
    courierName: 'Mia Berger',
    courierRef: 'rider-1',
  });
  const handed = await call('POST', `/v1/handovers/${String(started.body?.id)}/confirm`, secondClerk);
  if (handed.status !== 200) throw new Error(`handover: ${started.status} ${handed.status}`);
  const riderPassword = randomBytes(12).toString('base64url');
  const riderName = `shots-rider-${randomBytes(3).toString('hex')}`;
  const rider = await fetch(`${base}/v1/courier/riders`, {
    method: 'POST',
    headers: { authorization: company, 'content-type': 'application/json' },
    body: JSON.stringify({ username: riderName, displayName: 'Mia Berger', password: riderPassword }),
  });
  if (rider.status !== 201) throw new Error(`rider: ${rider.status}`);
  const phone = await browser.newContext({
    locale: 'de-DE',
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    geolocation: { longitude: 9.1712, latitude: 48.7761, accuracy: 12 },
    permissions: ['geolocation'],
  });
  const road = await phone.newPage();
  const phoneShot = async (name: string) => {
    await road.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
    console.log(`docs/screenshots/${name}.png`);
  };
  await road.goto(`${base}/kurier/anmelden`);
  await phoneShot('20-rider-sign-in');
  await road.fill('#username', riderName);
  await road.fill('#password', riderPassword);
  await Promise.all([road.waitForURL((u) => !u.pathname.endsWith('/anmelden')), road.keyboard.press('Enter')]);
  await road.goto(`${base}/kurier/touren/${routeId}`);
  await Promise.all([road.waitForURL(/ergebnis=applied/), road.click('button:has-text("Tour gestartet")')]);
  await phoneShot('21-rider-route');
  await road.click('a[href*="/stopps/"]');
  await road.waitForFunction("document.getElementById('pos-lng').value !== ''");
  await phoneShot('22-rider-door');
  await phone.close();
} finally {
  await browser.close();
  await platform.close();
  await scratch.drop();
}
