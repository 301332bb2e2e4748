import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'bullmq';
import { pino } from 'pino';
import { afterAll, describe, expect } from 'vitest';
import { planJobId } from '../../src/planning/planning-jobs.ts';
import { createPlanningServices, startPlanningWorker } from '../../workers/planning.worker.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api, eventually, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import { createShift, futureDeliveryDate, insertReadyBooking, localWindow, NEARBY } from './helpers.ts';
import { must } from '../helpers/must.ts';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/planning-worker.child.ts');
const LOCK_MS = 1_000;
const STALLED_MS = 500;

/** Starts the child worker and resolves once it listens for jobs. */
function startChildWorker(p: TestPlatform): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, String(LOCK_MS), String(STALLED_MS)], {
    cwd: path.resolve(path.dirname(CHILD), '../../..'),
    env: {
      ...process.env,
      DATABASE_URL: p.config.env.DATABASE_URL,
      REDIS_URL: p.config.env.REDIS_URL,
      QUEUE_PREFIX: p.config.env.QUEUE_PREFIX,
      // Long enough that it is certainly still solving when it is killed.
      PLANNING_TIME_LIMIT_SECONDS: '60',
      PLANNING_ITERATIONS_PER_STOP: '0',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  must(child.stderr, 'child.stderr').on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    must(child.stdout, 'child.stdout').on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`child worker exited early (${code}): ${stderr}`)));
  });
}

const test = platformTest({ workers: false, env: { PLANNING_TIME_LIMIT_SECONDS: '1' } });

describe('a planning worker killed mid-solve', () => {
  let child: ChildProcess | undefined;
  let survivor: Worker | undefined;

  // Before the platform fixture closes (after the file's afterAll hooks).
  afterAll(async () => {
    child?.kill('SIGKILL');
    await survivor?.close();
  });

  test('loses its lock, and another worker takes the job over and finishes the same plan', { timeout: 60_000 }, async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const supervisor = await p.staff(['supervisor'], office.id);
    const date = futureDeliveryDate(5);
    const windows = [localWindow(date, '09:00', '14:00')];
    for (const location of NEARBY) await insertReadyBooking(p, office.id, { location, vehicleType: 'bike', windows });
    await createShift(p, office.id, supervisor.headers, { date, vehicleType: 'bike', vehicleCount: 2 });

    child = await startChildWorker(p);
    const created = await api(p, 'POST', `/v1/offices/${office.id}/plans`, { ...supervisor, body: { deliveryDate: date } });
    expect(created.status).toBe(202);

    // Progress shows through the API while the child solves.
    const running = await eventually(
      () => api(p, 'GET', `/v1/offices/${office.id}/plans/${date}`, supervisor),
      (r) => r.body.status === 'running' && r.body.progress?.iterations > 0,
      20_000,
    );
    expect(running.body.id).toBe(created.body.plan.id);
    expect(running.body.progress.percent).toBeGreaterThanOrEqual(0);
    expect(running.body.progress.percent).toBeLessThan(100);

    const exited = new Promise((resolve) => must(child, 'child').once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const job = must(
      await p.queues.queue('planning').getJob(planJobId(office.id, date)),
      "await p.queues.queue('planning').getJob(planJobId(office.id, date))",
    );
    expect(await job.getState()).toBe('active');

    const logger = pino({ level: 'silent' });
    survivor = await startPlanningWorker({
      connection: p.redis,
      prefix: p.config.env.QUEUE_PREFIX,
      queues: p.queues,
      logger,
      ...createPlanningServices(p.config.planning, p.db, p.queues, () => new Date(), 30),
      lockDurationMs: LOCK_MS,
      stalledIntervalMs: STALLED_MS,
    });

    const done = await eventually(
      () => api(p, 'GET', `/v1/offices/${office.id}/plans/${date}`, supervisor),
      (r) => r.body.status === 'draft',
      20_000,
    );
    expect(done.body.id).toBe(created.body.plan.id);
    expect(done.body.stats).toMatchObject({ stops: NEARBY.length, assigned: NEARBY.length });
    const finished = must(
      await p.queues.queue('planning').getJob(planJobId(office.id, date)),
      "await p.queues.queue('planning').getJob(planJobId(office.id, date))",
    );
    expect(await finished.getState()).toBe('completed');
    expect(finished.returnvalue).toMatchObject({ outcome: 'draft', planId: created.body.plan.id });
    // Taken over as stalled, not retried as a failure.
    expect(finished.attemptsMade).toBeLessThanOrEqual(1);
    expect(finished.stalledCounter).toBe(1);
  });
});
