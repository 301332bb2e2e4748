/**
 * Does listBookings stay fast on a table of a million rows? Creates a database of its own on
 * 127.0.0.1:5432 (BENCH_DATABASE_URL's server, dropped at the end), migrates it, seeds the demo
 * office and N bookings with their payment rows in bulk (spread over a year, all statuses),
 * ANALYZEs, and times the bookings service's listBookings for the filters staff use: p50 and p99
 * of 100 calls each. Then it puts back the one index the list had before (office, status,
 * created_at) and times the same calls again, so both are in one run.
 *
 *   npm run bench:list -- [--rows 1000000] [--calls 100]
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createScratchDatabase } from '../src/db/scratch-database.ts';
import type { StaffPrincipal } from '../src/auth/auth.service.ts';
import type { BookingStatus } from '../src/bookings/booking-status.ts';
import { createBookingsService } from '../src/bookings/bookings.service.ts';
import { openDatabase, queryRows } from '../src/db/client.ts';
import { seedDemoIfEmpty } from '../src/demo/seed-demo.ts';
import type { PaymentGateway } from '../src/payments/payment-gateway.ts';
import { createQuotesRepository } from '../src/quotes/quotes.repository.ts';
import { wholeNumberFlag } from './flags.ts';

const ROWS = wholeNumberFlag('rows', 1_000_000);
const CALLS = wholeNumberFlag('calls', 100);
const scratch = await createScratchDatabase('amtsbote_bench_list', process.env.BENCH_DATABASE_URL);
const url = new URL(scratch.url);
const handle = await openDatabase({ url: url.toString(), dataDir: '/tmp', maxConnections: 4 });

try {
  await handle.migrate();
  const { db } = handle;
  const seeded = await seedDemoIfEmpty(db, new Date());
  if (!seeded) throw new Error('the bench database was not empty');
  const { office, bikeZone } = seeded;
  const [tariff] = await queryRows<{ id: string }>(db, sql`select id from tariffs where zone_id = ${bikeZone.id}`);
  if (!tariff) throw new Error('the demo seed made no bike tariff');
  const quote = await createQuotesRepository(db).insert({
    officeId: office.id,
    location: [9.18, 48.775],
    options: [{ vehicleType: 'bike', zoneId: bikeZone.id, tariffId: tariff.id, amountCents: 450, currency: 'EUR' }],
    expiresAt: new Date(Date.now() + 3_600_000),
  });

  const started = performance.now();
  // One row every 31 s backwards from now: a year's bookings at a million rows.
  await db.execute(sql`
    insert into bookings (office_id, quote_id, application_number, document_type, recipient, address, location,
      vehicle_type, zone_id, tariff_id, amount_cents, preferred_windows, consent, status, kassenzeichen,
      tracking_token_hash, payment_deadline, created_at)
    select ${office.id}, ${quote.id}, 'B' || lpad(g::text, 9, '0'), 'id_card',
      '{"name":"Erika Mustermann","phone":"+49 711 1234567"}',
      '{"street":"Königstraße","houseNumber":"1","postalCode":"70173","city":"Stuttgart"}', '[9.18,48.775]',
      'bike', ${bikeZone.id}, ${tariff.id}, 450, '[]',
      '{"powerOfAttorney":true,"textVersion":"2026-01","consentedAt":"2026-01-01T00:00:00.000Z"}',
      (array['awaiting_payment','paid','document_ready','planned','delivered','delivered','delivered','cancelled'])[1 + g % 8]::booking_status,
      'BENCH-' || g, md5(g::text) || md5((g * 7)::text), now(), now() - g * interval '31 seconds'
    from generate_series(1, ${ROWS}::int) g`);
  await db.execute(sql`
    insert into payments (booking_id, amount_cents, kassenzeichen, status, created_at)
    select id, amount_cents, kassenzeichen, 'succeeded', created_at from bookings`);
  // What start-up does for a fresh installation (db/statistics.ts), here after the bulk load.
  await db.execute(sql`analyze bookings`);
  await db.execute(sql`analyze payments`);
  await db.execute(sql`analyze booking_holds`);
  const loadSeconds = (performance.now() - started) / 1000;

  const noGateway = {} as PaymentGateway; // listBookings never reaches the payment provider
  const service = createBookingsService({
    db,
    gateway: noGateway,
    clock: () => new Date(),
    paymentExpiryMinutes: 60,
    afterCommit: { scheduleExpiry: async () => {}, refundOwed: async () => {} },
  });
  const supervisor: StaffPrincipal = {
    id: randomUUID(),
    username: 'bench',
    displayName: 'Bench',
    roles: ['supervisor'],
    officeId: office.id,
  };
  const adminStaff: StaffPrincipal = { ...supervisor, roles: ['admin'], officeId: null };
  const page = (
    s: StaffPrincipal,
    filter: {
      statuses?: BookingStatus[];
      kassenzeichen?: string;
      applicationNumber?: string;
      createdFrom?: Date;
      createdTo?: Date;
      cursor?: string;
    } = {},
  ) => service.listBookings({ ...filter, limit: 50 }, s);
  // The 20th page: the cursor after 19 pages of 50.
  let cursor: string | undefined;
  for (let i = 0; i < 19; i++) cursor = (await page(supervisor, { cursor })).nextCursor ?? undefined;
  const weekAgo = new Date(Date.now() - 7 * 86_400_000);
  const scenarios: [string, () => Promise<unknown>][] = [
    ['office, first page', () => page(supervisor)],
    ['office, 20th page (cursor)', () => page(supervisor, { cursor })],
    ['office, status paid', () => page(supervisor, { statuses: ['paid'] })],
    ['office, status paid or document_ready', () => page(supervisor, { statuses: ['paid', 'document_ready'] })],
    ['office, one week created', () => page(supervisor, { createdFrom: weekAgo, createdTo: new Date(Date.now() - 86_400_000) })],
    ['office, by Kassenzeichen', () => page(supervisor, { kassenzeichen: `BENCH-${Math.floor(ROWS / 2)}` })],
    ['office, by application number', () => page(supervisor, { applicationNumber: `B${String(Math.floor(ROWS / 3)).padStart(9, '0')}` })],
    ['admin (all offices), first page', () => page(adminStaff)],
  ];

  async function measure() {
    const result: Record<string, { p50: number; p99: number }> = {};
    for (const [name, run] of scenarios) {
      for (let i = 0; i < 10; i++) await run();
      const times: number[] = [];
      for (let i = 0; i < CALLS; i++) {
        const t = performance.now();
        await run();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const at = (q: number) => Number((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0).toFixed(2));
      result[name] = { p50: at(0.5), p99: at(0.99) };
    }
    return result;
  }

  const now = await measure();
  // The index set before issue 8: only (office_id, status, created_at).
  await db.execute(sql`drop index bookings_office_created_idx, bookings_created_idx, bookings_application_idx, bookings_office_status_idx`);
  await db.execute(sql`create index bookings_office_status_idx on bookings (office_id, status, created_at)`);
  await db.execute(sql`analyze bookings`);
  const before = await measure();

  console.log(
    `listBookings on ${ROWS.toLocaleString('en')} bookings (one office; loaded and analysed in ${loadSeconds.toFixed(0)} s), ${CALLS} calls each, 50 rows a page`,
  );
  console.table(
    Object.fromEntries(
      scenarios.map(([name]) => [
        name,
        {
          'p50 ms': now[name]?.p50,
          'p99 ms': now[name]?.p99,
          'p50 ms, old index': before[name]?.p50,
          'p99 ms, old index': before[name]?.p99,
        },
      ]),
    ),
  );
} finally {
  await handle.close();
  await scratch.drop();
}
