import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../helpers/test-env.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs a process entry as `npm run start…` would (tsx), with only the given environment. */
function run(entry: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
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
      const res = await run(entry, { DATABASE_URL: testDatabaseUrl(), REDIS_URL: 'redis://:s3cret@127.0.0.1:1' });
      expect(res.code).toBe(1);
      const [line, ...more] = fatal(res.stdout);
      expect(more).toEqual([]);
      expect(line).toMatch(/^Redis does not answer at redis:\/\/\*\*\*@127\.0\.0\.1:1 .*\n.*redis-server --daemonize yes/s);
      expect(res.stdout).not.toContain('s3cret');
    },
  );
});
