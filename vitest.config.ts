import { defineConfig } from 'vitest/config';

const workers = Number.parseInt(process.env.TEST_WORKERS ?? '', 10);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Two files at a time (the machine has two cores; PostgreSQL, Redis and Chromium share them).
    // Each worker has a database of its own (global-setup.ts), and every platform a test starts
    // has its own queue prefix and ports, so files in different workers cannot see each other.
    fileParallelism: true,
    maxWorkers: workers > 0 ? workers : 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
