import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The real-validator suite has its own config (vitest.validator.config.ts).
    exclude: ['tests/validator/**', 'node_modules/**'],
    // Builds the program and the x87 guard; every worker then loads the guard
    // before any test touches LiteSVM (tests/support/x87guard.cc).
    globalSetup: ['tests/global-setup.ts'],
    setupFiles: ['tests/support/x87-guard.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
