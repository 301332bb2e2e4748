import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Integration tests share one PostgreSQL database and one Redis; each file gets its own
    // schema-free isolation through unique ids, but running files in parallel against the same
    // database would make the role matrix and list tests see each other's rows.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
