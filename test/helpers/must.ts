/**
 * For a lookup a test expects to succeed (`rows[0]`, `map.get(k)`, `list.find(…)`): returns the
 * value, or fails the test naming what was missing, so a broken expectation reads as such rather
 * than as a TypeError further down.
 */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`Test expected ${what}, got ${String(value)}`);
  return value;
}
