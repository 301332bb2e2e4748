import { Worker } from 'node:worker_threads';
import type { SolveDeliveries } from '../src/planning/solve.ts';
import type { SolveProgress, VrptwSolution } from '../src/routing/index.ts';

export type SolverThreadMessage =
  { type: 'progress'; progress: SolveProgress } | { type: 'result'; solution: VrptwSolution } | { type: 'error'; message: string };

const BOOT = new URL('./solver-thread.boot.mjs', import.meta.url);
const ENTRY = new URL('./solver-thread.entry.ts', import.meta.url).href;

/**
 * Runs each solve in its own worker thread. The search is CPU-bound for up to the time limit; on
 * the worker's own thread it would starve BullMQ's lock renewal and get the job taken away as
 * stalled. The thread is terminated once it has answered, and killed with its process.
 */
export const solveInThread: SolveDeliveries = (input, hooks) =>
  new Promise<VrptwSolution>((resolve, reject) => {
    const thread = new Worker(BOOT, { workerData: { entry: ENTRY, input } });
    let settled = false;
    const onAbort = () => thread.postMessage({ type: 'abort' });
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      fn();
      void thread.terminate();
    };
    if (hooks.signal?.aborted) onAbort();
    else hooks.signal?.addEventListener('abort', onAbort, { once: true });
    thread.on('message', (m: SolverThreadMessage) => {
      if (m.type === 'progress') hooks.onProgress?.(m.progress);
      else if (m.type === 'result') settle(() => resolve(m.solution));
      else settle(() => reject(new Error(`solver thread: ${m.message}`)));
    });
    thread.on('error', (err) => settle(() => reject(err)));
    thread.on('exit', (code) => settle(() => reject(new Error(`solver thread exited (code ${code}) without a result`))));
  });
