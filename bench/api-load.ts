/**
 * One measured load run of `bench:api`: autocannon (programmatic API) with a body and headers of
 * its own per request, every answer recorded with its time, so req/s, p50 and p99 are computed
 * here over the measured window (after the warm-up) and over its first and last seconds.
 */
import autocannon from 'autocannon';

export interface OneRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadSpec {
  url: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Offered requests per second over all connections (autocannon's overallRate); none: closed loop. */
  overallRate?: number;
  /** Builds the next request (called by autocannon before each request it sends). */
  next(): OneRequest;
  /** Sees each answer's status and body (e.g. to keep the tracking tokens of created bookings). */
  onBody?(status: number, body: string): void;
}

export interface WindowStats {
  requests: number;
  reqPerSec: number;
  p50: number;
  p99: number;
}

export interface LoadResult extends WindowStats {
  non2xx: number;
  /** Answers by status code in the measured window (transport errors under `error`). */
  statuses: Record<string, number>;
  /** Timeouts and connection errors in the measured window. */
  errors: number;
  windowSeconds: number;
  /** Every answer of the run, warm-up included. */
  totalResponses: number;
  first: WindowStats;
  last: WindowStats;
  /** The measured window on the monotonic clock (µs, as V8 stamps CPU profiles), to slice the API's profile. */
  monotonicFromUs: number;
  monotonicToUs: number;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const capacity = 1 << 16;
  let at = new Float64Array(capacity);
  let latency = new Float64Array(capacity);
  let status = new Uint16Array(capacity);
  let n = 0;
  const errorsAt: number[] = [];
  const record = (statusCode: number, ms: number) => {
    if (n === at.length) {
      const grow = <T extends Float64Array | Uint16Array>(a: T, make: (len: number) => T) => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      at = grow(at, (l) => new Float64Array(l));
      latency = grow(latency, (l) => new Float64Array(l));
      status = grow(status, (l) => new Uint16Array(l));
    }
    at[n] = performance.now();
    latency[n] = ms;
    status[n] = statusCode;
    n++;
  };

  const started = performance.now();
  const startedUs = Number(process.hrtime.bigint() / 1000n);
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: spec.warmupSeconds + spec.durationSeconds,
        timeout: 10,
        ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
        requests: [
          {
            setupRequest: (req) => Object.assign(req, spec.next()),
            ...(spec.onBody ? { onResponse: (code: number, body: string) => spec.onBody?.(code, body) } : {}),
          },
        ],
      },
      (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => record(statusCode, responseTime));
    instance.on('reqError', () => errorsAt.push(performance.now()));
  });

  const from = started + spec.warmupSeconds * 1000;
  const to = from + spec.durationSeconds * 1000;
  const windowSeconds = Math.min(5, spec.durationSeconds / 2);
  const stats = (lo: number, hi: number): WindowStats => {
    const picked: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = at[i] ?? 0;
      if (t >= lo && t < hi) picked.push(latency[i] ?? 0);
    }
    const sorted = Float64Array.from(picked).sort();
    return {
      requests: sorted.length,
      reqPerSec: sorted.length / ((hi - lo) / 1000),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    };
  };
  const statuses: Record<string, number> = {};
  let non2xx = 0;
  for (let i = 0; i < n; i++) {
    const t = at[i] ?? 0;
    if (t < from || t >= to) continue;
    const code = status[i] ?? 0;
    statuses[code] = (statuses[code] ?? 0) + 1;
    if (code < 200 || code > 299) non2xx++;
  }
  const errors = errorsAt.filter((t) => t >= from && t < to).length;
  if (errors > 0) statuses.error = errors;
  return {
    ...stats(from, to),
    non2xx: non2xx + errors,
    statuses,
    errors,
    windowSeconds,
    totalResponses: n,
    first: stats(from, from + windowSeconds * 1000),
    last: stats(to - windowSeconds * 1000, to),
    monotonicFromUs: startedUs + (from - started) * 1000,
    monotonicToUs: startedUs + (to - started) * 1000,
  };
}
