import { inject } from 'vitest';

/**
 * Where the tests find PostgreSQL and Redis: the machine's own servers unless told otherwise.
 * Each run gets a database of its own, named from this base (see global-setup.ts).
 */
export const BASE_TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/amtsbote_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The migrated database of this test run. */
export const testDatabaseUrl = () => inject('databaseUrl');

/** The maintenance database on the same server, to create and drop the test database. */
export function adminUrlFor(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}
