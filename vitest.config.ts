import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The PostgreSQL server the store tests run on: started once for the run, stopped and deleted after it.
    globalSetup: ['./test/support/postgres-server.ts'],
    // Each test file's temporary folders are removed after its last test; every card drawn is checked against its
    // own expansion.
    setupFiles: ['./test/support/remove-temp-folders.ts', './test/support/verify-card-shapes.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
