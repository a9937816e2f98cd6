import { defineConfig } from 'tsup';

// Dual ESM/CJS with declarations; the IDL JSON is bundled into the code.
export default defineConfig({
  entry: { index: 'src/index.ts', litesvm: 'src/litesvm/provider.ts', pay: 'src/pay/index.ts', 'serve-pay': 'src/bin/serve-pay.ts', 'job-escrow': 'src/bin/job-escrow.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['@coral-xyz/anchor', '@solana/web3.js', '@solana/spl-token', 'bn.js', 'litesvm', '@solana/pay', 'bignumber.js', 'qrcode'],
});
