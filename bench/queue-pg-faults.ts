/**
 * Two faults on BullMQ 6's PostgreSQL backend, against a throwaway PostgreSQL server:
 *
 * 1. a worker process SIGKILLed in the middle of a job: is the job taken over (stalled check) by
 *    another worker, and after how long? Once with BullMQ's defaults (lockDuration 30 s,
 *    stalledInterval 30 s), once with lockDuration 5 s / stalledInterval 2 s;
 * 2. PostgreSQL restarted under a running worker and producer: do they reconnect, are jobs lost?
 *
 *   FAULT_PG_URL=postgres://postgres@127.0.0.1:5499/postgres \
 *   FAULT_PG_RESTART='su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D /tmp/pgfault/data -m fast -w restart"' \
 *   npx tsx bench/queue-pg-faults.ts [--skip-defaults (no 30 s / 30 s run)] [--restart-only]
 *
 * The server is restarted by FAULT_PG_RESTART: never point this at a shared server. Needs `pg`
 * (npm install --no-save pg), like bench/queue-backends.ts.
 */
import { execSync, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents, Worker, createPostgresBackend } from 'bullmq';
import postgres from 'postgres';

const ADMIN_URL = process.env.FAULT_PG_URL ?? 'postgres://postgres@127.0.0.1:5499/postgres';
const RESTART = process.env.FAULT_PG_RESTART;
const DATABASE = 'bench_queue_faults';
const dbUrl = new URL(ADMIN_URL);
dbUrl.pathname = `/${DATABASE}`;
const connection = { connectionString: dbUrl.toString(), max: 4, migrate: true };

// The child: a worker that takes one job, says so, and hangs in it until it is killed.
if (process.argv.includes('--child')) {
  const i = process.argv.indexOf('--child');
  const [queueName, lockDuration, stalledInterval] = process.argv.slice(i + 1, i + 4);
  const worker = new Worker(
    queueName ?? 'missing',
    async (job) => {
      process.stdout.write(`started ${job.id}\n`);
      await new Promise(() => {});
    },
    { connection, lockDuration: Number(lockDuration), stalledInterval: Number(stalledInterval) },
    createPostgresBackend,
  );
  worker.on('error', (err) => process.stderr.write(`child worker error: ${err.message}\n`));
  await new Promise(() => {});
}

const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
await admin.unsafe(`create database ${DATABASE}`);
const report: Record<string, unknown>[] = [];

