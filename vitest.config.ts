import { defineConfig } from 'vitest/config';

// Node 20's V8 aborts with std::bad_alloc inside its allocation-site
// pretenuring step after a few LiteSVM transactions that run the ATA program
// (LiteSVM issue #171, linux-x64-gnu); with pretenuring off it does not
// (docs/toolchain.md).
export const NODE_FLAGS = ['--no-allocation-site-pretenuring'];

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { execArgv: NODE_FLAGS } },
  },
});
