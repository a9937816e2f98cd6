// The SDK as a user installs it: packed with npm pack, installed into a fresh
// project, imported as ESM and as CommonJS (scripts/check-sdk-package.sh).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './setup.js';

describe('SDK package', () => {
  it('installs from its tarball and imports as ESM and CJS', () => {
    const out = execFileSync('bash', ['scripts/check-sdk-package.sh'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toMatch(/sdk package: ok/);
  }, 180_000);
});
