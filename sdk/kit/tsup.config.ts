import { defineConfig } from 'tsup';

// @job-escrow/kit: the Kit door, built from the same sources as the SDK
// (../src/kit and the pure rules in ../src/core). Dual ESM/CJS with
// declarations; the test kit finds the shipped program next to its module.
export default defineConfig({
  entry: { index: '../src/kit/index.ts', testing: '../src/kit/testing.ts' },
  tsconfig: 'tsconfig.json',
  format: ['esm', 'cjs'],
  splitting: true,
  shims: true,
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
});
