/**
 * Issue 8's benchmark: the platform split (API process, worker process) against the machine's
 * PostgreSQL and Redis, next to a bare baseline (Fastify + one `INSERT … RETURNING`), measured
 * with autocannon in the same run; every figure is also shown as a ratio to the baseline.
 *
 *   npm run bench:api -- [--duration 10] [--warmup 3] [--connections 10,50] [--rate 500]
 *                        [--only createQuote,trackBooking] [--json FILE] [--profile] [--prefill SECONDS]
 *
 * Operations: baseline, createQuote, createBooking, floorBooking, createBookingAtRate,
 * trackBooking, listBookings, stripeWebhook, courierEvent. floorBooking (bench/floors.ts) is the
 * booking's round trips without its work, served by the baseline's process: what that much I/O
 * costs here. Everything it makes is its own and removed at the
 * end (also on Ctrl-C and on an error): a database `amtsbote_bench_<pid>` on
 * BENCH_POSTGRES_URL (postgres://postgres@127.0.0.1:5432), a queue prefix of its own on REDIS_URL
 * (redis://127.0.0.1:6379), a temporary DATA_DIR, the child processes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import postgres from 'postgres';
import Stripe from 'stripe';
import { openDatabase } from '../src/db/client.ts';
import { setUpDemo } from '../src/demo/demo-setup.ts';
import { demoCredentialsPath } from '../src/demo/demo-staff.ts';
import { QUEUE_NAMES } from '../src/jobs/registry.ts';
import { runLoad, type LoadResult, type OneRequest } from './api-load.ts';
import { loadProfile, type LoadedProfile, type ProfileSummary } from './api-profile.ts';
import { setUpCourierRoute, type BenchBooking } from './api-courier-route.ts';
import {
  createCleanup,
  cpuSeconds,
  freePort,
  pidsWithCommandLine,
  pinSelf,
  spawnPinned,
  TASKSET,
  waitForHttp,
  type Child,
} from './api-processes.ts';

// ---------------------------------------------------------------------------------------------
// Flags

const OPERATIONS = [
  'baseline',
  'createQuote',
  'createBooking',
  'floorBooking',
  'createBookingAtRate',
  'trackBooking',
  'listBookings',
  'stripeWebhook',
  'courierEvent',
] as const;
type Operation = (typeof OPERATIONS)[number];

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function positive(name: string, fallback: number): number {
  const raw = flag(name);
  const v = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}
const DURATION = positive('duration', 10);
const WARMUP = flag('warmup') === '0' ? 0 : positive('warmup', 3);
const RATE = positive('rate', 500);
const CONNECTIONS = (flag('connections') ?? '10,50').split(',').map((c) => {
  const v = Number(c);
  if (!Number.isInteger(v) || v <= 0) throw new Error('--connections takes whole numbers, e.g. 10,50');
  return v;
});
const ONLY = (flag('only') ?? OPERATIONS.join(',')).split(',').map((o) => o.trim());
for (const o of ONLY)
  if (!(OPERATIONS as readonly string[]).includes(o)) throw new Error(`--only: unknown operation ${o} (${OPERATIONS.join(', ')})`);
const JSON_FILE = flag('json');
const PREFILL = positive('prefill', WARMUP + DURATION);
const PROFILE = process.argv.includes('--profile');
const wanted = (op: Operation) => ONLY.includes(op);
// The ratios need the baseline, so it always runs.
const RATE_CONNECTIONS = 50;

// ---------------------------------------------------------------------------------------------
// Isolation: database, Redis prefix, data folder, ports, CPUs

const cleanup = createCleanup();
const tag = `${process.pid}_${randomBytes(3).toString('hex')}`;
const serverUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const dbName = `amtsbote_bench_${tag}`;
const databaseUrl = (() => {
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const queuePrefix = `bench-api-${tag.replace('_', '-')}`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'amtsbote-bench-api-'));
const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;

// Two cores or more: the load generator (this process) on CPU 1, the servers on CPU 0. PostgreSQL
// and Redis are the machine's services and stay where the scheduler puts them.
const pin = TASKSET !== null && availableParallelism() >= 2;
const SERVER_CPU = pin ? 0 : null;
if (pin) pinSelf(1);

const children: Child[] = [];
let exitCode = 0;

async function main() {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  cleanup.add('drop the bench database', async () => {
    await statsDb?.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.end({ timeout: 5 });
  });
  cleanup.add('remove the data folder', () => rmSync(dataDir, { recursive: true, force: true }));
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  cleanup.add('delete the Redis keys', async () => {
    const deleted = await deleteKeys(redis, `${queuePrefix}:*`);
    report.cleanup.redisKeysDeleted = deleted;
    redis.disconnect();
  });
  cleanup.add('stop the child processes', async () => {
    await Promise.all(children.map((c) => c.stop()));
  });

  // The API process migrates by itself, but `start:api` does not seed the demo office (only
  // `npm start` does, src/main.ts): the same set-up as `npm start` runs here, on the bench database.
  const seeding = await openDatabase({ url: databaseUrl, dataDir, maxConnections: 2 });
  await seeding.migrate();
  await setUpDemo({ db: seeding.db, dataDir, seed: true, sessionHours: 12, clock: () => new Date(), logger: pino({ level: 'silent' }) });
  await seeding.close();

  const [apiPort, sandboxPort, baselinePort] = [await freePort(), await freePort(), await freePort()];
  const node = (script: string, extra: string[] = []) => [process.execPath, ...extra, '--import', 'tsx', script];

  log(
    pin
      ? `pinned: load generator (this process, pid ${process.pid}) with taskset -c 1; API, workers and baseline with taskset -c 0; PostgreSQL and Redis not pinned`
      : `not pinned (${TASKSET ? 'fewer than 2 CPUs' : 'no taskset'}): load generator and servers share the CPUs`,
  );

  // 1. The bare baseline, alone on the server CPU.
  const baseline = spawnPinned('baseline', node('bench/baseline-server.ts'), {
    cpu: SERVER_CPU,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(baselinePort),
      // The floor's Redis keys under the run's prefix (deleted with it), its file in the data folder.
      ...(wanted('floorBooking') ? { REDIS_URL: redisUrl, FLOOR_PREFIX: `${queuePrefix}:floor`, FLOOR_DIR: dataDir } : {}),
    },
  });
  children.push(baseline);
  baselineUrl = `http://127.0.0.1:${baselinePort}`;
  await waitForHttp(`${baselineUrl}/health`, baseline);
  for (const connections of CONNECTIONS) {
    await measure('baseline', connections, baselineUrl, { next: baselineRequest }, [baseline]);
  }
  // It stays up (idle, on the server CPU) for the baseline measured beside each row below.

  // 2. The platform split: API (it hosts the Stripe sandbox) and workers (they reach the sandbox on its port).
  const profileDir = PROFILE ? mkdtempSync(path.join(tmpdir(), 'amtsbote-bench-profile-')) : null;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: queuePrefix,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    DATA_DIR: dataDir,
    STRIPE_SECRET_KEY: '',
    STRIPE_SANDBOX_PORT: String(sandboxPort),
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'auto',
    QUOTE_TTL_MINUTES: '1440',
    // The maximum the configuration allows; with X-Forwarded-For spread over 256 addresses (below)
    // every citizen request is counted in Redis and none is refused.
    RATE_LIMIT_PER_MINUTE: '100000',
    TRUST_PROXY: '127.0.0.1',
    PLANNING_TIME_LIMIT_SECONDS: '2',
  };
  const api = spawnPinned('api', node('src/server.ts', profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), {
    cpu: SERVER_CPU,
    env,
  });
  children.push(api);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await waitForHttp(`${apiUrl}/health/ready`, api);
  const workers = spawnPinned('workers', node('workers/main.ts'), { cpu: SERVER_CPU, env });
  children.push(workers);
  await waitForWorkers(redis, workers);
  log(`API pid ${api.pid} on ${apiUrl}, workers pid ${workers.pid}; Stripe sandbox in the API process on port ${sandboxPort}`);

  const platform = await prepare(apiUrl);
  const servers = [api, workers];

  if (wanted('createQuote')) {
    for (const connections of CONNECTIONS) await measure('createQuote', connections, apiUrl, { next: platform.quoteRequest }, servers);
  }
  if (wanted('createBooking')) {
    for (const connections of CONNECTIONS) await measure('createBooking', connections, apiUrl, platform.bookingLoad, servers);
  }
  if (wanted('floorBooking')) {
    for (const connections of CONNECTIONS)
      await measure('floorBooking', connections, baselineUrl, { next: floorBookingRequest }, [baseline], servers);
  }
  if (wanted('createBookingAtRate')) {
    await measure('createBookingAtRate', RATE_CONNECTIONS, apiUrl, { ...platform.bookingLoad, overallRate: RATE }, servers);
  }
  // The Stripe events pay each booking once; more bookings than the createBooking rows made are
  // created here (not measured), for PREFILL seconds.
  if ((wanted('trackBooking') && platform.pool.length < 1000) || wanted('stripeWebhook')) {
    log(`creating bookings for trackBooking/stripeWebhook for ${PREFILL} s (${platform.pool.length} so far; not measured) …`);
    await runLoad({ url: apiUrl, connections: 50, warmupSeconds: 0, durationSeconds: PREFILL, ...platform.bookingLoad });
    log(`${platform.pool.length} bookings; VACUUM ANALYZE after the bulk load (not measured)`);
    // Thousands of rows in seconds: autovacuum would start on them during the next rows and
    // measure its own catching up (runs where trackBooking's first 5 s were half its last).
    await settleDatabase();
  }
  if (wanted('trackBooking')) {
    for (const connections of CONNECTIONS) await measure('trackBooking', connections, apiUrl, { next: platform.trackRequest }, servers);
  }
  if (wanted('listBookings')) {
    for (const connections of CONNECTIONS) await measure('listBookings', connections, apiUrl, { next: platform.listRequest }, servers);
  }
  if (wanted('stripeWebhook')) {
    for (const connections of CONNECTIONS)
      await measure('stripeWebhook', connections, apiUrl, { next: platform.stripeEventRequest }, servers);
    report.checks.stripeEvents = { sent: platform.stripeEvents.sent(), distinctBookings: platform.stripeEvents.distinct() };
  }
  if (wanted('courierEvent')) {
    log('setting up a handed-over route for courier events (not measured) …');
    const route = await setUpCourierRoute({ apiUrl, officeId: platform.officeId, dataDir, pay: platform.payBooking });
    report.checks.courierRoute = { routeId: route.routeId, stops: route.jobIds.length, setupSeconds: route.setupSeconds };
    for (const connections of CONNECTIONS) await measure('courierEvent', connections, apiUrl, { next: route.eventRequest }, servers);
  }

  await verify();

  await Promise.all(servers.map((c) => c.stop()));
  if (profileDir) summariseProfile(profileDir);
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Row {
  operation: Operation;
  connections: number;
  offeredRate: number | null;
  result: LoadResult;
  /**
   * req/s of the bare baseline measured just before and just after this row, at its connection
   * count, and their mean (null for the baseline's own rows).
   */
  baselineBeside: {
    before: number;
    after: number;
    mean: number;
    /** CPU % of one core the platform's processes (idle) used during the baseline before and after. */
    platformCpu: [number, number];
  } | null;
  /** CPU use of each process (% of one core) over the measured window. */
  cpu: Record<string, number>;
  /**
   * PostgreSQL transactions (commits and rollbacks, all processes) per answer, from pg_stat_database: each
   * statement outside a transaction counts one. Approximate: a backend may report its counts some seconds late.
   */
  xactsPerRequest: number;
  errorSamples: Record<string, string>;
}