async function killedWorker(lockDuration: number, stalledInterval: number) {
  const name = `killed-${lockDuration}`;
  const queue = new Queue(name, { connection }, createPostgresBackend);
  const events = new QueueEvents(name, { connection }, createPostgresBackend);
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  const seen: string[] = [];
  let killedAt = 0;
  events.on('stalled', ({ jobId }) => seen.push(`stalled ${jobId} +${Date.now() - killedAt} ms`));
  events.on('completed', ({ jobId }) => seen.push(`completed ${jobId} +${Date.now() - killedAt} ms`));
  const job = await queue.add('slow', { n: 1 }, { attempts: 3 });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', name, String(lockDuration), String(stalledInterval)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => b.toString().includes(`started ${job.id}`) && resolve());
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before taking the job`)));
  });
  child.removeAllListeners('exit');
  child.kill('SIGKILL');
  killedAt = Date.now();
  let takenAt = 0;
  const rescuer = new Worker(
    name,
    async () => {
      takenAt = Date.now();
      await sleep(100);
      return 'rescued';
    },
    { connection, lockDuration, stalledInterval },
    createPostgresBackend,
  );
  rescuer.on('error', (err) => seen.push(`rescuer error: ${err.message}`));
  const deadline = Date.now() + lockDuration + 2 * stalledInterval + 30_000;
  while (Date.now() < deadline && (await queue.getJobState(job.id ?? '')) !== 'completed') await sleep(200);
  const after = await queue.getJob(job.id ?? '');
  report.push({
    test: `SIGKILL mid-job, lockDuration ${lockDuration} ms, stalledInterval ${stalledInterval} ms`,
    state: await queue.getJobState(job.id ?? ''),
    'taken over after ms': takenAt ? takenAt - killedAt : 'never',
    attemptsStarted: after?.attemptsStarted,
    attemptsMade: after?.attemptsMade,
    stalledCounter: after?.stalledCounter,
    returnvalue: after?.returnvalue,
    events: seen.join('; '),
  });
  await Promise.all([rescuer.close(), events.close()]);
  await queue.close();
}

async function restartedServer() {
  if (!RESTART) {
    report.push({ test: 'PostgreSQL restart', skipped: 'FAULT_PG_RESTART not set' });
    return;
  }
  const name = 'restart';
  const queue = new Queue(name, { connection }, createPostgresBackend);
  const errors = new Map<string, number>();
  const note = (what: string) => errors.set(what, (errors.get(what) ?? 0) + 1);
  queue.on('error', (err) => note(`queue: ${err.message}`));
  const done = new Set<string>();
  const completedAt = new Map<string, number>();
  const worker = new Worker(
    name,
    async (job) => {
      await sleep(50);
      return job.data;
    },
    // A short lock, so that a job whose lock was lost in the restart is taken over within the test.
    { connection: { ...connection, max: 6 }, concurrency: 4, lockDuration: 5_000, stalledInterval: 2_000 },
    createPostgresBackend,
  );
  worker.on('error', (err) => note(`worker: ${err.message}`));
  worker.on('completed', (job) => {
    done.add(String(job.id));
    completedAt.set(String(job.id), Date.now());
  });
  await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
  const added: string[] = [];
  const addedAt: number[] = [];
  let addFailures = 0;
  let stop = false;
  // A producer adding a job every 50 ms for the whole test, retrying nothing: a failed add is counted.
  const producing = (async () => {
    let i = 0;
    while (!stop) {
      try {
        const job = await queue.add('tick', { i: i++ });
        added.push(String(job.id));
        addedAt.push(Date.now());
      } catch (err) {
        addFailures++;
        note(`add: ${(err as Error).message}`);
      }
      await sleep(50);
    }
  })();
  await sleep(2_000);
  const restartStart = Date.now();
  execSync(RESTART, { stdio: 'ignore' });
  const restartedAt = Date.now();
  const firstCompletionAfter = () => Math.min(...[...completedAt.values()].filter((at) => at > restartedAt));
  for (let waited = 0; waited < 60_000 && !Number.isFinite(firstCompletionAfter()); waited += 100) await sleep(100);
  await sleep(5_000);
  stop = true;
  await producing;
  const firstAddAfter = addedAt.find((at) => at > restartedAt);
  // Everything added should be done after a grace period.
  for (let waited = 0; waited < 30_000 && added.some((id) => !done.has(id)); waited += 200) await sleep(200);
  const missing = added.filter((id) => !done.has(id));
  const states: Record<string, number> = {};
  for (const id of missing) {
    const job = await queue.getJob(id);
    const s = `${await queue.getJobState(id)}${job?.failedReason ? ` (${job.failedReason}; attemptsMade ${job.attemptsMade})` : ''}`;
    states[s] = (states[s] ?? 0) + 1;
  }
  report.push({
    test: 'PostgreSQL restarted (pg_ctl -m fast) under a worker (concurrency 4, lockDuration 5 s) and a producer (a job every 50 ms)',
    'restart took ms': restartedAt - restartStart,
    'first add after restart, ms after': firstAddAfter ? firstAddAfter - restartedAt : 'none',
    'first completion after restart, ms after': Number.isFinite(firstCompletionAfter()) ? firstCompletionAfter() - restartedAt : 'none',
    'jobs added': added.length,
    'adds that threw': addFailures,
    'added but not completed 30 s later': missing.length,
    'their states': JSON.stringify(states),
    errors: [...errors].map(([k, v]) => `${v} × ${k}`).join('; '),
  });
  await worker.close();
  await queue.close();
}

try {
  if (!process.argv.includes('--skip-defaults') && !process.argv.includes('--restart-only')) await killedWorker(30_000, 30_000);
  if (!process.argv.includes('--restart-only')) await killedWorker(5_000, 2_000);
  await restartedServer();
} finally {
  for (const r of report) console.log(JSON.stringify(r, null, 2));
  await sleep(500);
  await admin.unsafe(`drop database if exists ${DATABASE} with (force)`).catch((err: Error) => console.error(err.message));
  await admin.end();
}
process.exit(0);
