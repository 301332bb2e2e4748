import { expect } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import { circle } from '@turf/turf';
import type { Polygon } from 'geojson';
import { pino, type Logger } from 'pino';
import Stripe from 'stripe';
import { createAuthService } from '../../src/auth/auth.service.ts';
import type { StaffRole } from '../../src/auth/auth.table.ts';
import { loadConfig } from '../../src/config/config.ts';
import { eq } from 'drizzle-orm';
import { transitionBooking } from '../../src/bookings/bookings.repository.ts';
import { bookings } from '../../src/bookings/bookings.table.ts';
import { payments } from '../../src/payments/payments.table.ts';
import type { Database } from '../../src/db/client.ts';
import { loadStuttgartBoundary } from '../../src/demo/seed-demo.ts';
import { SANDBOX_SECRET_KEY } from '../../src/infra/payments.ts';
import { createOfficesRepository } from '../../src/offices/offices.repository.ts';
import type { PaymentIssueHandling, RefundPolicy } from '../../src/offices/offices.table.ts';
import { createPlatform } from '../../src/platform.ts';
import { createMemoryStore } from '../../src/stripe-sandbox/index.ts';
import { TEST_REDIS_URL, testDatabaseUrl } from './test-env.ts';
import { holidayName } from '../../src/offices/delivery-hours.ts';
import { addDays, isoWeekday, localDate, zonedTimeToUtc } from '../../src/shared/zoned-time.ts';

export const OFFICE_LOCATION: [number, number] = [9.1759, 48.7746];
/** Inside the 4 km bicycle circle and the city. */
export const NEAR: [number, number] = [9.1773, 48.7754];
/** Inside the city (Stuttgart-Vaihingen), ~8 km from the office: e-car only. */
export const CITY_ONLY: [number, number] = [9.1105, 48.7297];
/** Munich: outside every zone. */
export const OUTSIDE: [number, number] = [11.5755, 48.1372];

/** A clock the test can move; starts at real time so Stripe's signature tolerance holds. */
export function createTestClock() {
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);
  return Object.assign(clock, {
    advance: (ms: number) => {
      offsetMs += ms;
    },
  });
}

export interface TestPlatformOptions {
  workers?: boolean;
  env?: Record<string, string>;
  /** The sandbox runs on the platform's test clock (p.clock.advance moves both): for balances that become available, payouts. */
  sandboxOnPlatformClock?: boolean;
  /** The platform's logger (API request logs included); silent unless TEST_LOG_LEVEL is set. */
  logger?: Logger;
}

/**
 * The real platform for a test file, built by `createPlatform` as the entry points build it: the
 * API on a random port against the machine's PostgreSQL and Redis (own queue prefix per file),
 * the hosted Stripe sandbox (in memory, fast webhook retries), and, if asked, the workers.
 * Test files usually get it through the `platformTest` fixture (platform-fixture.ts).
 */
export async function startTestPlatform(opts: TestPlatformOptions = {}) {
  const clock = createTestClock();
  const config = loadConfig({
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    PORT: '0',
    STRIPE_SANDBOX_PORT: '0',
    LOG_LEVEL: 'silent',
    // Every test request comes from 127.0.0.1; rate limits have a test of their own.
    RATE_LIMIT_PER_MINUTE: '100000',
    // The relay reads every booking's events in the shared test database: only the file that
    // tests notifications turns it on, so no other file's worker sends (or files) its mails.
    NOTIFICATIONS: 'off',
    ...opts.env,
  });
  const webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
  const platform = await createPlatform(
    config,
    // The test run's global setup has migrated the database already.
    { api: 'listen', workers: opts.workers ?? false, hostSandbox: true, migrate: false },
    {
      clock,
      logger: opts.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      database: { maxConnections: 5 },
      sandbox: {
        retry: { baseDelayMs: 50, maxAttempts: 4 },
        disputeDelayMs: 50,
        store: createMemoryStore(),
        ...(opts.sandboxOnPlatformClock ? { clock } : {}),
      },
      webhookSecret,
    },
  );
  const { app, address, sandbox, database } = platform;
  if (!app || !address || !sandbox) throw new Error('the test platform runs the API and hosts the Stripe sandbox');
  /** The citizen's (or Stripe.js's) view of Stripe: stripe-node pointed at the sandbox. */
  const stripe = new Stripe(SANDBOX_SECRET_KEY, { ...sandbox.clientOptions(), maxNetworkRetries: 0 });
  const auth = createAuthService({ db: database.db, clock, sessionHours: config.env.STAFF_SESSION_HOURS });

  return {
    ...platform,
    app,
    address,
    sandbox,
    clock,
    db: database.db,
    stripe,
    webhookSecret,
    auth,
    /** Signs in a new staff member with the given roles and returns the bearer header. */
    async staff(roles: StaffRole[], officeId: string | null) {
      const username = `t-${randomBytes(5).toString('hex')}`;
      const password = `pw-${randomBytes(12).toString('hex')}`;
      const user = await auth.createStaffUser({ username, displayName: 'Test Staff', password, roles, officeId, actorId: null });
      const { token } = await auth.signIn({ username, password });
      return { user, headers: { authorization: `Bearer ${token}` } };
    },
  };
}

