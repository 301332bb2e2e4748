/**
 * Body of the solver thread: one solve per thread. Progress and the result go back as messages;
 * an `abort` message stops the search early (the solver yields to this thread's event loop).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { solveInProcess, type SolveInput } from '../src/planning/solve.ts';
import type { SolverThreadMessage } from './solver-thread.ts';

if (!parentPort) throw new Error('solver-thread.entry runs only as a worker thread (no parentPort)');
const port = parentPort;
const controller = new AbortController();
port.on('message', (m: { type?: string }) => {
  if (m?.type === 'abort') controller.abort();
});
const post = (m: SolverThreadMessage) => port.postMessage(m);

try {
  const solution = await solveInProcess((workerData as { input: SolveInput }).input, {
    signal: controller.signal,
    onProgress: (progress) => post({ type: 'progress', progress }),
  });
  post({ type: 'result', solution });
} catch (err) {
  post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
}
