// The IDL and its TypeScript twin (sdk/src/generated/idl.ts) are generated
// by scripts/gen-idl.mjs, the Kit client (sdk/src/kit/generated) from the IDL
// by Codama (scripts/gen-kit-client.mjs); a hand edit or a forgotten
// regeneration (`npm run idl`) fails here.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../shared/index.js';

describe('generated IDL', () => {
  it('idl/job_escrow.json and sdk/src/generated/idl.ts are what scripts/gen-idl.mjs writes', () => {
    expect(execFileSync('node', ['scripts/gen-idl.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' })).toMatch(/idl: up to date/);
  });

  it('sdk/src/kit/generated is what Codama renders from the IDL now', () => {
    expect(execFileSync('node', ['scripts/gen-kit-client.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' })).toMatch(/kit client: up to date/);
  });
});
