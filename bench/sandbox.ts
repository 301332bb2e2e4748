/**
 * Does the offline Stripe sandbox slow down as it fills? Creates PaymentIntents through
 * stripe-node (each with an idempotency key, as the platform sends them) with 10 concurrent
 * clients against a sandbox on the file store, and compares the cost per PaymentIntent of a
 * window early in the run (around the 1,000th) with the last window (around the N-th). Also
 * prints the process's RSS and heap at 10k, 50k, 100k and N PaymentIntents, after a full GC
 * when one can be forced, so a store whose memory grows with what it holds shows it:
 *
 *   npm run bench:sandbox -- [--count 100000] [--window 1000] [--concurrency 10]
 *   node --expose-gc --import tsx bench/sandbox.ts --count 100000   (memory after a GC)
 */
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Stripe from 'stripe';
import { createFileStore, createStripeSandbox } from '../src/stripe-sandbox/index.ts';
import { wholeNumberFlag } from './flags.ts';

const COUNT = wholeNumberFlag('count', 100_000);
const WINDOW = Math.min(wholeNumberFlag('window', 1_000), Math.floor(COUNT / 4));
const CONCURRENCY = wholeNumberFlag('concurrency', 10);

const dir = mkdtempSync(path.join(tmpdir(), 'bench-sandbox-'));
const file = path.join(dir, 'stripe-sandbox.json');
const sandbox = createStripeSandbox({ store: createFileStore(file) });
await sandbox.listen({ port: 0 });
const stripe = new Stripe('sk_test_bench', { ...sandbox.clientOptions(), maxNetworkRetries: 0 });

/**
 * Memory after a full GC, in MB. `--expose-gc` gives `gc`; without it the flag is set at run time
 * and a fresh context picks `gc` up, so `npm run bench:sandbox` measures the same way.
 */
const gc = (globalThis as { gc?: () => void }).gc ?? exposeGc();
function exposeGc(): (() => void) | undefined {
  setFlagsFromString('--expose-gc');
  const found: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
  return typeof found === 'function' ? (found as () => void) : undefined;
}
const checkpoints = new Set([10_000, 50_000, 100_000, COUNT].filter((n) => n <= COUNT));
const memoryAt: Record<string, { rssMB: number; heapUsedMB: number; externalMB: number; peakRssMB: number }> = {};
function sampleMemory(label: string) {
  gc?.();
  const { rss, heapUsed, external } = process.memoryUsage();
  memoryAt[label] = {
    rssMB: Math.round(rss / 1e6),
    heapUsedMB: Math.round(heapUsed / 1e6),
    externalMB: Math.round(external / 1e6),
    // Highest RSS so far (KiB in resourceUsage): a compaction's spike shows here, not in rssMB.
    peakRssMB: Math.round((process.resourceUsage().maxRSS * 1024) / 1e6),
  };
}

/** Wall-clock finish time of each PaymentIntent, by its number (1-based). */
const finishedAt = new Float64Array(COUNT + 1);
let next = 1;
const started = performance.now();
finishedAt[0] = started;
async function client() {
  for (;;) {
    const n = next++;
    if (n > COUNT) return;
    await stripe.paymentIntents.create(
      { amount: 450, currency: 'eur', metadata: { booking_id: `b${n}`, kassenzeichen: `KZ-${n}` } },
      { idempotencyKey: `bench:${n}` },
    );
    finishedAt[n] = performance.now();
    // Taken after the finish time is noted, so a GC pause does not count as PaymentIntent cost.
    if (checkpoints.has(n)) sampleMemory(`after #${n}`);
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, client));
const totalSeconds = (performance.now() - started) / 1000;

/** Milliseconds of wall-clock per PaymentIntent over the window ending at PaymentIntent `end`. */
const costAround = (end: number) => ((finishedAt[end] ?? 0) - (finishedAt[end - WINDOW] ?? 0)) / WINDOW;
const early = costAround(Math.min(COUNT, 1_000 + WINDOW / 2));
const late = costAround(COUNT);
// A page of the newest PaymentIntents reads that page, not all N.
const listStarted = performance.now();
await stripe.paymentIntents.list({ limit: 10 });
const listMs = performance.now() - listStarted;
await sandbox.close();
// A restart reads the files line by line into the index.
const reopenStarted = performance.now();
const reopened = createFileStore(file).count('payment_intent');
const reopenSeconds = (performance.now() - reopenStarted) / 1000;
if (reopened !== COUNT) throw new Error(`the restarted store holds ${reopened} PaymentIntents, not ${COUNT}`);
const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
console.table({
  paymentIntents: COUNT,
  concurrency: CONCURRENCY,
  seconds: Number(totalSeconds.toFixed(1)),
  perSecond: Math.round(COUNT / totalSeconds),
  [`ms per PI around #1000 (window ${WINDOW})`]: Number(early.toFixed(3)),
  [`ms per PI around #${COUNT}`]: Number(late.toFixed(3)),
  lateOverEarly: Number((late / early).toFixed(2)),
  'ms to list the newest 10': Number(listMs.toFixed(1)),
  'seconds to restart (load the index)': Number(reopenSeconds.toFixed(2)),
  snapshotMB: Number((size(file) / 1e6).toFixed(1)),
  logMB: Number((size(`${file}.log`) / 1e6).toFixed(1)),
});
console.log(gc ? 'Memory after a full GC:' : 'Memory (no GC could be forced):');
console.table(memoryAt);
rmSync(dir, { recursive: true, force: true });
