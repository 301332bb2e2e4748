/**
 * Does BullMQ 6's PostgreSQL backend do what Amtsbote's queues use? One small check each: a job
 * scheduler (every), a cron scheduler with a time zone, priorities, the rate limiter, a flow
 * (parent after its children), deduplication, a custom backoff, DelayedError (moveToDelayed),
 * UnrecoverableError, QueueEvents, getJobCounts.
 *
 *   FEATURES_PG_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/queue-pg-features.ts
 *
 * A database of its own (bench_queue_features) is created and dropped. Needs `pg` (npm install
 * --no-save pg), like bench/queue-backends.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, FlowProducer, Queue, QueueEvents, UnrecoverableError, Worker, createPostgresBackend, type Job } from 'bullmq';
import postgres from 'postgres';

const ADMIN_URL = process.env.FEATURES_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'bench_queue_features';
const url = new URL(ADMIN_URL);
url.pathname = `/${DATABASE}`;
const connection = { connectionString: url.toString(), max: 6, migrate: true };
const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
await admin.unsafe(`create database ${DATABASE}`);

const results: { feature: string; ok: boolean; detail: string }[] = [];
const closers: (() => Promise<unknown>)[] = [];
async function check(feature: string, run: () => Promise<string>) {
  try {
    results.push({ feature, ok: true, detail: await run() });
  } catch (err) {
    results.push({ feature, ok: false, detail: (err as Error).message });
  }
}
function worker(name: string, processor: (job: Job, token?: string) => Promise<unknown>, opts: Record<string, unknown> = {}) {
  const w = new Worker(name, processor, { connection, ...opts }, createPostgresBackend);
  w.on('error', () => {});
  closers.push(() => w.close());
  return w;
}
function queue(name: string) {
  const q = new Queue(name, { connection }, createPostgresBackend);
  closers.push(() => q.close());
  return q;
}
async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

await check('job scheduler, every 300 ms', async () => {
  const q = queue('sched-every');
  const runs: number[] = [];
  worker('sched-every', async () => runs.push(Date.now()));
  await q.upsertJobScheduler('tick', { every: 300 }, { name: 'tick', data: {} });
  await until('3 runs', () => runs.length >= 3);
  const schedulers = await q.getJobSchedulers();
  await q.removeJobScheduler('tick');
  return `${runs.length} runs, gaps ${runs.slice(1).map((t, i) => t - (runs[i] ?? 0))} ms; getJobSchedulers: ${schedulers.length}`;
});

await check('cron scheduler with tz (as the nightly jobs)', async () => {
  const q = queue('sched-cron');
  await q.upsertJobScheduler('nightly', { pattern: '15 3 * * *', tz: 'Europe/Berlin' }, { name: 'n', data: {} });
  const [s] = await q.getJobSchedulers();
  const delayed = await q.getDelayed();
  return `next ${new Date(Number(s?.next)).toISOString()}, ${delayed.length} delayed job`;
});

await check('priorities', async () => {
  const q = queue('prio');
  for (const [i, priority] of [5, 1, 3, 2, 4].entries()) await q.add('p', { i, priority }, { priority });
  const order: number[] = [];
  worker('prio', async (job) => order.push(job.data.priority as number), { concurrency: 1 });
  await until('5 jobs', () => order.length === 5);
  if (order.join() !== '1,2,3,4,5') throw new Error(`order ${order}`);
  return `order ${order}`;
});

await check('rate limiter, max 5 per 1000 ms', async () => {
  const q = queue('limit');
  await q.addBulk(Array.from({ length: 12 }, (_, i) => ({ name: 'l', data: { i } })));
  const at: number[] = [];
  worker('limit', async () => at.push(Date.now()), { concurrency: 5, limiter: { max: 5, duration: 1_000 } });
  await until('12 jobs', () => at.length === 12, 15_000);
  const first = at[0] ?? 0;
  return `started at +${at.map((t) => t - first).join(', ')} ms`;
});

await check('flow: parent after its children', async () => {
  const flow = new FlowProducer({ connection }, createPostgresBackend);
  closers.push(() => flow.close());
  const order: string[] = [];
  worker('flow-children', async (job) => order.push(job.name));
  worker('flow-parent', async (job) => {
    order.push(job.name);
    return Object.values(await job.getChildrenValues()).length;
  });
  await flow.add({
    name: 'parent',
    queueName: 'flow-parent',
    children: [
      { name: 'child-a', queueName: 'flow-children', data: {} },
      { name: 'child-b', queueName: 'flow-children', data: {} },
    ],
  });
  await until('parent', () => order.includes('parent'));
  if (order.at(-1) !== 'parent') throw new Error(`order ${order}`);
  return `order ${order}`;
});

await check('deduplication (id, ttl)', async () => {
  const q = queue('dedup');
  const a = await q.add('d', {}, { deduplication: { id: 'same', ttl: 5_000 } });
  const b = await q.add('d', {}, { deduplication: { id: 'same', ttl: 5_000 } });
  const counts = await q.getJobCounts('waiting');
  if (a.id !== b.id || counts.waiting !== 1) throw new Error(`ids ${a.id} ${b.id}, waiting ${counts.waiting}`);
  return `second add returned the first job (${a.id}); waiting ${counts.waiting}`;
});

await check('custom backoff (backoffStrategy) and retries', async () => {
  const q = queue('backoff');
  const at: number[] = [];
  worker(
    'backoff',
    async () => {
      at.push(Date.now());
      if (at.length < 3) throw new Error('again');
    },
    { settings: { backoffStrategy: () => 200 } },
  );
  await q.add('b', {}, { attempts: 3, backoff: { type: 'custom' } });
  await until('3 attempts', () => at.length === 3);
  return `attempts at +${at.map((t) => t - (at[0] ?? 0)).join(', ')} ms`;
});

await check('DelayedError with moveToDelayed (as the planning worker)', async () => {
  const q = queue('move-delayed');
  const at: number[] = [];
  worker('move-delayed', async (job, token) => {
    at.push(Date.now());
    if (at.length === 1) {
      await job.moveToDelayed(Date.now() + 300, token);
      throw new DelayedError();
    }
  });
  const job = await q.add('m', {});
  await until('second run', async () => (await q.getJobState(job.id ?? '')) === 'completed');
  return `ran again after ${(at[1] ?? 0) - (at[0] ?? 0)} ms`;
});

await check('UnrecoverableError fails without retry', async () => {
  const q = queue('unrecoverable');
  worker('unrecoverable', async () => {
    throw new UnrecoverableError('bad payload');
  });
  const job = await q.add('u', {}, { attempts: 5 });
  await until('failed', async () => (await q.getJobState(job.id ?? '')) === 'failed');
  const after = await q.getJob(job.id ?? '');
  return `failed after ${after?.attemptsMade} attempt: ${after?.failedReason}`;
});

await check('QueueEvents completed / failed', async () => {
  const q = queue('events');
  const events = new QueueEvents('events', { connection }, createPostgresBackend);
  closers.push(() => events.close());
  await events.waitUntilReady();
  const seen: string[] = [];
  events.on('completed', ({ jobId }) => seen.push(`completed ${jobId}`));
  events.on('failed', ({ jobId }) => seen.push(`failed ${jobId}`));
  worker('events', async (job) => {
    if (job.name === 'bad') throw new Error('x');
  });
  await q.add('good', {});
  await q.add('bad', {});
  await until('2 events', () => seen.length === 2);
  return seen.join(', ');
});

await check('getJobCounts', async () => {
  const q = queue('counts');
  await q.add('c', {});
  await q.add('c', {}, { delay: 60_000 });
  return JSON.stringify(await q.getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed'));
});

for (const close of closers.reverse()) await close().catch(() => {});
console.table(results);
await sleep(300);
await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
await admin.end();
process.exit(results.every((r) => r.ok) ? 0 : 1);
