/**
 * How the soak's clients talk to the platform: as a well-behaved integrator does, they retry what
 * failed in transit (connection lost, 502/503, a 500 while a server restarts) with the same
 * request — the same Idempotency-Key for a booking — and take every other answer as it is.
 */
import { sleep } from './children.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API JSON, read field by field
export type Json = any;

export interface Answer {
  status: number;
  body: Json;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Give up retrying after this long (default 120 s: longer than any restart the soak makes). */
  patienceMs?: number;
}

const TRANSIENT = new Set([500, 502, 503, 504]);

export function createApiClient(baseUrl: string, counters: { transientRetries: number }) {
  return async function call(method: string, path: string, opts: CallOptions = {}): Promise<Answer> {
    const until = Date.now() + (opts.patienceMs ?? 120_000);
    let delay = 100;
    for (;;) {
      let answer: Answer | null = null;
      let failure = '';
      try {
        const res = await fetch(`${baseUrl}${path}`, {
          method,
          headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        answer = { status: res.status, body: text ? safeJson(text) : null };
        if (!TRANSIENT.has(res.status)) return answer;
        failure = `${res.status} ${text.slice(0, 200)}`;
      } catch (err) {
        failure = (err as Error).message;
      }
      if (Date.now() > until) {
        if (answer) return answer;
        throw new Error(`${method} ${path}: gave up after retries (${failure})`);
      }
      counters.transientRetries++;
      await sleep(delay);
      delay = Math.min(delay * 2, 2_000);
    }
  };
}

export type ApiCall = ReturnType<typeof createApiClient>;

function safeJson(text: string): Json {
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text.slice(0, 500) };
  }
}

/** Polls `read` until `done` holds; throws with `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 120_000,
  everyMs = 300,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch {
      // a restart in progress: ask again
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)?.slice(0, 400)})`);
    await sleep(everyMs);
  }
}