const report = {
  startedAt: new Date().toISOString(),
  settings: { durationSeconds: DURATION, warmupSeconds: WARMUP, connections: CONNECTIONS, offeredRate: RATE, pinned: pin },
  rows: [] as Row[],
  checks: {} as Record<string, unknown>,
  goals: [] as { goal: string; row: string; value: string; met: boolean }[],
  profile: null as null | { file: string; windows: Record<string, ProfileSummary> },
  cleanup: {} as Record<string, unknown>,
};

let statsDb: postgres.Sql | null = null;
async function transactions(): Promise<number> {
  statsDb ??= postgres(serverUrl, { max: 1, onnotice: () => {} });
  const [row] = await statsDb<{ n: string }[]>`
    select (xact_commit + xact_rollback)::text as n from pg_stat_database where datname = ${dbName}`;
  return Number(row?.n ?? 0);
}

/**
 * The bare baseline again, just before and just after each row of the platform, at the row's
 * connection count: this machine's speed changes by a factor of two within minutes (steal time),
 * so a ratio to a baseline measured minutes earlier says as much about the machine as about the
 * platform, and one taken only before a row can fall on a slow moment. The goals are judged
 * against the mean of the two; the table shows them and the baseline at the start.
 */
let baselineUrl = '';
const BESIDE_SECONDS = Math.min(DURATION, 5);
async function baselineBeside(connections: number, others: Child[]): Promise<{ reqPerSec: number; othersCpu: number }> {
  // What the platform's processes, idle, still use meanwhile (on the baseline's CPU): their
  // timers, the sandbox's file store. Shown per row, so a baseline slowed by them can be seen.
  const cpuOfOthers = () => others.reduce((a, c) => a + cpuSeconds(c.pid), 0);
  const cpuBefore = cpuOfOthers();
  const t0 = performance.now();
  const result = await runLoad({
    url: baselineUrl,
    connections,
    warmupSeconds: Math.min(WARMUP, 1),
    durationSeconds: BESIDE_SECONDS,
    next: baselineRequest,
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`the baseline beside a row failed: ${JSON.stringify(result.statuses)}`);
  const othersCpu = Math.round((100 * (cpuOfOthers() - cpuBefore)) / ((performance.now() - t0) / 1000));
  // Its inserts are in the bench database too, and PostgreSQL reports a backend's transactions
  // up to a second late: they would count as the row's (pg xacts/req).
  await new Promise((r) => setTimeout(r, 1100));
  return { reqPerSec: result.reqPerSec, othersCpu };
}

/** The index of the row being measured (Stripe event ids carry it, so outcomes are counted per row). */
let measuring: number | null = null;

async function measure(
  operation: Operation,
  connections: number,
  url: string,
  load: { next(): OneRequest; onBody?(status: number, body: string): void; overallRate?: number },
  servers: Child[],
  /** The processes that stay idle meanwhile (the platform's, while a floor runs in the baseline's). */
  idle: Child[] = servers,
) {
  const besideBefore = operation === 'baseline' ? null : await baselineBeside(connections, idle);
  const errorSamples: Record<string, string> = {};
  const onBody = (status: number, body: string) => {
    if (status >= 300 && !(status in errorSamples)) errorSamples[status] = body.slice(0, 300);
    load.onBody?.(status, body);
  };
  // CPU seconds are read around the whole run and scaled to its measured part (warm-up included
  // in both: the rate is the same).
  const procs: Record<string, () => number> = {
    ...Object.fromEntries(servers.map((c) => [c.name, () => cpuSeconds(c.pid)])),
    postgres: () => pidsWithCommandLine(dbName).reduce((a, pid) => a + cpuSeconds(pid), 0),
    loadgen: () => cpuSeconds(process.pid),
  };
  const before = Object.fromEntries(Object.entries(procs).map(([k, f]) => [k, f()]));
  const xactsBefore = await transactions();
  const t0 = performance.now();
  measuring = report.rows.length;
  const result = await runLoad({
    url,
    connections,
    warmupSeconds: WARMUP,
    durationSeconds: DURATION,
    next: load.next,
    onBody,
    ...(load.overallRate ? { overallRate: load.overallRate } : {}),
  });
  measuring = null;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = Object.fromEntries(Object.entries(procs).map(([k, f]) => [k, Math.round((100 * (f() - (before[k] ?? 0))) / seconds)]));
  // PostgreSQL reports a backend's counts within about a second of its transactions.
  await new Promise((r) => setTimeout(r, 1100));
  const xactsPerRequest = result.totalResponses > 0 ? ((await transactions()) - xactsBefore) / result.totalResponses : Number.NaN;
  const besideAfter = besideBefore === null ? null : await baselineBeside(connections, idle);
  const beside =
    besideBefore === null || besideAfter === null
      ? null
      : {
          before: besideBefore.reqPerSec,
          after: besideAfter.reqPerSec,
          mean: (besideBefore.reqPerSec + besideAfter.reqPerSec) / 2,
          platformCpu: [besideBefore.othersCpu, besideAfter.othersCpu] as [number, number],
        };
  const row: Row = {
    operation,
    connections,
    offeredRate: load.overallRate ?? null,
    result,
    baselineBeside: beside,
    cpu,
    xactsPerRequest,
    errorSamples,
  };
  report.rows.push(row);
  const share = result.requests ? result.non2xx / (result.requests + result.errors) : 1;
  log(
    `${operation.padEnd(20)} c=${String(connections).padEnd(3)} ${fmt(result.reqPerSec, 0).padStart(6)} req/s  p50 ${fmt(result.p50, 1)} ms  p99 ${fmt(result.p99, 1)} ms  non-2xx ${result.non2xx}${beside === null ? '' : `  (baseline before/after: ${fmt(beside.before, 0)}/${fmt(beside.after, 0)} req/s)`}`,
  );
  if (result.requests === 0 || share > 0.01) {
    exitCode = 1;
    console.error(
      `FAILED: ${operation} at ${connections} connections: ${result.non2xx} of ${result.requests} answers not 2xx (${JSON.stringify(result.statuses)}); e.g. ${JSON.stringify(errorSamples)}`,
    );
  }
  return row;
}

// ---------------------------------------------------------------------------------------------
// Requests

/** X-Forwarded-For from the benchmarking range 198.18.0.0/15 (RFC 2544): citizens from 256 addresses. */
let addressSeq = 0;
const citizenAddress = () => `198.18.${(addressSeq = (addressSeq + 1) & 0xff)}.${1 + (addressSeq % 250)}`;
const json = (extra: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  'x-forwarded-for': citizenAddress(),
  ...extra,
});

