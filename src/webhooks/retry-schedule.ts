/**
 * When to try again. Pure: the delivery service applies it to an attempt that failed.
 *
 * `attempt` is the number of the attempt that just failed within its round (1 = the first);
 * the schedule gives the delay before the next one, and a receiver's Retry-After (seconds or an
 * HTTP date) makes it later, never sooner, up to `retryAfterMaxMs`.
 */
export function nextRetryDelayMs(
  schedule: { retryDelaysMs: readonly number[]; retryAfterMaxMs: number },
  attempt: number,
  retryAfter: string | null,
  now: Date,
): number | null {
  if (attempt > schedule.retryDelaysMs.length) return null;
  const scheduled = schedule.retryDelaysMs[attempt - 1] ?? 0;
  const asked = parseRetryAfterMs(retryAfter, now);
  return asked === null ? scheduled : Math.max(scheduled, Math.min(asked, schedule.retryAfterMaxMs));
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfterMs(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^[0-9]{1,10}$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date names a weekday and a GMT time; Date.parse alone would also take "1" or "2026".
  if (!/^[A-Za-z]{3}, [0-9]{2} [A-Za-z]{3} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$/.test(trimmed)) return null;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}
