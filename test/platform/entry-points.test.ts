import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { scratchDirs } from '../helpers/scratch.ts';
import { TEST_REDIS_URL, testDatabaseUrl } from '../helpers/test-env.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const scratch = scratchDirs('amtsbote-entry-');
afterEach(scratch.removeAll);

/** Runs a process entry as `npm run start…` would (tsx), with only the given environment. */
function run(entry: string, env: Record<string, string>, killAfterMs = 60_000) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // A process that should have ended but runs on fails its test instead of hanging it.
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** The fatal lines of a pino log. */
const fatal = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { level: number; msg: string })
    .filter((l) => l.level === 60)
    .map((l) => l.msg);

describe('every process entry fails the same way', () => {
  it.each(['src/main.ts', 'src/server.ts', 'workers/main.ts'])(
    '%s: a bad configuration is a message on stderr naming the variable, and exit code 1',
    async (entry) => {
      const res = await run(entry, { PORT: 'eighty' });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^Invalid configuration:\n {2}PORT: /);
      expect(res.stdout).toBe('');
    },
  );

  it.each([
    ['src/server.ts', 'A separate API process'],
    ['workers/main.ts', 'A separate worker process'],
  ])('%s: without DATABASE_URL it refuses to start, saying to use npm start, exit code 1', async (entry, who) => {
    const res = await run(entry, {});
    expect(res.code).toBe(1);
    expect(fatal(res.stdout)).toEqual([
      `${who} needs DATABASE_URL (a PostgreSQL server). Without one, run everything in one process with \`npm start\`.`,
    ]);
  });

  it.each(['src/server.ts', 'workers/main.ts'])(
    '%s: a Redis that does not answer is a fatal line that says how to get one, exit code 1',
    async (entry) => {
      // Port 1 on loopback: nothing listens there.
      // A DATA_DIR of its own: the API process hosts the sandbox there, and locks it.
      const DATA_DIR = scratch.make();
      const res = await run(entry, { DATABASE_URL: testDatabaseUrl(), REDIS_URL: 'redis://:s3cret@127.0.0.1:1', DATA_DIR });
      expect(res.code).toBe(1);
      const [line, ...more] = fatal(res.stdout);
      expect(more).toEqual([]);
      expect(line).toMatch(/^Redis does not answer at redis:\/\/\*\*\*@127\.0\.0\.1:1 .*\n.*redis-server --daemonize yes/s);
      expect(res.stdout).not.toContain('s3cret');
    },
  );

  it(
    'src/main.ts: a second npm start or a command on the DATA_DIR of a running one is refused, naming DATA_DIR, exit code 1; the first runs on, and ends at once when its lock is taken',
    { timeout: 120_000 },
    async () => {
      const DATA_DIR = scratch.make();
      const env = { DATA_DIR, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: `test-entry-${process.pid}`, PORT: '0', STRIPE_SANDBOX_PORT: '0' };
      const first = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      first.stderr.on('data', (d: Buffer) => (err += d.toString()));
      try {
        let out = '';
        await new Promise<void>((resolve, reject) => {
          first.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes('Amtsbote is running')) resolve();
          });
          first.once('exit', (code) => reject(new Error(`the first npm start exited (${code}): ${out}`)));
        });
        const second = await run('src/main.ts', env, 40_000);
        expect(second.code).toBe(1);
        expect(fatal(second.stdout)).toEqual([
          expect.stringMatching(
            new RegExp(
              `^DATA_DIR ${DATA_DIR} is in use by another Amtsbote process \\(.*\\), and this one keeps the embedded PGlite database and the Stripe sandbox's file there`,
            ),
          ),
        ]);
        // The second opened nothing: no migration, no demo, no sandbox of its own.
        expect(second.stdout).not.toContain('database migrated');
        const address = /"api":"(http:[^"]+)\/v1"/.exec(out)?.[1];
        expect((await fetch(`${address}/health/ready`)).status).toBe(200);

        // A command on the embedded database (here db:migrate) is refused too.
        const migrate = await run('src/db/migrate.cli.ts', env, 40_000);
        expect(migrate.code).toBe(1);
        // What it waits for, then the refusal; no stack trace.
        expect(migrate.stderr.trim()).toMatch(
          /^DATA_DIR is locked; waiting up to \d+ s in case .*\nDATA_DIR .* is in use by another Amtsbote process \(.*\), and this one keeps the embedded PGlite database there[^\n]*$/,
        );
        expect((await fetch(`${address}/health/ready`)).status).toBe(200);

        // Its lock removed from under it, the first ends at once (exit code 1), without the graceful close.
        const exited = new Promise<number | null>((resolve) => first.once('exit', resolve));
        rmSync(path.join(DATA_DIR, 'amtsbote.lock'), { recursive: true });
        expect(await exited).toBe(1);
        expect(err).toMatch(/the lock on DATA_DIR \(.*amtsbote\.lock\) was lost/);
        expect(out).not.toContain('shutting down');
      } finally {
        first.kill('SIGTERM');
        await new Promise((resolve) => (first.exitCode === null ? first.once('exit', resolve) : resolve(null)));
      }
    },
  );

  it("custody:verify: a database server that does not answer is exit code 2, not the broken chain's 1", async () => {
    const res = await run('src/custody/custody-verify.cli.ts', { DATABASE_URL: 'postgres://postgres:s3cret@127.0.0.1:1/amtsbote' }, 40_000);
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toMatch(/^The database cannot be opened: .*ECONNREFUSED/);
    expect(res.stderr).not.toContain('s3cret');
  });
});
