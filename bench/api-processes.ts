/**
 * Child processes of `bench:api`: spawned on a CPU of their own where `taskset` exists, their
 * output kept (the tail is shown when one dies), stopped with SIGTERM (then SIGKILL) on the way
 * out, also on Ctrl-C and on an error.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';

export const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p)) ?? null;

/** Pins this process and all its threads (the load generator runs here) to one CPU. */
export function pinSelf(cpu: number): boolean {
  if (!TASKSET) return false;
  execFileSync(TASKSET, ['-a', '-cp', String(cpu), String(process.pid)], { stdio: 'ignore' });
  return true;
}

export interface Child {
  name: string;
  pid: number;
  /** `taskset -c N` or null when not pinned. */
  pinned: string | null;
  exited: Promise<number | null>;
  /** The last lines the process wrote (stdout and stderr). */
  tail(): string;
  stop(): Promise<void>;
}

export function spawnPinned(name: string, args: string[], opts: { env: NodeJS.ProcessEnv; cpu: number | null; cwd?: string }): Child {
  const pinned = opts.cpu !== null && TASKSET ? `taskset -c ${opts.cpu}` : null;
  const [command, ...rest] = pinned && TASKSET ? [TASKSET, '-c', String(opts.cpu), ...args] : args;
  if (!command) throw new Error(`${name}: nothing to start`);
  // taskset execs the command, so the pid is the server's own.
  const proc: ChildProcess = spawn(command, rest, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  if (proc.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = proc.pid;
  let stopping: Promise<void> | null = null;
  return {
    name,
    pid,
    pinned,
    exited,
    tail: () => lines.join('\n'),
    stop: () =>
      (stopping ??= (async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        proc.kill('SIGTERM');
        // The platform's own shutdown gives up after 15 s; a CPU profile is written on the way out.
        const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      })()),
  };
}

/** A port nobody listens on right now (the kernel's pick). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200; fails early when the process exits. */
export async function waitForHttp(url: string, child: Child, timeoutMs = 60_000): Promise<void> {
  let exitedWith: number | null | undefined;
  void child.exited.then((code) => (exitedWith = code));
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (exitedWith !== undefined) throw new Error(`${child.name} exited (${exitedWith}) before ${url} answered:\n${child.tail()}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s:\n${child.tail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Steps run once, last added first, on the normal way out, on an error, and on SIGINT/SIGTERM
 * (then the process exits 130/143).
 */
export function createCleanup() {
  const steps: Array<{ name: string; fn: () => Promise<void> | void }> = [];
  let running: Promise<void> | null = null;
  const run = () =>
    (running ??= (async () => {
      for (const step of steps.reverse()) {
        try {
          await step.fn();
        } catch (err) {
          console.error(`cleanup: ${step.name} failed: ${(err as Error).message}`);
        }
      }
    })());
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up …`);
      void run().then(() => process.exit(code));
    });
  }
  return {
    add(name: string, fn: () => Promise<void> | void) {
      steps.push({ name, fn });
    },
    run,
  };
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far, from /proc; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/**
 * The pids of the processes whose command line contains `text`: PostgreSQL names each backend
 * `postgres: USER DATABASE HOST(PORT) STATE`, so the bench database's backends are found by name
 * (and not those of other work on the same server).
 */
export function pidsWithCommandLine(text: string): number[] {
  if (!existsSync('/proc')) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
