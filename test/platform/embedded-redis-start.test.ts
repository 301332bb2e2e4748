import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { describeRunning } from '../../src/infra/startup-message.ts';
import { createPlatform, type PlatformOptions, type PlatformOverrides } from '../../src/platform.ts';
import { isAlive, scratchDirs } from '../helpers/scratch.ts';
import { createLogCapture } from '../helpers/log-capture.ts';
import { must } from '../helpers/must.ts';
import { TEST_REDIS_URL, testDatabaseUrl } from '../helpers/test-env.ts';

// Port 1 on loopback: nothing listens there. It stands in for the default address, because the
// machine's (and CI's) Redis answers on 127.0.0.1:6379.
const NOTHING_ANSWERS = 'redis://127.0.0.1:1';

const scratch = scratchDirs('amtsbote-redis-');
afterEach(scratch.removeAll);
const dataDir = scratch.make;

/** `npm start` without REDIS_URL (the API built, not listening; the test's PostgreSQL for speed). */
function startLikeNpmStart(env: Record<string, string>, options: PlatformOptions, overrides: PlatformOverrides = {}) {
  const logs = createLogCapture();
  const config = loadConfig({ DATABASE_URL: testDatabaseUrl(), QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`, ...env });
  const started = createPlatform(
    config,
    { api: 'build', ...options },
    { logger: logs.logger, database: { maxConnections: 2 }, embeddedRedis: { defaultUrl: NOTHING_ANSWERS }, ...overrides },
  );
  return { started, logs, config };
}

describe('npm start without REDIS_URL and no Redis at the default address', () => {
  it('runs redis-server itself, says so in the log, keeps queued jobs over a restart and stops it with the platform', async () => {
    const DATA_DIR = dataDir();
    const first = startLikeNpmStart({ DATA_DIR }, { embeddedRedis: true, workers: true });
    const platform = await first.started;
    const server = must(platform.embeddedRedis, 'platform.embeddedRedis');
    try {
      expect(server.socket).toBe(path.join(DATA_DIR, 'redis', 'redis.sock'));
      const line = JSON.parse(
        must(
          first.logs.lines.find((l) => l.includes('embedded Redis started')),
          'log line',
        ),
      ) as Record<string, unknown>;
      expect(line).toMatchObject({
        level: 30,
        redisPid: server.pid,
        socket: server.socket,
        dir: path.join(DATA_DIR, 'redis'),
        appendOnly: true,
      });
      expect(line.msg).toContain('REDIS_URL is not set and nothing answers at redis://127.0.0.1:1');
      expect(describeRunning(platform).redis).toMatch(
        /^EMBEDDED redis-server \(pid \d+\) on .*redis\.sock, queued jobs in its append-only file/,
      );
      // Workers fully connected first: BullMQ rejects its own start-up INFO when closed at once.
      await Promise.all(must(platform.workers, 'platform.workers').workers.map((w) => w.waitUntilReady()));
      await platform.queues.queue('housekeeping').add('probe', { kept: true }, { jobId: 'kept-over-restart', delay: 86_400_000 });
    } finally {
      await platform.close();
    }
    // Stopped after the workers and the connection: the process is gone, its socket removed.
    expect(isAlive(server.pid)).toBe(false);
    expect(existsSync(server.socket)).toBe(false);
    expect(first.logs.lines.some((l) => l.includes('embedded Redis stopped'))).toBe(true);

    // Started again while a Redis answers at the default address: the embedded one holds the jobs, so it is used.
    const second = startLikeNpmStart(
      { DATA_DIR, QUEUE_PREFIX: first.config.env.QUEUE_PREFIX },
      { embeddedRedis: true },
      { embeddedRedis: { defaultUrl: TEST_REDIS_URL } },
    );
    const again = await second.started;
    try {
      expect(again.embeddedRedis).not.toBeNull();
      expect(second.logs.lines.find((l) => l.includes('embedded Redis started'))).toContain("holds this installation's queued jobs");
      const job = await again.queues.queue('housekeeping').getJob('kept-over-restart');
      expect(job?.data).toEqual({ kept: true });
    } finally {
      await again.close();
    }
  });

  it('uses a Redis that answers at the default address instead of starting one', async () => {
    const { started, logs } = startLikeNpmStart(
      { DATA_DIR: dataDir() },
      { embeddedRedis: true },
      { embeddedRedis: { defaultUrl: TEST_REDIS_URL } },
    );
    const platform = await started;
    try {
      expect(platform.embeddedRedis).toBeNull();
      expect(logs.lines.some((l) => l.includes('embedded Redis'))).toBe(false);
    } finally {
      await platform.close();
    }
  });

  it('a Redis at the default address that answers wrongly (here: wants a password) is not replaced: the start fails, saying to give the password', async () => {
    // One reply per command, as Redis gives: ioredis may send its CLIENT SETINFO and INFO in one
    // packet, and a reply per packet left INFO unanswered (the start then timed out, now and then).
    const fake = createServer((socket) =>
      socket.on('data', (d: Buffer) => {
        const commands = d.toString('latin1').match(/(^|\r\n)\*\d+\r\n/g)?.length ?? 1;
        socket.write('-NOAUTH Authentication required.\r\n'.repeat(commands));
      }),
    );
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const { port } = fake.address() as AddressInfo;
    const DATA_DIR = dataDir();
    try {
      const { started } = startLikeNpmStart(
        { DATA_DIR },
        { embeddedRedis: true },
        { embeddedRedis: { defaultUrl: `redis://127.0.0.1:${port}` } },
      );
      // Told what to do about it: the password, not how to start a Redis.
      await expect(started).rejects.toThrow(
        /^Redis at redis:\/\/127\.0\.0\.1:\d+ wants a password that it was not given, or not this one \(.*NOAUTH.*\)\.\nPut it in REDIS_URL: redis:\/\/:PASSWORD@host:port/,
      );
      expect(existsSync(path.join(DATA_DIR, 'redis'))).toBe(false);
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });

  it('without redis-server on the PATH fails with the command that installs it, and closes the database it had opened', async () => {
    const DATA_DIR = dataDir();
    const { started, logs } = startLikeNpmStart(
      { DATA_DIR },
      { embeddedRedis: true },
      { embeddedRedis: { defaultUrl: NOTHING_ANSWERS, searchPath: [dataDir()] } },
    );
    await expect(started).rejects.toThrow(/REDIS_URL is not set and nothing answers(.|\n)*\n {2}apt-get install redis-server\n/);
    expect(logs.lines.some((l) => l.includes('error while closing'))).toBe(false);
  });

  it('a REDIS_URL the operator set is never replaced by an embedded Redis', async () => {
    const DATA_DIR = dataDir();
    const { started } = startLikeNpmStart({ DATA_DIR, REDIS_URL: NOTHING_ANSWERS }, { embeddedRedis: true });
    await expect(started).rejects.toThrow(/^Redis does not answer at redis:\/\/127\.0\.0\.1:1 /);
    expect(existsSync(path.join(DATA_DIR, 'redis'))).toBe(false);
  });

  it('the split processes (start:api, start:workers) never start one: they must share one Redis', async () => {
    const DATA_DIR = dataDir();
    const { started } = startLikeNpmStart({ DATA_DIR }, { workers: true });
    await expect(started).rejects.toThrow(/^Redis does not answer at redis:\/\/127\.0\.0\.1:1 (.|\n)*redis-server --daemonize yes/);
    expect(existsSync(path.join(DATA_DIR, 'redis'))).toBe(false);
  });
});
