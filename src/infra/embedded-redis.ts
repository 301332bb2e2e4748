import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { StartupError } from './process.ts';

/** A redis-server child process of `npm start`, its data in DATA_DIR/redis. */
export interface EmbeddedRedis {
  /** The unix socket clients connect to (`new Redis({ path })`); there is no TCP port. */
  socket: string;
  /** Its data directory: the append-only file (`appendonlydir/`) and the pid file. */
  dir: string;
  /** The redis-server executable that runs. */
  executable: string;
  pid: number;
  /** SIGTERM (Redis writes and fsyncs the append-only file), SIGKILL if it has not exited after a while. */
  stop(): Promise<void>;
}

export interface EmbeddedRedisOptions {
  dataDir: string;
  logger: Logger;
  /** Where to look for redis-server; default: the PATH, then /usr/sbin and /usr/bin. */
  searchPath?: readonly string[];
  /** How long to wait for the first PONG. Default 10 s. */
  readyTimeoutMs?: number;
  /** Called when the server exits while nobody stopped it: without it the queues are gone. */
  onUnexpectedExit?: () => void;
}

/**
 * A unix socket's path must fit `sun_path` (108 bytes on Linux, 104 on macOS, with the final NUL).
 * A DATA_DIR too deep for that is refused rather than moving the socket elsewhere: a socket in
 * os.tmpdir() would be a second place a restart has to find again, and tmp cleaners (systemd-tmpfiles
 * ages /tmp) may delete it under a server that runs for weeks.
 */
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;
const STOP_TIMEOUT_MS = 8_000;
/** What the failure messages quote from redis-server's own output. */
const OUTPUT_TAIL_BYTES = 4_000;

/**
 * The directories searched for redis-server: the PATH, then /usr/sbin and /usr/bin, where Debian's
 * redis-server package puts it and which a non-root PATH often lacks (/usr/sbin).
 */
export function redisServerSearchPath(envPath = process.env.PATH ?? ''): string[] {
  const dirs = envPath.split(path.delimiter).filter(Boolean);
  return [...new Set([...dirs, '/usr/sbin', '/usr/bin'])];
}

export function findRedisServer(searchPath: readonly string[] = redisServerSearchPath()): string | null {
  for (const dir of searchPath) {
    const candidate = path.join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

/**
 * Starts redis-server as a child process with its unix socket and append-only file in
 * DATA_DIR/redis, and resolves once it answers PING. A redis-server left running by an earlier
 * start whose Node process was killed (SIGKILL: no chance to stop its child) is shut down first,
 * gracefully, so its append-only file is complete before the new one reads it; restarting instead
 * of adopting it keeps one way to stop Redis (our own child). One still used by a live process (two
 * `npm start` on one DATA_DIR) is refused.
 */
export async function startEmbeddedRedis(opts: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const dir = path.resolve(opts.dataDir, 'redis');
  const socket = path.join(dir, 'redis.sock');
  const pidFile = path.join(dir, 'redis.pid');
  const logger = opts.logger.child({ component: 'redis-server' });
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH_BYTES) {
    throw new StartupError(
      `DATA_DIR is too deep for the embedded Redis: its unix socket ${socket} is ${Buffer.byteLength(socket)} bytes, ` +
        `a unix socket path may have at most ${MAX_SOCKET_PATH_BYTES}. Use a shorter DATA_DIR, or set REDIS_URL to a Redis server.`,
    );
  }
  const executable = findRedisServer(opts.searchPath);
  if (!executable) throw noRedisServer(opts.searchPath ?? redisServerSearchPath());
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await stopLeftover(dir, socket, pidFile, logger);

  const child = spawn(
    executable,
    [
      // No TCP listener: only the owner reaches the socket (mode 700), so no password is needed.
      ...['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700'],
      ...['--dir', dir, '--pidfile', pidFile, '--daemonize', 'no'],
      // Queued jobs survive a restart: every write goes to the append-only file, fsynced once a
      // second (a power cut loses at most that second; SIGTERM writes everything). No RDB snapshots
      // beside it: the AOF rewrites itself into a compact base when it grows.
      ...['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''],
      // BullMQ's keys must never be evicted.
      ...['--maxmemory-policy', 'noeviction'],
      ...['--loglevel', 'warning', '--logfile', ''],
    ],
    // Its own process group: Ctrl-C in a terminal signals the whole foreground group, and Redis must
    // outlive the workers that finish their jobs during shutdown; close() stops it last.
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL_BYTES);
    for (const line of chunk.toString().split('\n')) if (line.trim()) logger.debug(line.trim());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // After 'exit' its last lines may still be in the pipes; 'close' says they are read.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  // A start that ends in process.exit() (a fatal start-up error, the shutdown timeout) runs no
  // close(): Redis is still asked to stop, and does so on its own after we are gone.
  const onExit = () => child.kill('SIGTERM');
  process.once('exit', onExit);

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      process.removeListener('exit', onExit);
      // No pid: it never ran (spawn failed), so there is nothing to wait for.
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS, true)]);
      if (timedOut) {
        logger.error({ redisPid: child.pid }, `embedded Redis did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing it`);
        child.kill('SIGKILL');
        await exited;
      }
      logger.info({ dir }, 'embedded Redis stopped');
    })());

  const ready = await Promise.race([
    waitForPong(socket, opts.readyTimeoutMs ?? 10_000).then((ok) => (ok ? 'ready' : 'timeout')),
    exited.then((e) => e),
    spawnError,
  ]);
  if (ready !== 'ready') {
    await stop();
    await Promise.race([closed, sleep(500)]);
    const why =
      ready instanceof Error
        ? `could not be started (${ready.message})`
        : ready === 'timeout'
          ? `did not answer on ${socket} within ${(opts.readyTimeoutMs ?? 10_000) / 1000} s`
          : `exited at start (${ready.signal ?? `code ${ready.code}`})`;
    throw new StartupError(
      `The embedded Redis (${executable}) ${why}. Its output:\n${output.trim() || '(none)'}\n` +
        `Its data is in ${dir}. Or set REDIS_URL to a Redis server.`,
    );
  }
  void exited.then(({ code, signal }) => {
    if (!stopping) {
      logger.error({ code, signal, output: output.slice(-1_000) }, 'embedded Redis exited unexpectedly; the queues stop until a restart');
      opts.onUnexpectedExit?.();
    }
  });
  return { socket, dir, executable, pid: child.pid ?? -1, stop };
}

