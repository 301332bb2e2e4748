import { defineConfig } from 'vitest/config';

// The Stripe sandbox tests need no database: this config deliberately skips the main
// config's globalSetup (owned by the database work) so they run standalone and fast.
export default defineConfig({
  test: {
    include: ['test/stripe-sandbox/**/*.test.ts'],
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
