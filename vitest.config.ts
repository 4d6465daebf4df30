import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Tests that share the PostgreSQL server isolate themselves by schema, so files may run in parallel.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
