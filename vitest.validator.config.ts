import { defineConfig } from 'vitest/config';

// The suite against a real solana-test-validator (tests/validator): one
// validator, tests in order, generous timeouts (RPC confirmation, real clock).
export default defineConfig({
  test: {
    include: ['tests/validator/**/*.test.ts'],
    globalSetup: ['tests/shared/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
