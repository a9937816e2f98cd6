import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The real-validator suite has its own config (vitest.validator.config.ts).
    exclude: ['tests/validator/**', 'node_modules/**'],
    // Builds the program before any test.
    globalSetup: ['tests/shared/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
