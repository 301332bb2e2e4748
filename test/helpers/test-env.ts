import { inject } from 'vitest';

/**
 * Where the tests find PostgreSQL and Redis: the machine's own servers unless told otherwise.
 * Each run gets databases of its own, one per test worker, named from this base (see global-setup.ts).
 */
export const BASE_TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/amtsbote_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The migrated database of this test worker (each worker has its own; see global-setup.ts). */
export function testDatabaseUrl(): string {
  const urls = inject('databaseUrls');
  const worker = Number(process.env.VITEST_POOL_ID ?? '1');
  const url = urls[worker - 1];
  if (!url) throw new Error(`No test database for worker ${worker} (${urls.length} made)`);
  return url;
}

/** The maintenance database on the same server, to create and drop the test database. */
export function adminUrlFor(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}
