import { defineConfig } from 'tsup';
import { DUAL_PACKAGE } from '../tsup.config.js';

// @job-escrow/kit: the Kit door, built from the same sources as the SDK
// (../src/kit and the pure rules in ../src/core), with the SDK's build
// options; the test kit finds the shipped program next to its module.
export default defineConfig({
  ...DUAL_PACKAGE,
  entry: { index: '../src/kit/index.ts', testing: '../src/kit/testing.ts' },
  tsconfig: 'tsconfig.json',
});
