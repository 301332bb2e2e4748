import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The finance format tests are pure: no database globalSetup, so they run anywhere in seconds.
// `npx vitest run --config test/finance/vitest.config.ts`
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/finance/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
