import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Fails the run when gridsync called a retired HubSpot path anywhere in the suite (issue 10).
    globalSetup: ['test/support/retired-paths-check.ts'],
    // Tests that share the PostgreSQL server isolate themselves by schema, so files may run in parallel.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
