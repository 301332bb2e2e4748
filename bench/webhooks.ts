/**
 * Outbound webhook benchmark against the machine's real PostgreSQL and Redis (as the tests use):
 *
 * 1. throughput: signed deliveries per second to a local receiver that verifies every message
 *    with the independent `standardwebhooks` package and answers 204;
 * 2. a receiver failing 30 % of requests (500, 429 with Retry-After, answers after the timeout,
 *    connection resets): events lost and events taking effect twice (the receiver dedupes by
 *    webhook-id, as the spec asks), events sent under one id with different bodies, dead letters.
 *
 *   npm run bench:webhooks -- [--events 2000] [--failing-events 1000] [--concurrency 32]
 *
 * Database: BENCH_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/amtsbote_bench (created
 * and migrated); Redis: REDIS_URL or redis://127.0.0.1:6379 under a queue prefix of its own.
 */
import { randomBytes } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import postgres from 'postgres';
import { pino } from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { createCouriersRepository } from '../src/couriers/couriers.repository.ts';
import { generateSigningSecret } from '../src/couriers/webhook-signature.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { connectRedis } from '../src/infra/redis.ts';
import { createQueues } from '../src/jobs/queues.ts';
import { appendOutboundEvent } from '../src/webhooks/outbox.ts';
import { createWebhookRelay } from '../src/webhooks/webhook-relay.ts';
import { createWebhooksDelivery } from '../src/webhooks/webhooks.wiring.ts';
import { outboundEvents } from '../src/webhooks/webhooks.table.ts';
import { startWebhooksWorkers } from '../workers/webhooks.worker.ts';
import { startReceiver, type Behaviour } from '../test/helpers/webhook-receiver.ts';

