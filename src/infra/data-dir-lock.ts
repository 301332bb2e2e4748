import { mkdirSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { StartupError } from './process.ts';

/** The lock's name inside DATA_DIR (a directory: mkdir is atomic on every file system, NFS included). */
export const DATA_DIR_LOCK = 'amtsbote.lock';

export interface DataDirLockOptions {
  dataDir: string;
  /** What this process keeps in DATA_DIR, for the refusal's message (e.g. `the embedded PGlite database`). */
  holds: string;
  /**
   * The lock was taken from under this process (its mtime changed, or it was deleted): another
   * process may be writing DATA_DIR now, so this one must stop writing at once.
   */
  onLost(reason: string): void;
  /** How old an unrefreshed lock must be to count as left by a crashed process. Default 20 s, at least 2 s. */
  staleMs?: number;
  /** How long a start waits for a lock to go stale before it gives up. Default: a little longer than staleMs. */
  waitMs?: number;
  /** Told once, in words, when the start waits for a lock. */
  onWait?(message: string): void;
}

export interface DataDirLock {
  release(): Promise<void>;
}

/**
 * Makes this process the only one that writes the state it keeps in DATA_DIR (PGlite's files, the
 * offline Stripe sandbox's log). Two processes on one PGlite directory each keep their own
 * shared buffers and WAL position and overwrite each other's pages: nothing fails at once, the
 * database is corrupt later. proper-lockfile holds the lock as a directory whose mtime this process
 * refreshes; one left by a crashed process (kill -9, power loss) is taken over once it is older
 * than `staleMs`, so a start right after a crash waits for it instead of failing, while one whose
 * holder refreshes it is refused within a refresh interval. Liveness by
 * mtime, not by pid, also holds when the two processes are in different containers sharing the
 * directory.
 */
export async function lockDataDir(opts: DataDirLockOptions): Promise<DataDirLock> {
  const dir = path.resolve(opts.dataDir);
  mkdirSync(dir, { recursive: true });
  const lockPath = path.join(dir, DATA_DIR_LOCK);
  // proper-lockfile takes no stale time under 2 s, and refreshes every stale/2 by default (at least
  // every second); a quarter leaves room for a busy event loop.
  const staleMs = Math.max(opts.staleMs ?? 20_000, 2_000);
  const updateMs = Math.max(1_000, Math.floor(staleMs / 4));
  const deadline = Date.now() + (opts.waitMs ?? staleMs + updateMs);
  const refused = (why: string) =>
    new StartupError(
      `DATA_DIR ${dir} is in use by another Amtsbote process (${why}), and this one keeps ${opts.holds} there. ` +
        'Two processes on one DATA_DIR would corrupt it: stop the other one, or give this one another DATA_DIR. ' +
        'Several API processes share one sandbox with STRIPE_SANDBOX=external and one database with DATABASE_URL.',
    );
  let seen: number | null = null;
  for (;;) {
    // Until the lock is confirmed ours, a loss means another start won it (below), not that this
    // process must stop; once releasing, a refresh racing the removal is no loss either.
    const state = { confirmed: false, lostEarly: false, releasing: false };
    // A lock there now that this attempt gets is one it took over as stale.
    const takingOver = mtimeOf(lockPath) !== null;
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(dir, {
        lockfilePath: lockPath,
        realpath: false,
        stale: staleMs,
        update: updateMs,
        onCompromised: (err: Error) => {
          if (state.releasing) return;
          if (!state.confirmed) state.lostEarly = true;
          else opts.onLost(`the lock on DATA_DIR (${lockPath}) was lost: ${err.message}`);
        },
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
      // Held. A holder that refreshes it is alive: refused at once. One that does not is waited
      // for until its lock is stale (proper-lockfile then takes it over on the next try).
      const mtime = mtimeOf(lockPath);
      if (seen !== null && mtime !== null && mtime !== seen) throw refused(`its lock ${lockPath} is being refreshed`);
      if (Date.now() > deadline) throw refused(`its lock ${lockPath} has not gone stale within ${Math.round(staleMs / 1000)} s`);
      if (seen === null) {
        opts.onWait?.(
          `DATA_DIR is locked; waiting up to ${Math.ceil((deadline - Date.now()) / 1000)} s in case the process that locked it has ended without unlocking`,
        );
      }
      seen = mtime ?? seen;
      await sleep(250);
      continue;
    }
    if (takingOver) {
      // Taken over from a stale lock. Two starts that both found it stale can both remove it and
      // make their own (proper-lockfile's stat, rmdir, mkdir are not one step); the one whose lock
      // was removed sees it at its next refresh. So a start that took over waits one refresh
      // before it opens anything, and goes back to waiting if it lost.
      await sleep(updateMs + 500);
      if (state.lostEarly) continue;
    }
    state.confirmed = true;
    let released: Promise<void> | null = null;
    return {
      release: () =>
        (released ??= (async () => {
          state.releasing = true;
          await release().catch((err: unknown) => {
            // Already lost (onLost was told) or removed by hand: nothing of ours is left to remove.
            if ((err as NodeJS.ErrnoException).code !== 'ERELEASED') throw err;
          });
        })()),
    };
  }
}

function mtimeOf(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}
