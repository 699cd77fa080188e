import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native modules (better-sqlite3, serialport) and child processes behave best in forks.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Our machines have two cores; the heavy tests (kill -9 loops, FFmpeg) must not starve each other.
    maxWorkers: 2,
  },
});
