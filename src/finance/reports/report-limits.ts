import { createReportTooLargeError } from './reports.errors.ts';

/**
 * Lines one report may hold. A report is answered as one document (a CSV file, a DATEV batch of
 * at most 99,999 records), so it is built in memory; the query asks for one line more than this
 * and refuses the report rather than answer a truncated one that would not add up.
 */
export const REPORT_MAX_LINES = 50_000;

/** The rows, or a clear error when the query found more than `limit` (it asked for `limit + 1`). */
export function withinLimit<T>(rows: T[], limit = REPORT_MAX_LINES): T[] {
  if (rows.length > limit) throw createReportTooLargeError(limit);
  return rows;
}

/** bigint columns come from raw SQL as strings; cents stay exact far beyond any payout. */
export function cents(value: string | number | bigint | null): number {
  if (value === null) return 0;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`Amount ${String(value)} is not a safe integer of cents`);
  return n;
}
