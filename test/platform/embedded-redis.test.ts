import { Queue } from 'bullmq';
import { mkdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findRedisServer, redisServerSearchPath, startEmbeddedRedis, type EmbeddedRedis } from '../../src/infra/embedded-redis.ts';
import { connectRedis } from '../../src/infra/redis.ts';
import { isAlive, scratchDirs } from '../helpers/scratch.ts';
import { createLogCapture } from '../helpers/log-capture.ts';

const scratch = scratchDirs('amtsbote-redis-');
const servers: EmbeddedRedis[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  scratch.removeAll();
});
const dataDir = scratch.make;
const start = async (dir: string, logger = createLogCapture().logger) => {
  const server = await startEmbeddedRedis({ dataDir: dir, logger });
  servers.push(server);
  return server;
};

/** A delayed job, so it waits in Redis and nothing takes it. */
async function addJob(socket: string, id: string) {
  const connection = await connectRedis({ path: socket });
  const queue = new Queue('survival', { connection, prefix: 'test' });
  await queue.add('probe', { keep: 'me' }, { jobId: id, delay: 86_400_000 });
  await queue.close();
  connection.disconnect();
}
async function readJob(socket: string, id: string) {
  const connection = await connectRedis({ path: socket });
  const queue = new Queue('survival', { connection, prefix: 'test' });
  const job = await queue.getJob(id);
  await queue.close();
  connection.disconnect();
  return job ? { name: job.name, data: job.data as unknown } : null;
}

