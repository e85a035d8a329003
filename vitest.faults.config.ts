import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** The slow fault tests (outages, kills, shutdowns under load): `npm run test:faults`. */
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/faults/**/*.test.ts'],
    exclude: ['node_modules/**'],
    maxWorkers: 1,
    testTimeout: 180_000,
  },
});
