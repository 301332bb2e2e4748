/**
 * A whole day under faults (`npm run soak`): proves on this machine that nothing is lost or
 * doubled. It starts its own PostgreSQL and Redis (so it may crash them), the Stripe sandbox in a
 * process of its own, two API processes behind a load balancer and two worker processes, and the
 * reference courier company answering 30 % of the platform's webhooks with 500, 429 or too late.
 * Then it drives bookings through the whole flow (driver.ts) while it SIGKILLs a random API or
 * worker process every few seconds and starts it again, restarts Redis twice and PostgreSQL once,
 * and lets Stripe's webhooks arrive late, twice and out of order. At the end it checks the
 * invariants (invariants.ts), prints them as figures, and exits 1 when one breaks.
 *
 *   npm run soak -- [--bookings 10000] [--per-day 500] [--kill-every 6] [--seed 1] [--width 12] [--keep]
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { pino } from 'pino';
import Stripe from 'stripe';
import { createAuthService } from '../../src/auth/auth.service.ts';
import { createCourierSim, type CourierSim } from '../../src/courier-sim/courier-sim.ts';
import { createCustodyRepository } from '../../src/custody/custody.repository.ts';
import { openDatabase } from '../../src/db/client.ts';
import { DEMO_OFFICE_LOCATION, seedDemoIfEmpty } from '../../src/demo/seed-demo.ts';
import { SANDBOX_SECRET_KEY } from '../../src/infra/payments.ts';
import { STRIPE_WEBHOOK_EVENTS } from '../../src/payments/stripe-gateway.ts';
import { createRng } from '../../src/routing/solver/prng.ts';
import { freePort } from '../api-processes.ts';
import { wholeNumberFlag } from '../flags.ts';
import { answers200, managedChild, sleep, type ManagedChild } from './children.ts';
import { createDriver, emptyFacts } from './driver.ts';
import { createApiClient, until } from './http.ts';
import { countBy, evaluate, excused, type Evidence } from './invariants.ts';
import { startProxy } from './proxy.ts';
import { createPostgres, createRedis } from './services.ts';

const BOOKINGS = wholeNumberFlag('bookings', 10_000);
const PER_DAY = wholeNumberFlag('per-day', 500);
const KILL_EVERY_S = wholeNumberFlag('kill-every', 6);
const SEED = wholeNumberFlag('seed', 1);
const WIDTH = wholeNumberFlag('width', 12);
const KEEP = process.argv.includes('--keep');

const t0 = Date.now();
const log = (message: string) => console.log(`[soak ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${message}`);
const rng = createRng(SEED);
const random = () => rng.next();

const dir = mkdtempSync(path.join(os.tmpdir(), 'amtsbote-soak-'));
const dataDir = path.join(dir, 'data');
mkdirSync(dataDir, { recursive: true });
const cleanup: Array<() => Promise<void> | void> = [];
let exitCode = 0;

async function main() {
  log(`${BOOKINGS} bookings, ${PER_DAY} per delivery day, a kill every ~${KILL_EVERY_S} s, seed ${SEED}; folder ${dir}`);
  const [pgPort, redisPort, sandboxPort, api1Port, api2Port] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);

  // 1. Own PostgreSQL and Redis.
  const pg = await createPostgres(dir, pgPort);
  cleanup.push(() => pg.child.stop('SIGINT'));
  const redis = createRedis(dir, redisPort);
  await redis.child.start();
  cleanup.push(() => redis.child.stop('SIGTERM'));
  log(`PostgreSQL on ${pgPort}, Redis on ${redisPort} (append-only)`);

  // 2. Schema, the demo office and the staff (the soak's own accounts).
  const database = await openDatabase({ url: pg.url, dataDir, maxConnections: 4 });
  cleanup.push(() => database.close());
  await database.migrate();
  const seeded = await seedDemoIfEmpty(database.db, new Date());
  if (!seeded) throw new Error('the soak database was not empty');
  const officeId = seeded.office.id;
  const auth = createAuthService({ db: database.db, clock: () => new Date(), sessionHours: 24 });
  const accounts: Record<string, { username: string; password: string }> = {};
  for (const [name, roles, office] of [
    ['admin', ['admin'], null],
    ['clerk', ['clerk'], officeId],
    ['colleague', ['clerk'], officeId],
    ['supervisor', ['supervisor'], officeId],
  ] as const) {
    const account = { username: `soak-${name}`, password: randomBytes(12).toString('base64url') };
    await auth.createStaffUser({ ...account, displayName: `Soak ${name}`, roles: [...roles], officeId: office, actorId: null });
    accounts[name] = account;
  }

  // 3. The load balancer (with the network's tricks on Stripe's webhooks) and the sandbox behind it.
  const proxy = await startProxy({
    upstreams: () => [
      { name: 'api-1', port: api1Port },
      { name: 'api-2', port: api2Port },
    ],
    chaos: { lateShare: 0.15, lateMs: [1_000, 8_000], twiceShare: 0.1 },
    random,
  });
  cleanup.push(() => proxy.close());
  const webhookSecret = `whsec_${randomBytes(24).toString('base64url')}`;
  const node = (script: string) => [process.execPath, '--import', 'tsx', script] as const;
  const sandbox = managedChild(
    {
      name: 'stripe-sandbox',
      command: node('')[0],
      args: node('src/stripe-sandbox/sandbox.cli.ts').slice(1),
      env: {
        ...process.env,
        STRIPE_SANDBOX_PORT: String(sandboxPort),
        STRIPE_SANDBOX_WEBHOOK_URL: `${proxy.url}/v1/webhooks/stripe`,
        STRIPE_WEBHOOK_SECRET: webhookSecret,
        STRIPE_SANDBOX_WEBHOOK_EVENTS: STRIPE_WEBHOOK_EVENTS.join(','),
      },
      ready: async (out) => out.includes('Offline Stripe sandbox running'),
    },
    dir,
  );
  await sandbox.start();
  cleanup.push(() => sandbox.stop());

  // 4. The platform, split: two API processes (the first migrates) and two worker processes.
  const env = {
    ...process.env,
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: 'soak',
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SEED_DEMO: 'never',
    STRIPE_SANDBOX: 'external',
    STRIPE_SANDBOX_PORT: String(sandboxPort),
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    // Every request of the soak comes from 127.0.0.1.
    RATE_LIMIT_PER_MINUTE: '100000',
    PLANNING_TIME_LIMIT_SECONDS: '3',
    PAYMENT_EXPIRY_MINUTES: '2',
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    WEBHOOK_RELAY_EVERY_MS: '250',
    WEBHOOK_TIMEOUT_MS: '3000',
    WEBHOOK_RETRY_DELAYS_MS: '500,1000,2000,4000,8000,15000,30000',
    WEBHOOK_RETRY_AFTER_MAX_SECONDS: '5',
    NOTIFICATIONS: 'off',
  };
  const apiChild = (name: string, port: number) =>
    managedChild(
      {
        name,
        command: process.execPath,
        args: node('src/server.ts').slice(1),
        env: { ...env, PORT: String(port) },
        ready: () => answers200(`http://127.0.0.1:${port}/health/ready`),
      },
      dir,
    );
  const workerChild = (name: string) =>
    managedChild(
      {
        name,
        command: process.execPath,
        args: node('workers/main.ts').slice(1),
        env,
        ready: async (out) => out.includes('workers running'),
      },
      dir,
    );
  const apis = [apiChild('api-1', api1Port), apiChild('api-2', api2Port)];
  const workers = [workerChild('worker-1'), workerChild('worker-2')];
  for (const c of [...apis, ...workers]) {
    await c.start();
    cleanup.push(() => c.stop('SIGTERM'));
  }
  log(`platform up: 2 API processes behind ${proxy.url}, 2 worker processes, sandbox on ${sandboxPort}`);

  // 5. Clients: stripe-node on the sandbox, staff signed in through the API, the courier company.
  const facts = emptyFacts();
  const call = createApiClient(proxy.url, facts);
  const stripe = new Stripe(SANDBOX_SECRET_KEY, { host: '127.0.0.1', port: sandboxPort, protocol: 'http', maxNetworkRetries: 3 });
  const signIn = async (name: string) => {
    const res = await call('POST', '/v1/auth/sessions', { body: accounts[name] });
    if (res.status !== 201 && res.status !== 200) throw new Error(`sign-in of ${name}: ${res.status}`);
    return { authorization: `Bearer ${res.body.token}` };
  };
  const [clerk, colleague, supervisor] = [await signIn('clerk'), await signIn('colleague'), await signIn('supervisor')];
  const admin = accounts.admin ?? { username: '', password: '' };
  const sim: CourierSim = createCourierSim(
    {
      platformUrl: proxy.url,
      register: {
        adminUsername: admin.username,
        adminPassword: admin.password,
        companyName: 'Soak Kurier',
        vehicleTypes: ['bike', 'ecar'],
      },
      office: { id: officeId },
      host: '127.0.0.1',
      port: 0,
      timeFactor: 600,
      outcomes: { failedStops: 0.1, failedIdentityChecks: 0.05 },
      declineShare: 0,
      // 30 % of the platform's webhooks: 10 % 500, 10 % 429, 10 % answered after the platform's timeout.
      receiver: { serverError: 0.1, throttled: 0.1, slow: 0.1, slowMs: 4_000, retryAfterSeconds: 1 },
      transport: 'signed',
      seed: SEED,
      pollMs: 500,
      doorSeconds: 120,
      courierRef: 'soak-rider-1',
      shiftDays: 0,
      shift: { vehicleCount: 1, capacity: 30 },
    },
    { logger: pino({ level: 'silent' }) },
  );
  await sim.start();
  cleanup.push(() => sim.close());

  // 6. The delivery days: the next open days the quote offers, after the first one.
  const quote = await call('POST', '/v1/quotes', {
    body: {
      officeId,
      address: { street: 'Marktplatz', houseNumber: '1', postalCode: '70173', city: 'Stuttgart' },
      location: DEMO_OFFICE_LOCATION,
    },
  });
  const openDays = (quote.body.deliverySlots.days as { date: string; windows?: unknown[] }[])
    .filter((d) => (d.windows ?? []).length > 0)
    .map((d) => d.date);
  const dayCount = Math.ceil(BOOKINGS / PER_DAY);
  const days = openDays.slice(1, 1 + dayCount);
  if (days.length < dayCount) throw new Error(`only ${days.length} open delivery days are offered, ${dayCount} needed`);
  const perVehicle = 25;
  for (const date of days) {
    const n = Math.min(PER_DAY, BOOKINGS);
    await sim.announceShift(date, 'bike', { vehicleCount: Math.ceil((n * 0.8) / perVehicle) + 1, capacity: 30 });
    await sim.announceShift(date, 'ecar', { vehicleCount: Math.ceil((n * 0.2) / perVehicle) + 1, capacity: 30 });
  }

  // 7. Chaos: a kill every few seconds; Redis and PostgreSQL restarted at chosen moments.
  const windows: Evidence['restartWindows'] = [];
  const kills: Record<string, number> = {};
  const restarts: string[] = [];
  let chaosOn = true;
  let chaosLock: Promise<void> = Promise.resolve();
  const exclusive = (work: () => Promise<void>) => (chaosLock = chaosLock.then(work, work));
  const platform: ManagedChild[] = [...apis, ...workers];
  const crash = async (child: ManagedChild, signal: NodeJS.Signals, pauseMs: number, what: string, kind: 'api' | 'service' | null) => {
    const from = Date.now();
    await child.stop(signal, 10_000);
    await sleep(pauseMs);
    await child.start();
    // After Redis or PostgreSQL, answers may still fail briefly while connections come back. A
    // worker answers no HTTP: its kill excuses no 5xx at all.
    if (kind) windows.push({ from, to: Date.now() + 5_000, what, kind });
  };
  const killer = (async () => {
    while (chaosOn) {
      await sleep(KILL_EVERY_S * 1000 * (0.5 + random()));
      if (!chaosOn) break;
      const victim = platform[Math.floor(random() * platform.length)] as ManagedChild;
      await exclusive(async () => {
        kills[victim.name] = (kills[victim.name] ?? 0) + 1;
        await crash(victim, 'SIGKILL', 300 + random() * 2_000, `SIGKILL ${victim.name}`, victim.name.startsWith('api') ? 'api' : null);
      });
    }
  })();
  // A supervisor (systemd, Kubernetes) starts a process again that died on its own; the soak does
  // too, so the run goes on, and counts it: a crash the soak did not cause is a finding.
  const crashes: string[] = [];
  for (const c of platform) {
    c.onCrash((code, signal) => {
      crashes.push(`${c.name} exited (${code ?? signal})`);
      log(`${c.name} crashed on its own (${code ?? signal}): restarting it`);
      void exclusive(() => c.start().catch((err: Error) => log(`${c.name} did not come back: ${err.message.slice(0, 200)}`)));
    });
  }
  const half = Math.floor(days.length / 2);
  const done = new Set<string>();
  const milestone = async (name: string, index: number) => {
    const restart =
      name === 'planning' && index === 0 && !done.has('redis-1')
        ? 'redis-1'
        : name === 'bookings-half' && index === half && !done.has('postgres')
          ? 'postgres'
          : name === 'delivering' && index === days.length - 1 && !done.has('redis-2')
            ? 'redis-2'
            : null;
    if (!restart) return;
    done.add(restart);
    await exclusive(async () => {
      log(`restarting ${restart === 'postgres' ? 'PostgreSQL (immediate shutdown: a crash)' : 'Redis'} (${name} of day ${index + 1})`);
      if (restart === 'postgres') await crash(pg.child, 'SIGQUIT', 1_000, 'PostgreSQL restart', 'service');
      else await crash(redis.child, 'SIGTERM', 1_000, `Redis restart ${restart}`, 'service');
      restarts.push(restart);
    });
  };

  // 8. Drive the days, two at a time.
  const sql = postgres(pg.url, { max: 4, onnotice: () => {} });
  cleanup.push(() => sql.end({ timeout: 2 }));
  // A citizen whose delivery failed picks a day two further on: not planned yet, as two days run at once.
  const dayAfter = (date: string) => days[days.indexOf(date) + 2] ?? null;
  const driver = createDriver({
    dayAfter,
    call,
    stripe,
    sql,
    officeId,
    clerk,
    colleague,
    supervisor,
    random,
    facts,
    centre: DEMO_OFFICE_LOCATION,
    log,
    milestone,
  });
  const driveStart = Date.now();
  let nextDay = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (nextDay < days.length) {
        const index = nextDay++;
        const count = Math.min(PER_DAY, BOOKINGS - index * PER_DAY);
        await driver.day(days[index] as string, index, count, WIDTH);
      }
    }),
  );
  const driveSeconds = (Date.now() - driveStart) / 1000;
  chaosOn = false;
  await killer;
  await chaosLock;
  log(`days driven in ${driveSeconds.toFixed(0)} s; settling (pending refunds and webhooks)`);

  // 9. Settle: owed refunds made, outbound webhooks delivered.
  await until(
    'refunds and webhooks to settle',
    async () =>
      (
        await sql<
          { n: number }[]
        >`select (select count(*) from refunds where status = 'pending') + (select count(*) from outbound_events where status = 'pending') as n`
      )[0]?.n,
    (n) => Number(n) === 0,
    180_000,
    1_000,
  ).catch((err: Error) => log(err.message));
  await sleep(3_000);

  // 10. Evidence and figures.
  const evidence = await collect(sql, stripe, database, {
    serverErrors: proxy.stats.serverErrors,
    windows,
    duplicateMismatches: facts.duplicateMismatches,
    doorsReported: sim.stats.delivered + sim.stats.failed,
  });
  const figures = evaluate(evidence);
  figures.push({ name: 'platform processes that crashed on their own', value: crashes.length, ok: crashes.length === 0 });
  figures.push({ name: 'steps that failed for good (see above)', value: facts.problems.length, ok: facts.problems.length === 0 });

  console.log('\n== what happened');
  console.log(
    `bookings made ${facts.bookingsCreated} of ${BOOKINGS} (refused ${facts.bookingsRefused}, quotes refused ${facts.quotesRefused}); repeated requests ${facts.duplicateRequests}`,
  );
  console.log(`payments ${JSON.stringify(facts.payments)}; cards declined ${facts.cardsDeclined}`);
  console.log(
    `scans ${facts.scans} (+${facts.rescans} twice), PIN letters ${facts.pinLetters}; plans requested ${facts.plansRequested} (failed ${facts.plansFailed}, stale at confirmation and planned again ${facts.plansStale})`,
  );
  console.log(
    `routes ${facts.routes} (not accepted ${facts.routesNotAccepted}), handovers ${facts.handovers}, returns ${facts.returns}, rescheduled after a failed attempt ${facts.reschedules}`,
  );
  console.log(`bookings by status ${JSON.stringify(countBy(evidence.bookings, (b) => b.status))}`);
  console.log(`kills ${JSON.stringify(kills)}; restarts ${restarts.join(', ')}; client retries in transit ${facts.transientRetries}`);
  if (crashes.length > 0) console.log(`crashed on their own: ${crashes.join('; ')}`);
  console.log(
    `load balancer: ${proxy.stats.requests} requests, ${proxy.stats.retriedOnRefused} sent on to the other API, Stripe webhooks late ${proxy.stats.webhooksLate}, twice ${proxy.stats.webhooksTwice}`,
  );
  console.log(`courier company: ${JSON.stringify(sim.stats)}`);
  console.log(`time: driving ${driveSeconds.toFixed(0)} s, all ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (facts.problems.length > 0) {
    console.log(`\n== steps that failed for good (${facts.problems.length}; by kind)`);
    for (const [line, n] of Object.entries(countBy(facts.problems, (p) => p.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id'))).slice(0, 20))
      console.log(`  ${n} × ${line}`);
  }
  const outsideErrors = evidence.serverErrors.filter((s) => !excused(s, evidence.restartWindows));
  for (const [line, n] of Object.entries(countBy(outsideErrors, (s) => `${s.status} ${s.source} ${s.path}`)))
    console.log(`  5xx outside a window: ${n} × ${line}`);

  console.log('\n== invariants');
  for (const f of figures) console.log(`${f.ok ? 'ok  ' : 'FAIL'}  ${f.name}: ${f.value}`);
  const failed = figures.filter((f) => !f.ok);
  console.log(failed.length === 0 ? '\nall invariants hold' : `\n${failed.length} invariant(s) broken`);
  if (failed.length > 0) exitCode = 1;
}

async function collect(
  sql: postgres.Sql,
  stripe: Stripe,
  database: Awaited<ReturnType<typeof openDatabase>>,
  seen: { serverErrors: Evidence['serverErrors']; windows: Evidence['restartWindows']; duplicateMismatches: number; doorsReported: number },
): Promise<Evidence> {
  const count = async (query: Promise<{ n: number }[]>) => Number((await query)[0]?.n ?? 0);
  const sandboxIntents: Evidence['sandboxIntents'] = [];
  for await (const pi of stripe.paymentIntents.list({ limit: 100 })) {
    sandboxIntents.push({ id: pi.id, bookingId: pi.metadata?.booking_id ?? null, status: pi.status, amountReceived: pi.amount_received });
  }
  const sandboxRefunds: Evidence['sandboxRefunds'] = [];
  for await (const r of stripe.refunds.list({ limit: 100 })) {
    const pi = typeof r.payment_intent === 'string' ? r.payment_intent : (r.payment_intent?.id ?? '');
    sandboxRefunds.push({
      id: r.id,
      paymentIntentId: pi,
      refundRowId: r.metadata?.refund_id ?? null,
      status: r.status ?? '',
      amount: r.amount,
    });
  }
  const custody = await createCustodyRepository(database.db).verify();
  return {
    bookings: (
      await sql<{ id: string; status: string; custody_holder: string | null }[]>`select id, status, custody_holder from bookings`
    ).map((b) => ({
      id: b.id,
      status: b.status,
      custodyHolder: b.custody_holder,
    })),
    payments: (
      await sql<
        {
          booking_id: string;
          payment_intent_id: string | null;
          status: string;
          amount_received_cents: number | null;
          amount_refunded_cents: number;
        }[]
      >`select booking_id, payment_intent_id, status, amount_received_cents, amount_refunded_cents from payments`
    ).map((p) => ({
      bookingId: p.booking_id,
      paymentIntentId: p.payment_intent_id,
      status: p.status,
      amountReceivedCents: p.amount_received_cents,
      amountRefundedCents: p.amount_refunded_cents,
    })),
    refunds: (
      await sql<
        { id: string; booking_id: string; status: string; amount_cents: number }[]
      >`select id, booking_id, status, amount_cents from refunds`
    ).map((r) => ({
      id: r.id,
      bookingId: r.booking_id,
      status: r.status,
      amountCents: r.amount_cents,
    })),
    sandboxIntents,
    sandboxRefunds,
    routesAcceptedTwice: await count(
      sql`select count(*)::int as n from (select route_id from route_offers where status = 'accepted' group by 1 having count(*) > 1) x`,
    ),
    attempts: { recorded: await count(sql`select count(*)::int as n from delivery_attempts`), reported: seen.doorsReported },
    outboundEvents: {
      pending: await count(sql`select count(*)::int as n from outbound_events where status = 'pending'`),
      dead: await count(sql`select count(*)::int as n from outbound_events where status = 'dead'`),
    },
    identityChecksTwice: await count(
      sql`select count(*)::int as n from (select booking_id, route_id, attempt from identity_checks group by 1, 2, 3 having count(*) > 1) x`,
    ),
    custodyEntriesTwice: await count(
      sql`select count(*)::int as n from (select booking_id, route_id, event from custody_log group by 1, 2, 3 having count(*) > 1) x`,
    ),
    custody: {
      ok: custody.ok,
      entries: 'entries' in custody ? Number(custody.entries) : undefined,
      reason: custody.ok ? undefined : JSON.stringify(custody).slice(0, 300),
    },
    serverErrors: seen.serverErrors,
    restartWindows: seen.windows,
    duplicateMismatches: seen.duplicateMismatches,
  };
}

try {
  await main();
} catch (err) {
  console.error(`soak failed: ${(err as Error).stack ?? String(err)}`);
  exitCode = 1;
} finally {
  for (const step of cleanup.reverse()) {
    try {
      await step();
    } catch (err) {
      console.error(`cleanup: ${(err as Error).message}`);
    }
  }
  if (KEEP || exitCode !== 0) console.log(`logs and data kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
  process.exit(exitCode);
}
