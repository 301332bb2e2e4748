/**
 * BullMQ on Redis and (BullMQ 6 only) on its PostgreSQL backend, with the same small jobs:
 *
 * 1. add, one job at a time (`await queue.add`), no worker running;
 * 2. add in bulk (`addBulk`, 1,000 a call), no worker running;
 * 3. processing the backlog of 1 + 2 with one worker at concurrency 10 (a no-op processor);
 * 4. latency from add to completion: jobs added at a steady rate while the worker runs;
 * 5. delayed jobs: jobs delayed 1 s, how late after their due time they start.
 *
 *   npm run bench:queues -- [--jobs 20000] [--single 5000] [--concurrency 10] [--paced 2000]
 *                           [--rate 500] [--delayed 200] [--delay-ms 1000] [--backend redis|postgres|both]
 *                           [--pg-async-commit] [--keep-count 10000]
 *
 * Redis: REDIS_URL or redis://127.0.0.1:6379, under a queue prefix of its own (obliterated at the
 * end). PostgreSQL: a database of its own, amtsbote_bench_queues on BENCH_PG_ADMIN_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres), created (BullMQ's migrations run) and dropped by
 * the script. The PostgreSQL backend needs the `pg` driver, which is not a dependency of the
 * project: `npm install --no-save pg` first, else that part is skipped with the reason.
 * Producer, worker and database share the machine: the figures compare backends, not capacity.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import * as bullmq from 'bullmq';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { wholeNumberFlag } from './flags.ts';

const JOBS = wholeNumberFlag('jobs', 20_000);
const SINGLE = wholeNumberFlag('single', 5_000);
const CONCURRENCY = wholeNumberFlag('concurrency', 10);
const PACED = wholeNumberFlag('paced', 2_000);
const RATE = wholeNumberFlag('rate', 500);
const DELAYED = wholeNumberFlag('delayed', 200);
const DELAY_MS = wholeNumberFlag('delay-ms', 1_000);
const BULK_CHUNK = 1_000;
const backendArg = process.argv.includes('--backend') ? process.argv[process.argv.indexOf('--backend') + 1] : 'both';
if (!['redis', 'postgres', 'both'].includes(backendArg ?? '')) throw new Error('--backend must be redis, postgres or both');
/** synchronous_commit = off on the bench database: no fsync wait per commit (a crash may lose the last ones). */
const PG_ASYNC_COMMIT = process.argv.includes('--pg-async-commit');

const require = createRequire(import.meta.url);
const BULLMQ_VERSION = (require('bullmq/package.json') as { version: string }).version;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PG_DATABASE = 'amtsbote_bench_queues';

interface BenchData {
  i: number;
  /** Date.now() when the producer called add. */
  t: number;
  delay?: number;
}
interface BenchJob {
  data: BenchData;
}
/** What the bench uses of a Queue and a Worker, the same on either backend. */
interface BenchQueue {
  add(name: string, data: BenchData, opts?: bullmq.JobsOptions): Promise<unknown>;
  addBulk(jobs: { name: string; data: BenchData; opts?: bullmq.BulkJobOptions }[]): Promise<unknown[]>;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}
