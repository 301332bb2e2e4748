import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

// The finance format tests are pure: no database globalSetup, so they run anywhere in seconds.
// `npx vitest run --config test/finance/vitest.config.ts`
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/finance/**/*.test.ts'],
    // The reports read PostgreSQL: they run with the main config and its database setup.
    exclude: [...configDefaults.exclude, 'test/finance/reports/**'],
    testTimeout: 30_000,
  },
});
