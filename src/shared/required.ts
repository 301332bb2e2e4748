/**
 * Narrowing for values the code knows are there but the types cannot prove: a row that
 * `INSERT … RETURNING` must give back, a map entry set up at start-up. A missing value is a bug,
 * not a client error, so these throw a plain `Error` naming what was missing (the error handler
 * answers 500 without its message).
 */
export function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`Expected ${what}, got ${String(value)}`);
  return value;
}

/** The first row of a drizzle `.returning()` (or single-row select) that must have given one. */
export function firstRow<T>(rows: readonly T[], what: string): T {
  const [row] = rows;
  if (row === undefined) throw new Error(`${what} gave no row`);
  return row;
}
