import { build } from 'esbuild';
import { defineConfig, type Options } from 'tsup';

// Dual ESM/CJS with declarations, for both packages (@job-escrow/kit's
// kit/tsup.config.ts takes these too). Shared modules are split into chunks
// in both formats, so one process that loads several entries (the client and
// the test kit, say) holds one copy of each class. `shims` gives the CJS
// build the import.meta.url the test kit uses to find the shipped program.
export const DUAL_PACKAGE: Options = {
  format: ['esm', 'cjs'],
  splitting: true,
  shims: true,
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
};

export default defineConfig({
  ...DUAL_PACKAGE,
  entry: {
    index: 'src/index.ts',
    pay: 'src/pay/index.ts',
    server: 'src/server/index.ts',
    litesvm: 'src/litesvm/index.ts',
    testing: 'src/testing/index.ts',
    operator: 'src/operator/index.ts',
    x402: 'src/x402/index.ts',
    'serve-pay': 'src/bin/serve-pay.ts',
    'job-escrow': 'src/bin/job-escrow.ts',
  },
  // The top-up page's browser code: one minified script the server serves
  // as /topup.js (no module loader, no Node built-ins).
  async onSuccess() {
    await build({
      entryPoints: ['src/server/page/app.ts'],
      outfile: 'dist/topup-page.js',
      bundle: true,
      minify: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      legalComments: 'none',
      logLevel: 'warning',
    });
  },
});
