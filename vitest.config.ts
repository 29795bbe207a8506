import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/harness/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Real servers (apiserver, PostgreSQL) are shared; two workers keep a 2-core machine responsive.
    maxWorkers: 2,
  },
});
