import { defineConfig } from 'vitest/config';

// Route-solver tests only: no database globalSetup, so they run anywhere in seconds.
export default defineConfig({
  test: {
    include: ['test/routing/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
