import { defineConfig } from 'vitest/config';

/**
 * Each test file runs in its own process (forks + isolate): chDB lets one process hold one data
 * directory, and each file opens its own in a temporary folder. One shared redis-server is started
 * by the global setup (unless REDIS_URL is set); files keep apart with their own key prefix.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/faults/**', 'node_modules/**'],
    pool: 'forks',
    isolate: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default'],
  },
});