let baselineSeq = 0;
function baselineRequest(): OneRequest {
  return { method: 'POST', path: '/v1/items', headers: json(), body: JSON.stringify({ name: `item-${++baselineSeq}`, amountCents: 450 }) };
}

const RECIPIENT = { name: 'Erika Mustermann', phone: '+49 711 1234567' };

/** The booking's floor (bench/floors.ts): a new Idempotency-Key per booking. */
function floorBookingRequest(): OneRequest {
  const n = ++baselineSeq;
  return {
    method: 'POST',
    path: '/floor/booking',
    headers: json({ 'idempotency-key': `floor-${tag}-${n}` }),
    body: JSON.stringify({
      applicationNumber: `F${n}`,
      amountCents: 450,
      recipient: RECIPIENT,
    }),
  };
}

/** Addresses in the demo office's 4 km bicycle zone (and the city's e-car zone): Marktplatz and around. */
const ADDRESS = { street: 'Marktplatz', houseNumber: '1', postalCode: '70173', city: 'Stuttgart' };
const NEAR: [number, number] = [9.1773, 48.7754];

async function prepare(apiUrl: string) {
  const call = httpClient(apiUrl);
  const offices = await call<{ data: { id: string; slug: string }[] }>('GET', '/v1/offices');
  const office = offices.data.find((o) => o.slug === 'stuttgart-mitte');
  if (!office) throw new Error('the demo office is missing');
  const officeId = office.id;
  const credentials = readCredentials(dataDir);
  const clerk = await call<{ token: string }>('POST', '/v1/auth/sessions', { username: 'clerk', password: credentials.clerk });

  let quoteSeq = 0;
  const quoteRequest = (): OneRequest => {
    // Spread over ~1 km around Marktplatz, inside the bicycle circle.
    const i = ++quoteSeq;
    const location = [NEAR[0] + ((i % 97) - 48) * 0.0002, NEAR[1] + ((i % 89) - 44) * 0.0001];
    return { method: 'POST', path: '/v1/quotes', headers: json(), body: JSON.stringify({ officeId, address: ADDRESS, location }) };
  };

  // One quote for all bookings (its TTL is raised to a day); windows from the quote's own delivery slots.
  const quote = await call<QuoteResponse>('POST', '/v1/quotes', { officeId, address: ADDRESS, location: NEAR });
  const windows = pickWindows(quote, 2);
  const pool: BenchBooking[] = [];
  let bookingSeq = 0;
  const bookingLoad = {
    next: (): OneRequest => {
      const n = ++bookingSeq;
      return {
        method: 'POST',
        path: '/v1/bookings',
        headers: json({ 'idempotency-key': `bench-${tag}-${n}` }),
        body: JSON.stringify({
          quoteId: quote.id,
          vehicleType: 'bike',
          applicationNumber: `B${tag.replace('_', '')}N${n}`.slice(0, 32),
          documentType: 'passport',
          recipient: RECIPIENT,
          address: ADDRESS,
          preferredWindows: windows,
          consent: { powerOfAttorney: true, textVersion: '2026-01' },
        }),
      };
    },
    onBody: (status: number, body: string) => {
      if (status !== 201) return;
      const created = JSON.parse(body) as CreatedBooking;
      pool.push({
        id: created.booking.id,
        officeId: created.booking.officeId,
        kassenzeichen: created.booking.kassenzeichen,
        amountCents: created.booking.amountCents,
        paymentIntentId: created.payment.paymentIntentId,
        trackingToken: created.trackingToken,
      });
    },
  };

  let trackSeq = 0;
  const trackRequest = (): OneRequest => {
    const booking = pool[trackSeq++ % pool.length];
    if (!booking) throw new Error('no bookings to track');
    return {
      method: 'GET',
      path: '/v1/tracking',
      headers: { 'x-forwarded-for': citizenAddress(), 'tracking-token': booking.trackingToken },
    };
  };

  const listRequest = (): OneRequest => ({ method: 'GET', path: '/v1/bookings', headers: { authorization: `Bearer ${clerk.token}` } });

  const stripe = new Stripe('sk_test_bench_unused');
  let eventSeq = 0;
  const paid = new Set<string>();
  const stripeEventBody = (booking: BenchBooking) =>
    JSON.stringify({
      id: `evt_bench_${tag}_r${measuring ?? 'x'}_${++eventSeq}`,
      object: 'event',
      api_version: '2025-01-27.acacia',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: 'payment_intent.succeeded',
      data: {
        object: {
          id: booking.paymentIntentId,
          object: 'payment_intent',
          amount: booking.amountCents,
          amount_received: booking.amountCents,
          currency: 'eur',
          status: 'succeeded',
          latest_charge: `ch_bench_${tag}_${eventSeq}`,
          metadata: { booking_id: booking.id, office_id: booking.officeId, kassenzeichen: booking.kassenzeichen },
        },
      },
    });
  const signedStripe = (payload: string): OneRequest => ({
    method: 'POST',
    path: '/v1/webhooks/stripe',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret }),
    },
    body: payload,
  });
  let stripeSeq = 0;
  const stripeEventRequest = (): OneRequest => {
    // Each booking once while there are unpaid ones; after that a second notice (another event id)
    // of a payment already known, which the platform answers `no_change`: counted in the checks.
    const booking = pool[stripeSeq++ % pool.length];
    if (!booking) throw new Error('no bookings to pay');
    paid.add(booking.id);
    return signedStripe(stripeEventBody(booking));
  };
  /** Pays one booking through the webhook (the courier route's set-up). */
  const payBooking = async (booking: BenchBooking) => {
    const req = signedStripe(stripeEventBody(booking));
    const res = await fetch(`${apiUrl}${req.path}`, { method: 'POST', headers: req.headers, body: req.body });
    if (res.status !== 200) throw new Error(`stripe event: ${res.status} ${await res.text()}`);
  };

  return {
    officeId,
    pool,
    quoteRequest,
    bookingLoad,
    trackRequest,
    listRequest,
    stripeEventRequest,
    payBooking,
    stripeEvents: { sent: () => eventSeq, distinct: () => paid.size },
  };
}