export type TestPlatform = Awaited<ReturnType<typeof startTestPlatform>>;

/** An office with a 4 km bicycle circle and the city-wide e-car zone, like the demo office. */
export async function seedOffice(
  db: Database,
  opts: {
    refundPolicy?: RefundPolicy;
    feeCents?: number;
    bikeCents?: number;
    ecarCents?: number;
    paymentIssueHandling?: PaymentIssueHandling;
    postalCodes?: string[];
  } = {},
) {
  const repo = createOfficesRepository(db);
  const suffix = randomBytes(3).toString('hex').toUpperCase();
  const office = await repo.insertOffice({
    slug: `office-${suffix.toLowerCase()}`,
    name: `Testbüro ${suffix}`,
    addressLine: 'Eberhardstraße 39, 70173 Stuttgart',
    location: OFFICE_LOCATION,
    kassenzeichenPrefix: `T${suffix}`,
    refundPolicy: opts.refundPolicy ?? 'fee_after_ready',
    cancellationFeeCents: opts.feeCents ?? 150,
    paymentIssueHandling: opts.paymentIssueHandling ?? 'hold',
    postalCodes: opts.postalCodes ?? [],
  });
  const bikeZone = await repo.insertZone({
    officeId: office.id,
    name: 'Bike 4 km',
    geometry: circle(OFFICE_LOCATION, 4, { steps: 64, units: 'kilometers' }).geometry as Polygon,
    vehicleTypes: ['bike'],
  });
  const cityZone = await repo.insertZone({ officeId: office.id, name: 'City', geometry: loadStuttgartBoundary(), vehicleTypes: ['ecar'] });
  const validFrom = new Date('2020-01-01T00:00:00Z');
  await repo.insertTariff({ officeId: office.id, zoneId: bikeZone.id, vehicleType: 'bike', amountCents: opts.bikeCents ?? 450, validFrom });
  await repo.insertTariff({ officeId: office.id, zoneId: cityZone.id, vehicleType: 'ecar', amountCents: opts.ecarCents ?? 850, validFrom });
  return { office, bikeZone, cityZone };
}

export const ADDRESS = { street: 'Marktplatz', houseNumber: '1', postalCode: '70173', city: 'Stuttgart' };

export function newApplicationNumber() {
  return `A${randomBytes(5).toString('hex').toUpperCase()}`;
}

/**
 * A window inside the default delivery hours (Mon–Fri 08:00–20:00 office time): the first
 * weekday at least `daysAhead` days from now that is not a public holiday in Baden-Württemberg.
 */
export function deliveryWindow(now = new Date(), daysAhead = 14, from = '09:00', to = '13:00') {
  let date = addDays(localDate(now, 'Europe/Berlin'), daysAhead);
  while (isoWeekday(date) > 5 || holidayName(date, 'BW') !== null) date = addDays(date, 1);
  return { start: zonedTimeToUtc(date, from, 'Europe/Berlin').toISOString(), end: zonedTimeToUtc(date, to, 'Europe/Berlin').toISOString() };
}

