import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/report-backends.ts'],
    // Separate processes: the addon is not yet declared safe for worker_threads.
    pool: 'forks',
    testTimeout: 60_000,
  },
});
