import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { DATA_DIR_LOCK, lockDataDir } from '../../src/infra/data-dir-lock.ts';
import { StartupError } from '../../src/infra/process.ts';
import { createPlatform } from '../../src/platform.ts';
import { createMemoryStore } from '../../src/stripe-sandbox/index.ts';
import { createLogCapture } from '../helpers/log-capture.ts';
import { scratchDirs } from '../helpers/scratch.ts';
import { TEST_REDIS_URL, testDatabaseUrl } from '../helpers/test-env.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const scratch = scratchDirs('amtsbote-lock-');
afterEach(scratch.removeAll);

const noLoss = (reason: string) => {
  throw new Error(`lock lost unexpectedly: ${reason}`);
};

/** A separate process that locks `dir` and says so; it never unlocks (the test kills it). */
function lockInChild(dir: string, staleMs: number) {
  const script = `
    const { lockDataDir } = await import(${JSON.stringify(path.join(ROOT, 'src/infra/data-dir-lock.ts'))});
    await lockDataDir({ dataDir: ${JSON.stringify(dir)}, holds: 'a test', staleMs: ${staleMs}, onLost() {} });
    console.log('locked');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`the locking child exited (${code})`)));
  });
  return { child, locked };
}

describe('one process per DATA_DIR', () => {
  it('a second lock is refused while the first is held and refreshed, naming DATA_DIR and what it keeps; after release it is taken', async () => {
    const dir = scratch.make();
    const first = await lockDataDir({ dataDir: dir, holds: 'the embedded PGlite database', staleMs: 4_000, onLost: noLoss });
    try {
      expect(statSync(path.join(dir, DATA_DIR_LOCK)).isDirectory()).toBe(true);
      const started = Date.now();
      const second = lockDataDir({ dataDir: dir, holds: 'the embedded PGlite database', staleMs: 4_000, onLost: noLoss });
      await expect(second).rejects.toBeInstanceOf(StartupError);
      await expect(second).rejects.toThrow(
        new RegExp(
          `^DATA_DIR ${dir} is in use by another Amtsbote process \\(its lock .* is being refreshed\\), and this one keeps the embedded PGlite database there`,
        ),
      );
      // Refused once it saw a refresh (every second here), well before the 4 s after which a silent lock would be taken.
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await first.release();
    }
    expect(existsSync(path.join(dir, DATA_DIR_LOCK))).toBe(false);
    const third = await lockDataDir({ dataDir: dir, holds: 'x', staleMs: 4_000, onLost: noLoss });
    await third.release();
  });

  it('a lock left by a killed process is taken over once it is stale, after a log line that says why the start waits', async () => {
    const dir = scratch.make();
    // 4 s: long enough that the start below surely finds it held (and says why it waits).
    const holder = lockInChild(dir, 4_000);
    await holder.locked;
    holder.child.kill('SIGKILL');
    await new Promise((resolve) => holder.child.once('exit', resolve));
    const said: string[] = [];
    const started = Date.now();
    const lock = await lockDataDir({ dataDir: dir, holds: 'x', staleMs: 4_000, onLost: noLoss, onWait: (m) => said.push(m) });
    try {
      // Stale after 4 s, then one refresh (1 s) and a half to be sure no other start took it too.
      expect(Date.now() - started).toBeLessThan(12_000);
      expect(said.some((l) => /DATA_DIR is locked; waiting up to [1-5] s/.test(l))).toBe(true);
    } finally {
      await lock.release();
    }
  });

  it('while a live process holds it, a start gives up with the refusal even when its holder is in another process', async () => {
    const dir = scratch.make();
    // A long stale time: a holder starved of CPU for a few seconds on a busy machine is still alive.
    const holder = lockInChild(dir, 8_000);
    try {
      await holder.locked;
      await expect(lockDataDir({ dataDir: dir, holds: 'x', staleMs: 8_000, onLost: noLoss })).rejects.toThrow(/is being refreshed/);
    } finally {
      holder.child.kill('SIGKILL');
    }
  });

  it('a lock taken from under the process (deleted here) is reported as lost', async () => {
    const dir = scratch.make();
    let lost: string | null = null;
    const lock = await lockDataDir({ dataDir: dir, holds: 'x', staleMs: 2_000, onLost: (reason) => (lost = reason) });
    rmSync(path.join(dir, DATA_DIR_LOCK), { recursive: true });
    await expect.poll(() => lost, { timeout: 5_000 }).toMatch(/^the lock on DATA_DIR \(.*amtsbote\.lock\) was lost/);
    await lock.release();
  });

  it('two starts taking over one stale lock: the one whose lock the other replaced goes back to waiting and is refused', async () => {
    const dir = scratch.make();
    const lockPath = path.join(dir, DATA_DIR_LOCK);
    mkdirSync(lockPath);
    const long = new Date(Date.now() - 60_000);
    utimesSync(lockPath, long, long);
    const pending = lockDataDir({ dataDir: dir, holds: 'x', staleMs: 4_000, onLost: noLoss });
    // Once it has taken the stale lock over (fresh again), do what a second start may do meanwhile:
    // remove it as stale too, make its own and keep it fresh.
    await expect.poll(() => statSync(lockPath).mtimeMs > Date.now() - 30_000, { timeout: 5_000, interval: 20 }).toBe(true);
    rmSync(lockPath, { recursive: true });
    mkdirSync(lockPath);
    const refresher = setInterval(() => {
      const now = new Date();
      utimesSync(lockPath, now, now);
    }, 300);
    try {
      await expect(pending).rejects.toThrow(/is being refreshed/);
    } finally {
      clearInterval(refresher);
    }
  });

  it('a second platform hosting the Stripe sandbox on the same DATA_DIR is refused before it opens anything; the first is not disturbed', async () => {
    const dir = scratch.make();
    const config = () =>
      loadConfig({
        DATA_DIR: dir,
        DATABASE_URL: testDatabaseUrl(),
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: `test-lock-${process.pid}`,
        PORT: '0',
        STRIPE_SANDBOX_PORT: '0',
        LOG_LEVEL: 'silent',
      });
    // As src/server.ts builds it: the API hosts the sandbox, its file in DATA_DIR.
    const first = await createPlatform(
      config(),
      { api: 'listen' },
      // Refreshed every second (the default: every 5 s), so the second start sees it alive sooner.
      { logger: createLogCapture().logger, database: { maxConnections: 2 }, dataDirLockStaleMs: 4_000 },
    );
    try {
      const logs = createLogCapture();
      await expect(createPlatform(config(), { api: 'listen' }, { logger: logs.logger, database: { maxConnections: 2 } })).rejects.toThrow(
        /^DATA_DIR .* is in use by another Amtsbote process \(.*\), and this one keeps the Stripe sandbox's file there/,
      );
      // It got no further than the lock: no database, no Redis, no sandbox of its own to close.
      expect(logs.lines.some((l) => l.includes('error while closing'))).toBe(false);
      const health = await fetch(`${first.address}/health/ready`);
      expect(health.status).toBe(200);
    } finally {
      await first.close();
    }
    expect(existsSync(path.join(dir, DATA_DIR_LOCK))).toBe(false);
  });

  it('npm start with embedded PGlite holds the lock; a platform on a PostgreSQL server with a sandbox in memory takes none', async () => {
    const dir = scratch.make();
    const logs = createLogCapture();
    const embedded = await createPlatform(
      loadConfig({ DATA_DIR: dir, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: `test-lock-${process.pid}-e`, LOG_LEVEL: 'silent' }),
      { api: 'none' },
      { logger: logs.logger, dataDirLockStaleMs: 8_000 },
    );
    try {
      expect(embedded.database.kind).toBe('pglite');
      await expect(lockDataDir({ dataDir: dir, holds: 'x', staleMs: 8_000, onLost: noLoss })).rejects.toThrow(/is being refreshed/);
    } finally {
      await embedded.close();
    }
    const server = await createPlatform(
      loadConfig({
        DATA_DIR: dir,
        DATABASE_URL: testDatabaseUrl(),
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: `test-lock-${process.pid}-s`,
        LOG_LEVEL: 'silent',
      }),
      { api: 'none', hostSandbox: true },
      { logger: logs.logger, database: { maxConnections: 2 }, sandbox: { store: createMemoryStore() } },
    );
    try {
      expect(existsSync(path.join(dir, DATA_DIR_LOCK))).toBe(false);
    } finally {
      await server.close();
    }
  });
});