function noRedisServer(searchPath: readonly string[]) {
  return new StartupError(
    'Amtsbote needs Redis for its job queues. REDIS_URL is not set and nothing answers at the default address, ' +
      `so \`npm start\` would run redis-server itself (data in DATA_DIR/redis), but there is none in ${searchPath.join(':')}.\n` +
      'Install it with:\n' +
      '  apt-get install redis-server\n' +
      '(Debian/Ubuntu, as root), or set REDIS_URL to a Redis server you run.',
  );
}

/**
 * A redis-server from an earlier start on this directory, found by its socket (which it answers on)
 * or, if it hangs, by its pid file whose process still runs in this directory (redis-server changes
 * into `--dir`; checked through /proc, so a pid reused by another program is never signalled).
 * A clean shutdown removes both files; a stale socket alone is harmless (Redis replaces it).
 */
async function stopLeftover(dir: string, socket: string, pidFile: string, logger: Logger): Promise<void> {
  let pid: number | null = null;
  const answering = await inspect(socket);
  if (answering) {
    if (answering.otherClients > 0) {
      throw new StartupError(
        `The embedded Redis in ${dir} is in use by another process (${answering.otherClients} connections): ` +
          'is another `npm start` running with this DATA_DIR? Stop it, or use another DATA_DIR.',
      );
    }
    pid = answering.pid;
  } else {
    pid = pidRunningIn(pidFile, dir);
  }
  if (pid === null) return;
  logger.warn({ redisPid: pid, dir }, 'a redis-server left running by an earlier start holds DATA_DIR/redis; stopping it first');
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // Gone in the meantime.
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      throw new StartupError(
        `A redis-server (pid ${pid}) left running by an earlier start in ${dir} does not stop; end it (kill ${pid}) and start again.`,
      );
    }
    await sleep(50);
  }
}

/** Its pid and how many connections besides this one, or null when nothing answers on the socket. */
async function inspect(socket: string): Promise<{ pid: number; otherClients: number } | null> {
  if (!(await answersPong({ path: socket }))) return null;
  const redis = new Redis({ path: socket, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const info = await redis.info('server');
    const clients = (await redis.client('LIST')) as string;
    const pid = Number(/^process_id:(\d+)/m.exec(info)?.[1]);
    return Number.isInteger(pid) ? { pid, otherClients: clients.split('\n').filter(Boolean).length - 1 } : null;
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

function pidRunningIn(pidFile: string, dir: string): number | null {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return null;
    return readlinkSync(`/proc/${pid}/cwd`) === realpathSync(dir) ? pid : null;
  } catch {
    // No pid file, no such process, or no /proc (macOS): nothing to stop.
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped: npm as PID 1 in a container reaps nothing) still takes a
  // signal but holds nothing; it must not keep a new start waiting for it to stop.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Polls until the socket answers PONG. While Redis loads a big append-only file it answers
 * `-LOADING`, which counts as not ready yet (the queues' file stays small: finished jobs are
 * removed by their retention settings).
 */
async function waitForPong(socket: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await answersPong({ path: socket })) return true;
    await sleep(50);
  }
  return false;
}

/**
 * One PING to a Redis (unix socket or TCP), answered with PONG within a second; a raw socket so no
 * client retries hide anything. `-LOADING` (an append-only file being read) is not ready.
 */
export function answersPong(target: { path: string } | { port: number; host: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = connect(target);
    let reply = '';
    const done = (ok: boolean) => {
      conn.destroy();
      resolve(ok);
    };
    conn.setTimeout(1_000, () => done(false));
    conn.once('error', () => done(false));
    conn.once('connect', () => conn.write('PING\r\n'));
    conn.on('data', (d: Buffer) => {
      reply += d.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