/** Vacuums and analyses the bench database, as an operator does after a bulk load. */
async function settleDatabase() {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe('vacuum (analyze)');
  } finally {
    await sql.end({ timeout: 5 });
  }
}

// ---------------------------------------------------------------------------------------------
// Checks, goals, output

async function verify() {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const bookings = await sql<
      { status: string; n: number }[]
    >`select status, count(*)::int as n from bookings group by status order by status`;
    report.checks.bookingsByStatus = Object.fromEntries(bookings.map((r) => [r.status, r.n]));
    const outcomes = await sql<{ run: string; outcome: string; n: number }[]>`
      select substring(id from ${`^evt_bench_${tag}_r([0-9]+)_`}) as run, outcome, count(*)::int as n
      from stripe_events where starts_with(id, ${`evt_bench_${tag}_`}) group by 1, 2 order by 1, 2`;
    report.checks.stripeEventOutcomes = {};
    for (const r of outcomes) {
      const row = r.run === null ? undefined : report.rows[Number(r.run)];
      const name = row ? `${row.operation} c=${row.connections}` : 'set-up';
      const into = ((report.checks.stripeEventOutcomes as Record<string, Record<string, number>>)[name] ??= {});
      into[r.outcome] = (into[r.outcome] ?? 0) + r.n;
    }
    if (wanted('stripeWebhook')) {
      // Every booking an event named during the stripeWebhook rows must now be paid (by that event).
      const measured = outcomes.filter((r) => r.run !== null && report.rows[Number(r.run)]?.operation === 'stripeWebhook');
      const paidByEvents = measured.filter((r) => r.outcome === 'booking_paid').reduce((a, r) => a + r.n, 0);
      const named = report.checks.stripeEvents as { distinctBookings: number } | undefined;
      const [paidNow] = await sql<{ n: number }[]>`select count(*)::int as n from bookings where status = 'paid'`;
      report.checks.paidBookings = {
        paidByTheMeasuredEvents: paidByEvents,
        distinctBookingsNamed: named?.distinctBookings,
        paidInDb: paidNow?.n,
      };
      if (paidByEvents !== named?.distinctBookings || (paidNow?.n ?? 0) < paidByEvents) {
        exitCode = 1;
        console.error(
          `FAILED: the Stripe events named ${named?.distinctBookings} bookings but paid ${paidByEvents} (paid in the database: ${paidNow?.n})`,
        );
      }
    }
    if (wanted('floorBooking')) {
      // The floor did its round trips: three rows and one completed claim per booking answered.
      const [floor] = await sql<{ bookings: number; payments: number; audits: number; completed: number }[]>`
        select (select count(*)::int from bench_floor where kind = 'booking') as bookings,
               (select count(*)::int from bench_floor where kind = 'payment') as payments,
               (select count(*)::int from bench_floor where kind = 'audit') as audits,
               (select count(*)::int from bench_floor_claim where response ? 'intent') as completed`;
      report.checks.floorBookingRows = floor;
      const answered = report.rows.filter((r) => r.operation === 'floorBooking').reduce((a, r) => a + r.result.totalResponses, 0);
      if (!floor || [floor.bookings, floor.payments, floor.audits, floor.completed].some((n) => n < answered)) {
        exitCode = 1;
        console.error(`FAILED: the booking floor answered ${answered} times but wrote ${JSON.stringify(floor)}`);
      }
    }
    if (wanted('courierEvent')) {
      const inbound = await sql<{ type: string; outcome: string; n: number }[]>`
        select type, outcome, count(*)::int as n from inbound_courier_events group by type, outcome order by type, outcome`;
      report.checks.courierEventOutcomes = Object.fromEntries(inbound.map((r) => [`${r.type} ${r.outcome}`, r.n]));
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

const baselineAtStart = (c: number) =>
  report.rows.find((r) => r.operation === 'baseline' && r.connections === c)?.result.reqPerSec ?? Number.NaN;

function evaluateGoals() {
  const goal = (g: string, row: Row, value: string, met: boolean) =>
    report.goals.push({ goal: g, row: `${row.operation} c=${row.connections}`, value, met });
  for (const row of report.rows) {
    // The floor is a yardstick, not the platform: no goal of the issue is its.
    if (row.operation === 'floorBooking') continue;
    const ratio = row.result.reqPerSec / (row.baselineBeside?.mean ?? Number.NaN);
    if ((row.operation === 'createQuote' || row.operation === 'trackBooking') && row.offeredRate === null) {
      goal('≥ 50 % of the bare insert', row, pct(ratio), ratio >= 0.5);
    }
    if (row.operation === 'createBooking') goal('≥ 25 % of the bare insert (with the sandbox)', row, pct(ratio), ratio >= 0.25);
    if (row.operation === 'createBookingAtRate') {
      const sustained = row.result.reqPerSec >= 0.95 * (row.offeredRate ?? 0);
      goal(
        `p99 < 50 ms at an offered ${row.offeredRate} req/s (and ≥ 95 % of it achieved)`,
        row,
        `p99 ${fmt(row.result.p99, 1)} ms at ${fmt(row.result.reqPerSec, 0)} req/s`,
        row.result.p99 < 50 && sustained,
      );
    }
    const { first, last } = row.result;
    const rps = last.reqPerSec / first.reqPerSec - 1;
    const p99 = last.p99 / first.p99 - 1;
    goal(
      `first vs last ${row.result.windowSeconds} s: req/s and p99 within 10 %`,
      row,
      `req/s ${signed(rps)}, p99 ${signed(p99)}`,
      rps >= -0.1 && p99 <= 0.1,
    );
  }
}

const FLOOR_OF: Partial<Record<Operation, Operation>> = { createBooking: 'floorBooking' };
/**
 * Each row against its floor, both as shares of the baseline beside them: the row and its floor
 * run minutes apart, and this machine's speed changes that much within minutes.
 */
function floorComparisons(): { row: string; value: string }[] {
  const out: { row: string; value: string }[] = [];
  const share = (r: Row) => r.result.reqPerSec / (r.baselineBeside?.mean ?? Number.NaN);
  for (const row of report.rows) {
    const floorOp = FLOOR_OF[row.operation];
    const floor = report.rows.find((r) => r.operation === floorOp && r.connections === row.connections);
    if (!floor) continue;
    out.push({
      row: `${row.operation} c=${row.connections}`,
      value: `${pct(share(row))} of the bare insert beside it; its floor ${pct(share(floor))} (${fmt(floor.result.reqPerSec, 0)} req/s, p99 ${fmt(floor.result.p99, 1)} ms): the row makes ${pct(share(row) / share(floor))} of its floor`,
    });
  }
  return out;
}

function printTable() {
  const window = report.rows[0]?.result.windowSeconds ?? 5;
  const table = report.rows.map((r) => {
    const res = r.result;
    const { first, last } = res;
    return {
      operation: r.operation,
      conns: r.offeredRate ? `${r.connections} @${r.offeredRate}/s` : String(r.connections),
      'req/s': Math.round(res.reqPerSec),
      'p50 ms': Number(fmt(res.p50, 1)),
      'p99 ms': Number(fmt(res.p99, 1)),
      'non-2xx': res.non2xx,
      'baseline before/after':
        r.baselineBeside === null ? '' : `${Math.round(r.baselineBeside.before)}/${Math.round(r.baselineBeside.after)}`,
      'vs baseline beside': r.baselineBeside === null ? '' : pct(res.reqPerSec / r.baselineBeside.mean),
      'platform CPU % meanwhile': r.baselineBeside === null ? '' : r.baselineBeside.platformCpu.join('/'),
      'vs baseline at start': r.operation === 'baseline' ? '' : pct(res.reqPerSec / baselineAtStart(r.connections)),
      [`req/s last ${window}s vs first`]: signed(last.reqPerSec / first.reqPerSec - 1),
      [`p99 last ${window}s vs first`]: signed(last.p99 / first.p99 - 1),
      'pg xacts/req ≈': Number(fmt(r.xactsPerRequest, 1)),
      'CPU % api/wrk/pg/gen': [r.cpu.api ?? r.cpu.baseline ?? 0, r.cpu.workers ?? 0, r.cpu.postgres ?? 0, r.cpu.loadgen ?? 0].join('/'),
    };
  });
  console.log(
    `\nbench:api: ${DURATION} s measured after a ${WARMUP} s warm-up per row; ratios to the bare baseline at the same connection count, measured for ${BESIDE_SECONDS} s just before and after each row (their mean: the goals) and at the start`,
  );
  console.table(table);
  const failed = report.rows.filter((r) => r.result.non2xx > 0);
  for (const r of failed)
    console.log(`  ${r.operation} c=${r.connections} non-2xx: ${JSON.stringify(r.result.statuses)} e.g. ${JSON.stringify(r.errorSamples)}`);
  const floors = floorComparisons();
  if (floors.length > 0) {
    console.log('\nThe floor (the same round trips without the work, bench/floors.ts), at the same connection count:');
    for (const f of floors) console.log(`  ${f.row.padEnd(20)} ${f.value}`);
  }
  console.log('\nGoals:');
  for (const g of report.goals) console.log(`  ${g.met ? 'met   ' : 'MISSED'}  ${g.goal.padEnd(62)} ${g.row.padEnd(28)} ${g.value}`);
  console.log('\nChecks:');
  for (const [k, v] of Object.entries(report.checks)) console.log(`  ${k}: ${JSON.stringify(v)}`);
  console.log('\nNotes:');
  for (const note of NOTES.filter((n) => n.when())) console.log(`  - ${note.text}`);
}

const NOTES = [
  {
    when: () => true,
    text: `citizen operations carry X-Forwarded-For from 256 addresses of 198.18.0.0/15 (TRUST_PROXY=127.0.0.1), so the rate limit (RATE_LIMIT_PER_MINUTE=100000, the configuration's maximum) is counted for every request (in Redis from leases, one script call per lease of an address) and never reached`,
  },
  {
    when: () => wanted('createBooking') || wanted('createBookingAtRate'),
    text: 'createBooking: one quote (QUOTE_TTL_MINUTES=1440), a new Idempotency-Key and application number per request, a passport, two windows from the quote’s delivery slots; the PaymentIntent is created in the offline Stripe sandbox, which runs inside the API process (its file store in DATA_DIR)',
  },
  {
    when: () => wanted('createBookingAtRate'),
    text: `createBookingAtRate: autocannon's overallRate gives each of the ${RATE_CONNECTIONS} connections ${Math.round(RATE / RATE_CONNECTIONS)} requests per second, sent back to back from the start of each second, so the offered ${RATE} req/s arrive in bursts once a second, not evenly spaced`,
  },
  {
    when: () => wanted('stripeWebhook'),
    text: 'stripeWebhook: signed payment_intent.succeeded (generateTestHeaderString) for the bookings created before, each once while unpaid ones are left (outcome booking_paid); past that, a further notice with a new event id of a payment already known (outcome no_change, a shorter path): see stripeEventOutcomes per row (warm-up included); --prefill SECONDS creates more bookings first',
  },
  {
    when: () => wanted('courierEvent'),
    text: 'courierEvent: signed (Standard Webhooks) stop.arrived, each with its own event id, for the stops of one route that was booked, paid, scanned in, planned, accepted (signed route.accepted) and handed over through the API; each is applied (id claimed, route row locked and read, stop checked). All of them lock the same route row',
  },
  {
    when: () => true,
    text: `listBookings: GET /v1/bookings (50 newest) as the demo clerk; trackBooking: GET /v1/tracking with the Tracking-Token header of the bookings created before`,
  },
];

function summariseProfile(dir: string) {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) {
    console.error(`--profile: no .cpuprofile in ${dir}`);
    return;
  }
  const profile: LoadedProfile = loadProfile(path.join(dir, file));
  const windows: Record<string, ProfileSummary> = { 'whole run': profile.summarise() };
  for (const row of report.rows) {
    if (row.operation === 'baseline') continue;
    windows[`${row.operation} c=${row.connections}`] = profile.summarise({
      fromUs: row.result.monotonicFromUs,
      toUs: row.result.monotonicToUs,
    });
  }
  report.profile = { file: profile.file, windows };
}

function printProfile() {
  const missedRows = report.rows.filter((r) => report.goals.some((g) => !g.met && g.row === rowName(r)));
  if (missedRows.length > 0) {
    console.log('\nWhat bounds the rows that missed a goal (CPU: % of one core over the run):');
    for (const row of missedRows) console.log(`  ${rowName(row).padEnd(26)} ${boundNote(row, report.profile?.windows[rowName(row)])}`);
    if (!report.profile) console.log('  (run with --profile for the API process’s own breakdown)');
  }
  if (!report.profile) return;
  console.log(`\nCPU profile of the API process: ${report.profile.file}`);
  console.log('(kept after the run; open it in Chrome DevTools › Performance or VS Code)');
  const missed = new Set(missedRows.map(rowName));
  for (const [name, s] of Object.entries(report.profile.windows)) {
    if (name !== 'whole run' && !missed.has(name)) continue;
    console.log(`\n  ${name}: ${fmt(s.sampledMs / 1000, 1)} s sampled, idle ${pct(s.idleShare)}`);
    console.log(
      `    by area: ${s.areas
        .slice(0, 8)
        .map((a) => `${a.area} ${pct(a.share)}`)
        .join(', ')}`,
    );
    console.log(`    top ${s.top.length} functions by self time:`);
    for (const t of s.top) console.log(`    ${pct(t.share).padStart(6)}  ${fmt(t.ms, 0).padStart(6)} ms  ${t.fn}  ${t.where}`);
  }
}

const rowName = (r: Row) => `${r.operation} c=${r.connections}`;

/** A plain reading of the CPU figures (and the profile, if taken): where the time of a row went. */
function boundNote(row: Row, profile: ProfileSummary | undefined): string {
  const api = row.cpu.api ?? 0;
  const pg = row.cpu.postgres ?? 0;
  const gen = row.cpu.loadgen ?? 0;
  const busy = profile ? 1 - profile.idleShare : null;
  const areas = profile
    ? `; its time: ${profile.areas
        .slice(0, 4)
        .map((a) => `${a.area} ${pct(a.share)}`)
        .join(', ')}`
    : '';
  const figures = `API ${api} %, PostgreSQL ${pg} %, load generator ${gen} %`;
  if (gen >= 85) return `${figures}: the load generator is saturated; the figure is a lower bound`;
  if ((busy ?? 0) >= 0.85 || api >= 85) {
    const starved = busy !== null && api < busy * 100 * 0.8;
    return (
      `${figures}: the API process's one thread is busy${busy !== null ? ` ${pct(busy)} of the time` : ''} (CPU-bound in the API)` +
      (starved ? `, and it got only ${api} % of CPU 0: PostgreSQL and other work on the machine took the rest` : '') +
      areas
    );
  }
  return `${figures}: the API is not CPU-bound${busy !== null ? ` (idle ${pct(1 - busy)})` : ''}; it waits on PostgreSQL, row locks or Redis${areas}`;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

interface QuoteResponse {
  id: string;
  deliverySlots: { timeZone: string; days: { date: string; windows?: { start: string; end: string }[] }[] };
}
interface CreatedBooking {
  booking: { id: string; officeId: string; kassenzeichen: string; amountCents: number };
  payment: { paymentIntentId: string };
  trackingToken: string;
}

/** The first offered windows of the quote's delivery days, from the second offered day on. */
export function pickWindows(quote: QuoteResponse, count: number) {
  const windows = quote.deliverySlots.days.flatMap((d) => d.windows ?? []).slice(2, 2 + count);
  if (windows.length === 0) throw new Error(`the quote offers no delivery windows: ${JSON.stringify(quote.deliverySlots).slice(0, 300)}`);
  return windows;
}

function readCredentials(dir: string): Record<string, string> {
  const text = readFileSync(demoCredentialsPath(dir), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.trim().split(/\s+/))
      .map(([user, password]) => [user ?? '', password ?? '']),
  );
}

export function httpClient(base: string) {
  return async <T>(method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> => {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : null) as T;
  };
}

async function waitForWorkers(redis: Redis, workers: Child) {
  const queues = QUEUE_NAMES.map((name) => new Queue(name, { connection: redis, prefix: queuePrefix }));
  try {
    const until = Date.now() + 60_000;
    for (;;) {
      const counts = await Promise.all(queues.map((q) => q.getWorkersCount()));
      if (counts.every((c) => c > 0)) return;
      if (Date.now() > until) throw new Error(`the workers did not register within 60 s:\n${workers.tail()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await Promise.all(queues.map((q) => q.close()));
  }
}

async function deleteKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

const fmt = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)} %` : '–');
const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)} %` : '–');
function log(line: string) {
  console.log(`[bench:api] ${line}`);
}

// ---------------------------------------------------------------------------------------------

try {
  await main();
  evaluateGoals();
  printTable();
  printProfile();
} catch (err) {
  exitCode = 1;
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  for (const c of children) console.error(`--- last output of ${c.name} (pid ${c.pid}) ---\n${c.tail()}`);
} finally {
  await cleanup.run();
  if (JSON_FILE) {
    writeFileSync(JSON_FILE, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`results written to ${JSON_FILE}`);
  }
  console.log(
    `cleaned up: database ${dbName} dropped, ${String(report.cleanup.redisKeysDeleted ?? 0)} Redis keys under ${queuePrefix}: deleted, ${dataDir} removed, child processes stopped`,
  );
}
process.exit(exitCode);
