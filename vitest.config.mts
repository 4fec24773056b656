import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/report-backends.ts', 'test/setup/probe-peers.ts'],
    // Separate processes: each file gets its own addon and thread pool (worker_threads are
    // tested on purpose in test/reliability/workers.test.ts), and a crash takes down one file.
    pool: 'forks',
    testTimeout: 60_000,
  },
});
