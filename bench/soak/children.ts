/**
 * The soak's child processes: each can be killed (any signal) and started again with the same
 * command, so the soak can crash a process and bring it back. Output is kept (the last lines are
 * shown when a start fails) and written to a log file per process in the soak's folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
  /** True once the process serves; polled until then, with what it printed since this start. */
  ready: (output: string) => Promise<boolean>;
  readyTimeoutMs?: number;
}

export interface ManagedChild {
  readonly name: string;
  /** The current process's pid, or null while it is down. */
  pid(): number | null;
  start(): Promise<void>;
  /** Sends `signal` and waits for the exit (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
  tail(): string;
  /** How often it was started. */
  starts(): number;
  /** Called when the process exits without being stopped (a crash of its own). */
  onCrash(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
}

export function managedChild(spec: ChildSpec, logDir: string): ManagedChild {
  let proc: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let startCount = 0;
  let stopping = false;
  const crashListeners: Array<(code: number | null, signal: NodeJS.Signals | null) => void> = [];
  const lines: string[] = [];
  let sinceStart = '';
  let log: WriteStream | null = null;
  const keep = (chunk: Buffer) => {
    log?.write(chunk);
    if (sinceStart.length < 200_000) sinceStart += chunk.toString('utf8');
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 60) lines.splice(0, lines.length - 60);
  };

  return {
    name: spec.name,
    pid: () => proc?.pid ?? null,
    tail: () => lines.join('\n'),
    starts: () => startCount,
    onCrash: (listener) => void crashListeners.push(listener),
    async start() {
      if (proc) throw new Error(`${spec.name} is already running`);
      startCount++;
      sinceStart = '';
      log ??= createWriteStream(path.join(logDir, `${spec.name}.log`), { flags: 'a' });
      log.write(`\n--- start ${startCount} at ${new Date().toISOString()} ---\n`);
      const child = spawn(spec.command, spec.args, {
        env: spec.env ?? process.env,
        cwd: spec.cwd,
        uid: spec.uid,
        gid: spec.gid,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      proc = child;
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      let gone = false;
      exited = new Promise((resolve) =>
        child.once('exit', (code, signal) => {
          gone = true;
          if (proc === child) proc = null;
          resolve();
          if (!stopping && startCount > 0) for (const listener of crashListeners) listener(code, signal);
        }),
      );
      const until = Date.now() + (spec.readyTimeoutMs ?? 60_000);
      for (;;) {
        if (gone) throw new Error(`${spec.name} exited while starting:\n${lines.slice(-25).join('\n')}`);
        if (await spec.ready(sinceStart).catch(() => false)) return;
        if (Date.now() > until) throw new Error(`${spec.name} was not ready in time:\n${lines.slice(-25).join('\n')}`);
        await sleep(150);
      }
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000) {
      const child = proc;
      if (!child) return;
      stopping = true;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      stopping = false;
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** True when `url` answers 200. */
export async function answers200(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}
