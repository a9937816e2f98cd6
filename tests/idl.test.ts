// The IDL and its TypeScript twin (sdk/src/generated/idl.ts) are generated
// by scripts/gen-idl.mjs; a hand edit or a forgotten regeneration fails here.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './setup.js';

describe('generated IDL', () => {
  it('idl/job_escrow.json and sdk/src/generated/idl.ts are what scripts/gen-idl.mjs writes', () => {
    expect(execFileSync('node', ['scripts/gen-idl.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' })).toMatch(/idl: up to date/);
  });
});