const flag = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a whole number`);
  return v;
};
const EVENTS = flag('events', 2000);
const FAILING_EVENTS = flag('failing-events', 1000);
const CONCURRENCY = flag('concurrency', 32);
const TIMEOUT_MS = 300;

const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/amtsbote_bench';
if (!process.env.BENCH_DATABASE_URL) {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const admin = postgres(u.toString(), { max: 1, onnotice: () => {} });
  const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
  if (!exists) await admin.unsafe(`create database ${name}`);
  await admin.end();
}

const config = loadConfig({
  REDIS_URL: process.env.REDIS_URL,
  QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  // Milliseconds instead of hours, 8 attempts as in production.
  WEBHOOK_RETRY_DELAYS_MS: '20,50,100,200,400,800,1000',
  WEBHOOK_RETRY_AFTER_MAX_SECONDS: '1',
  WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
  WEBHOOK_RELAY_EVERY_MS: '200',
  WEBHOOK_CONCURRENCY: String(CONCURRENCY),
});
const database = await openDatabase({ url, dataDir: '.data', maxConnections: 20 });
await database.migrate();
const db = database.db;
const redis = await connectRedis(config.env.REDIS_URL);
const queues = createQueues(redis, config.env.QUEUE_PREFIX);
const relay = createWebhookRelay({ db, queues });
const clock = () => new Date();
const workers = await startWebhooksWorkers({
  connection: redis,
  prefix: config.env.QUEUE_PREFIX,
  queues,
  delivery: createWebhooksDelivery({ db, config: config.webhooks, clock }),
  relay,
  concurrency: config.webhooks.concurrency,
  relayEveryMs: config.webhooks.relayEveryMs,
  retryDelaysMs: config.webhooks.retryDelaysMs,
  logger: pino({ level: 'silent' }),
});

async function run(label: string, n: number, behaviour: Behaviour) {
  const secret = generateSigningSecret();
  const receiver = await startReceiver(() => secret, behaviour);
  const repo = createCouriersRepository(db);
  const company = await repo.insertCompany({
    name: `Bench ${label}`,
    vehicleTypes: ['bike'],
    zoneIds: [],
    pricePerDeliveryCents: 0,
    pricePerFailedAttemptCents: 0,
    contactName: 'Bench',
    contactEmail: 'bench@example.org',
    webhookUrl: receiver.url,
  });
  await repo.insertSigningSecret({ companyId: company.id, secret });

  const ids: string[] = [];
  for (let i = 0; i < n; i += 100) {
    await db.transaction(async (tx) => {
      for (let j = i; j < Math.min(n, i + 100); j++) {
        const data = { routeId: `route-${j}`, version: 1, stops: [{ recipient: 'Erika Mustermann', street: 'Marktplatz 1' }] };
        ids.push((await appendOutboundEvent(tx as unknown as Database, { companyId: company.id, type: 'route.offered', data })).id);
      }
    });
  }
  const started = performance.now();
  await relay.relayPending();
  const settled = (status: 'delivered' | 'dead') =>
    db
      .select({ n: count() })
      .from(outboundEvents)
      .where(and(eq(outboundEvents.companyId, company.id), eq(outboundEvents.status, status)));
  let delivered = 0;
  let dead = 0;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    delivered = (await settled('delivered'))[0]?.n ?? 0;
    dead = (await settled('dead'))[0]?.n ?? 0;
    if (delivered + dead >= n) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  // Let answers that come after the timeout land before counting.
  await new Promise((r) => setTimeout(r, TIMEOUT_MS * 3));

  const known = new Set(ids);
  const bodies = new Map<string, Set<string>>();
  for (const r of receiver.receptions) bodies.set(r.id, (bodies.get(r.id) ?? new Set()).add(r.body));
  const deadIds = new Set(
    (
      await db
        .select({ id: outboundEvents.id })
        .from(outboundEvents)
        .where(and(eq(outboundEvents.companyId, company.id), eq(outboundEvents.status, 'dead')))
    ).map((r) => r.id),
  );
  // Lost: never took effect at the receiver and not dead-lettered either (a dead event is visible and replayable).
  const lost = ids.filter((id) => !receiver.processed.has(id) && !deadIds.has(id)).length;
  const result = {
    events: n,
    seconds: Number(seconds.toFixed(2)),
    deliveriesPerSecond: Math.round(delivered / seconds),
    deliveredInDb: delivered,
    deadInDb: dead,
    requests: receiver.receptions.length,
    signatureFailures: receiver.receptions.filter((r) => !r.verified).length,
    lost,
    idsWithDifferentBodies: [...bodies.values()].filter((b) => b.size > 1).length,
    unknownIds: [...bodies.keys()].filter((id) => !known.has(id)).length,
    /** 2xx answers to an id already accepted (its answer had come too late): without the receiver's dedupe, these would take effect twice. */
    redeliveriesAbsorbedByDedupe: [...receiver.accepted.values()].reduce((a, c) => a + c - 1, 0),
    deadButTookEffect: [...deadIds].filter((id) => receiver.processed.has(id)).length,
    deadNeverReceived: [...deadIds].filter((id) => !receiver.processed.has(id)).length,
  };
  await receiver.close();
  return result;
}

try {
  const clean = await run('throughput', EVENTS, () => ({ status: 204 }));
  console.log(`\n1. ${EVENTS} events, receiver answers 204, concurrency ${CONCURRENCY}`);
  console.table(clean);

  // mulberry32: a small deterministic generator, so runs are comparable.
  let seed = 42;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const kinds = { http500: 0, http429: 0, timeout: 0, reset: 0, ok: 0 };
  const failing = await run('failing', FAILING_EVENTS, () => {
    const r = random();
    if (r < 0.075) return (kinds.http500++, { status: 500 });
    if (r < 0.15) return (kinds.http429++, { status: 429, headers: { 'retry-after': '1' } });
    // Accepted (the effect happens) but the answer comes after the sender's timeout.
    if (r < 0.225) return (kinds.timeout++, { status: 200, delayMs: TIMEOUT_MS + 200 });
    if (r < 0.3) return (kinds.reset++, { status: 0, reset: true });
    return (kinds.ok++, { status: 200 });
  });
  console.log(`\n2. ${FAILING_EVENTS} events, receiver failing 30 % of requests`);
  console.table(kinds);
  console.table(failing);
  const bad = failing.lost + failing.idsWithDifferentBodies + failing.unknownIds + failing.signatureFailures;
  if (clean.lost || clean.signatureFailures || clean.deadInDb || bad) {
    console.error('FAILED: events lost, duplicated under other ids, or unverifiable');
    process.exitCode = 1;
  }
} finally {
  await Promise.all(workers.map((w) => w.close()));
  for (const name of ['webhooks', 'webhooks-relay'] as const) await queues.queue(name).obliterate({ force: true });
  await queues.close();
  redis.disconnect();
  await database.close();
}
