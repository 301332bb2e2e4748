import { test as base } from 'vitest';
import { startTestPlatform, type TestPlatformOptions } from './test-platform.ts';

/**
 * `test` with the platform as the file-scoped fixture `p`, built through `createPlatform` (see
 * `startTestPlatform`): set up for the first test or `test.beforeAll` hook of a file that asks for
 * it, closed after the file's last test and its `afterAll` hooks. A file picks what its platform
 * runs once, at the top:
 *
 *   const test = platformTest({ workers: true, env: { PAYMENT_EXPIRY_MINUTES: '1' } });
 *   test.beforeAll(async ({ p }) => { officeId = (await seedOffice(p.db)).office.id; });
 *   test('a paid booking …', async ({ p }) => { … });
 */
export function platformTest(options: TestPlatformOptions = {}) {
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern; it has none
  return base.extend('p', { scope: 'file' }, async ({}, { onCleanup }) => {
    const p = await startTestPlatform(options);
    onCleanup(() => p.close());
    return p;
  });
}

/** The platform with the API and the hosted Stripe sandbox, without workers. */
export const test = platformTest();