describe('the embedded redis-server of npm start', () => {
  it('runs on a private unix socket in DATA_DIR/redis, no TCP port, with the append-only file on', async () => {
    const dir = dataDir();
    const server = await start(dir);
    expect(server.socket).toBe(path.join(dir, 'redis', 'redis.sock'));
    expect(server.dir).toBe(path.join(dir, 'redis'));
    expect(statSync(server.socket).mode & 0o777).toBe(0o700);
    const redis = await connectRedis({ path: server.socket });
    try {
      expect(await redis.config('GET', 'port')).toEqual(['port', '0']);
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    } finally {
      redis.disconnect();
    }
  });

  it('says when it dies under the platform (so npm start can end), and not when it is stopped', async () => {
    const exits: string[] = [];
    const stopped = await startEmbeddedRedis({
      dataDir: dataDir(),
      logger: createLogCapture().logger,
      onUnexpectedExit: () => exits.push('stopped'),
    });
    await stopped.stop();
    const killed = await startEmbeddedRedis({
      dataDir: dataDir(),
      logger: createLogCapture().logger,
      onUnexpectedExit: () => exits.push('killed'),
    });
    servers.push(killed);
    process.kill(killed.pid, 'SIGKILL');
    for (let i = 0; i < 50 && exits.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(exits).toEqual(['killed']);
  });

  it('queued jobs survive a restart: stopped and started again on the same DATA_DIR, the job is still there', async () => {
    const dir = dataDir();
    const logs = createLogCapture();
    const first = await start(dir, logs.logger);
    await addJob(first.socket, 'job-1');
    await first.stop();
    expect(isAlive(first.pid)).toBe(false);
    // Redis removes its socket and pid file on a clean shutdown.
    expect(existsSync(first.socket)).toBe(false);
    expect(logs.lines.some((l) => l.includes('embedded Redis stopped'))).toBe(true);

    const second = await start(dir);
    expect(second.pid).not.toBe(first.pid);
    expect(await readJob(second.socket, 'job-1')).toEqual({ name: 'probe', data: { keep: 'me' } });
  });

  it('a redis-server left running by a killed npm start is stopped (its jobs kept), not run twice on one append-only file', async () => {
    const dir = dataDir();
    // The earlier start's Node process is gone: no connection left, the server still runs.
    const orphan = await start(dir);
    await addJob(orphan.socket, 'job-orphan');
    const logs = createLogCapture();
    const next = await start(dir, logs.logger);
    expect(isAlive(orphan.pid)).toBe(false);
    expect(logs.lines.some((l) => l.includes('left running by an earlier start') && l.includes(`"redisPid":${orphan.pid}`))).toBe(true);
    expect(await readJob(next.socket, 'job-orphan')).toEqual({ name: 'probe', data: { keep: 'me' } });
  });

  it('a redis-server that died without cleaning up (stale socket and pid file) does not block the next start', async () => {
    const dir = dataDir();
    const crashed = await start(dir);
    await addJob(crashed.socket, 'job-crash');
    process.kill(crashed.pid, 'SIGKILL');
    while (isAlive(crashed.pid)) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(crashed.socket)).toBe(true);
    // What it had written is in the file (a killed process loses nothing the kernel has; only a
    // power cut could cost the last second).
    const next = await start(dir);
    expect(await readJob(next.socket, 'job-crash')).toEqual({ name: 'probe', data: { keep: 'me' } });
  });

  it('a leftover redis-server that does not answer is found by its pid file and stopped', async () => {
    const dir = dataDir();
    const hung = await start(dir);
    await addJob(hung.socket, 'job-hung');
    // Stopped: it accepts no command (the next start's PING times out) until SIGCONT lets it
    // handle the SIGTERM that start sends it.
    process.kill(hung.pid, 'SIGSTOP');
    const next = start(dir);
    setTimeout(() => process.kill(hung.pid, 'SIGCONT'), 1_500);
    const server = await next;
    expect(isAlive(hung.pid)).toBe(false);
    expect(await readJob(server.socket, 'job-hung')).toEqual({ name: 'probe', data: { keep: 'me' } });
  });

  it('a second npm start on the same DATA_DIR is refused while the first one uses its Redis', async () => {
    const dir = dataDir();
    const first = await start(dir);
    const client = await connectRedis({ path: first.socket });
    try {
      await expect(start(dir)).rejects.toThrow(/in use by another process .*another `npm start` running with this DATA_DIR/);
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('without redis-server it fails with the one command that installs it, or REDIS_URL', async () => {
    const empty = dataDir();
    const failing = startEmbeddedRedis({ dataDir: dataDir(), logger: createLogCapture().logger, searchPath: [empty] });
    await expect(failing).rejects.toThrow(/\n {2}apt-get install redis-server\n/);
    await expect(failing).rejects.toThrow(/set REDIS_URL/);
    await expect(failing).rejects.toThrow(new RegExp(`there is none in ${empty}\\.`));
  });

  it('looks on the PATH and in /usr/sbin and /usr/bin, where Debian installs it', () => {
    expect(redisServerSearchPath('/opt/a:/usr/bin')).toEqual(['/opt/a', '/usr/bin', '/usr/sbin']);
    expect(findRedisServer(redisServerSearchPath(''))).toMatch(/^\/usr\/s?bin\/redis-server$/);
  });

  it('a DATA_DIR too deep for a unix socket path is refused with a message that says so', async () => {
    const deep = path.join(dataDir(), 'x'.repeat(100));
    await expect(startEmbeddedRedis({ dataDir: deep, logger: createLogCapture().logger })).rejects.toThrow(
      /DATA_DIR is too deep for the embedded Redis: its unix socket .* is \d+ bytes, a unix socket path may have at most 107\. Use a shorter DATA_DIR, or set REDIS_URL/,
    );
    expect(existsSync(deep)).toBe(false);
  });

  it('a redis-server that exits at start is reported with its own output', async () => {
    const dir = dataDir();
    mkdirSync(path.join(dir, 'redis', 'appendonlydir'), { recursive: true });
    writeFileSync(path.join(dir, 'redis', 'appendonlydir', 'appendonly.aof.manifest'), 'not a manifest\n');
    await expect(startEmbeddedRedis({ dataDir: dir, logger: createLogCapture().logger })).rejects.toThrow(
      /The embedded Redis \(.*redis-server\) exited at start \(code 1\)\. Its output:\n(.|\n)*manifest/,
    );
  });
});