export function bookingBody(quoteId: string, overrides: Record<string, unknown> = {}, now = new Date()) {
  const window = deliveryWindow(now);
  return {
    quoteId,
    vehicleType: 'bike',
    applicationNumber: newApplicationNumber(),
    documentType: 'id_card',
    recipient: { name: 'Erika Mustermann', phone: '+49 711 1234567' },
    address: ADDRESS,
    preferredWindows: [window],
    consent: { powerOfAttorney: true, textVersion: '2026-01' },
    ...overrides,
  };
}

/** POST JSON through the real HTTP listener (so the Stripe sandbox and the test see the same server). */
export async function api(p: TestPlatform, method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${p.address}${path}`, {
    method,
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field in the tests
  const json: any = text ? JSON.parse(text) : null;
  return { status: res.status, body: json, headers: res.headers };
}

/**
 * Every row of a cursor-paged list (`{ data, nextCursor }`) from `path` on, each page answered 200:
 * for a test that looks for its own rows in a list every earlier test file of its worker has filled.
 */
export async function allPages<T>(p: TestPlatform, path: string, headers: Record<string, string>): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | null = null;
  do {
    const page = await api(p, 'GET', `${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers });
    expect(page.status, path).toBe(200);
    rows.push(...(page.body.data as T[]));
    cursor = page.body.nextCursor as string | null;
  } while (cursor);
  return rows;
}

/** Quote, book and (optionally) pay through stripe-node; waits for the webhook to land. */
export async function createPaidBooking(
  p: TestPlatform,
  officeId: string,
  opts: { pay?: boolean; paymentMethod?: string; vehicleType?: 'bike' | 'ecar' } = {},
) {
  const quote = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: NEAR } });
  const body = bookingBody(quote.body.id, { vehicleType: opts.vehicleType ?? 'bike' });
  const created = await api(p, 'POST', '/v1/bookings', { body, headers: { 'idempotency-key': randomUUID() } });
  if (created.status !== 201) throw new Error(`booking failed: ${JSON.stringify(created.body)}`);
  if (opts.pay !== false) {
    await p.stripe.paymentIntents.confirm(created.body.payment.paymentIntentId, { payment_method: opts.paymentMethod ?? 'pm_card_visa' });
    await p.sandbox.flushWebhooks();
  }
  /* eslint-disable @typescript-eslint/no-explicit-any -- API JSON, checked field by field in the tests */
  return { quote: quote.body, request: body, ...created.body } as {
    quote: any;
    request: ReturnType<typeof bookingBody>;
    booking: any;
    payment: any;
    trackingToken: string;
  };
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

/** Polls until `check` holds (for work done by workers); fails with the last value after `timeoutMs`. */
export async function eventually<T>(fn: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!check(last)) {
    if (Date.now() > until) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await fn();
  }
  return last;
}

/** A booking move as the services make it: inside a transaction. */
export const moveBooking = (p: { db: Database }, ...args: Parameters<typeof transitionBooking> extends [unknown, ...infer R] ? R : never) =>
  p.db.transaction((tx) => transitionBooking(tx, ...args));

/**
 * A booking the platform holds as paid with no charge at Stripe (reconciliation's
 * `missing_at_stripe`). Nothing at Stripe can make one, so it is written as a bug or a forged
 * event would write it: the payment succeeded and the booking paid (an unpaid booking would be
 * expired by the payment sweep meanwhile). Returns the payment row.
 */
export async function bookPaidOnlyHere(p: TestPlatform, officeId: string) {
  const ghost = await createPaidBooking(p, officeId, { pay: false });
  const [payment] = await p.db.update(payments).set({ status: 'succeeded' }).where(eq(payments.bookingId, ghost.booking.id)).returning();
  await p.db.update(bookings).set({ status: 'paid' }).where(eq(bookings.id, ghost.booking.id));
  if (!payment) throw new Error('the booking has no payment row');
  return payment;
}