interface BenchWorker {
  on(event: 'completed', listener: (job: BenchJob) => void): unknown;
  on(event: 'failed', listener: (job: BenchJob | undefined, err: Error) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  run(): Promise<void>;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}
type Processor = (job: BenchJob) => Promise<void>;
interface Backend {
  name: string;
  makeQueue(queueName: string): BenchQueue;
  makeWorker(queueName: string, processor: Processor): BenchWorker;
  teardown(queueNames: string[]): Promise<void>;
}

/** Completed jobs kept, as most queues in DEFAULT_JOB_OPTIONS do (a day, at most 10,000); 0: by age only. */
const KEEP_COUNT = process.argv.includes('--keep-count') ? Number(process.argv[process.argv.indexOf('--keep-count') + 1]) : 10_000;
if (!Number.isInteger(KEEP_COUNT) || KEEP_COUNT < 0) throw new Error('--keep-count must be a whole number');
const JOB_OPTIONS: bullmq.JobsOptions = {
  removeOnComplete: KEEP_COUNT > 0 ? { age: 24 * 3600, count: KEEP_COUNT } : { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

function redisBackend(): Backend {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = `bench-queues-${randomBytes(4).toString('hex')}`;
  const queues: bullmq.Queue[] = [];
  return {
    name: `bullmq ${BULLMQ_VERSION} on Redis`,
    makeQueue(queueName) {
      const q = new bullmq.Queue(queueName, { connection, prefix, defaultJobOptions: JOB_OPTIONS });
      queues.push(q);
      return q as unknown as BenchQueue;
    },
    makeWorker(queueName, processor) {
      return new bullmq.Worker(queueName, processor, {
        connection,
        prefix,
        concurrency: CONCURRENCY,
        autorun: false,
      }) as unknown as BenchWorker;
    },
    async teardown() {
      for (const q of queues) await q.obliterate({ force: true });
      await Promise.all(queues.map((q) => q.close()));
      connection.disconnect();
    },
  };
}

/** The PostgreSQL backend, or why it cannot run here. */
async function postgresBackend(): Promise<Backend | string> {
  const factory = (bullmq as { createPostgresBackend?: typeof bullmq.createPostgresBackend }).createPostgresBackend;
  if (!factory) return `bullmq ${BULLMQ_VERSION} has no PostgreSQL backend (createPostgresBackend)`;
  try {
    require.resolve('pg');
  } catch {
    return "the `pg` driver is not installed (npm install --no-save pg): BullMQ's PostgreSQL backend loads it lazily";
  }
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${PG_DATABASE} with (force)`);
  await admin.unsafe(`create database ${PG_DATABASE}`);
  if (PG_ASYNC_COMMIT) await admin.unsafe(`alter database ${PG_DATABASE} set synchronous_commit = off`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${PG_DATABASE}`;
  // migrate: true runs BullMQ's schema migrations on first connect (advisory-locked, idempotent).
  const connection = (max: number) => ({ connectionString: url.toString(), max, migrate: true });
  const closers: (() => Promise<void>)[] = [];
  return {
    name: `bullmq ${BULLMQ_VERSION} on PostgreSQL${PG_ASYNC_COMMIT ? ' (synchronous_commit off)' : ''}`,
    makeQueue(queueName) {
      const q = new bullmq.Queue(queueName, { connection: connection(4), defaultJobOptions: JOB_OPTIONS }, factory);
      closers.push(() => q.close());
      return q as unknown as BenchQueue;
    },
    makeWorker(queueName, processor) {
      // A pool slot per concurrent job and two for the worker's own bookkeeping; LISTEN has its own connection.
      return new bullmq.Worker(
        queueName,
        processor,
        { connection: connection(CONCURRENCY + 2), concurrency: CONCURRENCY, autorun: false },
        factory,
      ) as unknown as BenchWorker;
    },
    async teardown() {
      for (const close of closers) await close();
      // close() has sent the goodbyes; a forced drop before the server let go would fail them.
      for (let i = 0; i < 50; i++) {
        const [row] = await admin`select count(*)::int as n from pg_stat_activity where datname = ${PG_DATABASE}`;
        if (row?.n === 0) break;
        await sleep(100);
      }
      await admin.unsafe(`drop database if exists ${PG_DATABASE} with (force)`);
      await admin.end();
    },
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN);
const round = (n: number, digits = 0) => Number(n.toFixed(digits));

/** Failed jobs and worker errors of the whole run, by message (none is expected). */
const failures = new Map<string, number>();
const note = (what: string) => failures.set(what, (failures.get(what) ?? 0) + 1);

/** Counts finished jobs of one worker; `until(n)` resolves once n jobs have completed or failed. */
function watch(worker: BenchWorker, onCompleted: (job: BenchJob, now: number) => void = () => {}) {
  let finished = 0;
  let waiter: { n: number; resolve: () => void } | undefined;
  const done = () => {
    finished++;
    if (waiter && finished >= waiter.n) waiter.resolve();
  };
  worker.on('completed', (job) => {
    onCompleted(job, Date.now());
    done();
  });
  worker.on('failed', (_job, err) => {
    note(`job failed: ${err.message}`);
    done();
  });
  worker.on('error', (err) => note(`worker error: ${err.message}`));
  return {
    until: async (n: number, timeoutMs: number) => {
      await Promise.race([
        new Promise<void>((resolve) => {
          if (finished >= n) resolve();
          else waiter = { n, resolve };
        }),
        sleep(timeoutMs, undefined, { ref: false }).then(() => {
          throw new Error(`timed out after ${timeoutMs} ms with ${finished} of ${n} jobs finished`);
        }),
      ]);
    },
  };
}

async function measure(backend: Backend) {
  const run = randomBytes(3).toString('hex');
  const backlogName = `bench-backlog-${run}`;
  const pacedName = `bench-paced-${run}`;
  const delayedName = `bench-delayed-${run}`;
  const noop: Processor = async () => {};
  const result: Record<string, number | string> = { backend: backend.name };
  const progress = (phase: string) => console.log(`${backend.name}: ${phase}`, JSON.stringify(result));
  try {
    // 1 and 2: adds with no worker running.
    const backlog = backend.makeQueue(backlogName);
    await backlog.waitUntilReady();
    let t0 = performance.now();
    for (let i = 0; i < SINGLE; i++) await backlog.add('job', { i, t: Date.now() });
    result['add single jobs/s'] = round(SINGLE / ((performance.now() - t0) / 1000));
    t0 = performance.now();
    for (let start = 0; start < JOBS; start += BULK_CHUNK) {
      const chunk = Array.from({ length: Math.min(BULK_CHUNK, JOBS - start) }, (_, k) => ({
        name: 'job',
        data: { i: SINGLE + start + k, t: Date.now() },
      }));
      await backlog.addBulk(chunk);
    }
    result['add bulk jobs/s'] = round(JOBS / ((performance.now() - t0) / 1000));
    progress('adds');

    // 3: the backlog, one worker.
    const worker = backend.makeWorker(backlogName, noop);
    const counted = watch(worker);
    await worker.waitUntilReady();
    t0 = performance.now();
    const running = worker.run();
    await counted.until(SINGLE + JOBS, 300_000);
    result['process jobs/s'] = round((SINGLE + JOBS) / ((performance.now() - t0) / 1000));
    progress('backlog');
    await worker.close();
    await running;

    // 4: add → completion at a steady rate below what the worker manages.
    const paced = backend.makeQueue(pacedName);
    const latencies: number[] = [];
    const pacedWorker = backend.makeWorker(pacedName, noop);
    const pacedCounted = watch(pacedWorker, (job, now) => latencies.push(now - job.data.t));
    await Promise.all([paced.waitUntilReady(), pacedWorker.waitUntilReady()]);
    const pacedRunning = pacedWorker.run();
    await sleep(200);
    t0 = performance.now();
    for (let i = 0; i < PACED; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      await paced.add('job', { i, t: Date.now() });
    }
    await pacedCounted.until(PACED, 120_000);
    latencies.sort((a, b) => a - b);
    result[`latency p50 ms (${RATE}/s)`] = percentile(latencies, 50);
    result[`latency p99 ms (${RATE}/s)`] = percentile(latencies, 99);
    progress('paced');
    await pacedWorker.close();
    await pacedRunning;

    // 5: delayed jobs, how late they start after their due time.
    const delayed = backend.makeQueue(delayedName);
    const lateness: number[] = [];
    const delayedWorker = backend.makeWorker(delayedName, async (job) => {
      lateness.push(Date.now() - (job.data.t + (job.data.delay ?? 0)));
    });
    const delayedCounted = watch(delayedWorker);
    await Promise.all([delayed.waitUntilReady(), delayedWorker.waitUntilReady()]);
    const delayedRunning = delayedWorker.run();
    await sleep(200);
    const t = Date.now();
    await delayed.addBulk(
      Array.from({ length: DELAYED }, (_, i) => ({ name: 'job', data: { i, t, delay: DELAY_MS }, opts: { delay: DELAY_MS } })),
    );
    await delayedCounted.until(DELAYED, 60_000 + DELAY_MS);
    lateness.sort((a, b) => a - b);
    result['delayed late p50 ms'] = percentile(lateness, 50);
    result['delayed late p99 ms'] = percentile(lateness, 99);
    result['delayed late max ms'] = lateness.at(-1) ?? NaN;
    progress('delayed');
    await delayedWorker.close();
    await delayedRunning;
  } catch (err) {
    result.error = (err as Error).stack ?? String(err);
  } finally {
    result['failed jobs'] = [...failures].filter(([k]) => k.startsWith('job failed')).reduce((n, [, v]) => n + v, 0);
    for (const [what, n] of failures) console.error(`${backend.name}: ${n} × ${what}`);
    failures.clear();
    await backend.teardown([backlogName, pacedName, delayedName]).catch((err: Error) => {
      result.teardown = err.message;
    });
  }
  return result;
}

console.log(
  `bullmq ${BULLMQ_VERSION}: ${SINGLE} single adds, ${JOBS} bulk adds, concurrency ${CONCURRENCY}, ` +
    `${PACED} paced jobs at ${RATE}/s, ${DELAYED} jobs delayed ${DELAY_MS} ms, ` +
    `completed jobs kept ${KEEP_COUNT > 0 ? `at most ${KEEP_COUNT}` : 'by age only'}`,
);
const results: Record<string, number | string>[] = [];
if (backendArg !== 'postgres') results.push(await measure(redisBackend()));
if (backendArg !== 'redis') {
  const pg = await postgresBackend();
  if (typeof pg === 'string') results.push({ backend: `bullmq ${BULLMQ_VERSION} on PostgreSQL`, skipped: pg });
  else results.push(await measure(pg));
}
for (const r of results) {
  if (r.error) console.error(`${r.backend} FAILED:\n${r.error}`);
}
console.table(results.map(({ error, ...r }) => (error ? { ...r, error: String(error).split('\n')[0] } : r)));
process.exit(results.some((r) => r.error) ? 1 : 0);
