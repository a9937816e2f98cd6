// The SDK as a dApp developer installs it: packed with npm pack, installed
// into a fresh project with only its declared dependencies, a full lifecycle
// through the test kit compiled with tsc --strict (no skipLibCheck) and run
// 20 times as ESM and 20 times as CommonJS in fresh Node processes, with no
// native guard (scripts/check-sdk-package.sh); then the Kit client from the
// same tarball in a Kit-only project (scripts/check-kit-package.sh).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './setup.js';

describe('SDK package', () => {
  // Asynchronous, so the worker keeps answering vitest while the script runs.
  it('runs the lifecycle from its tarball 40 times (ESM and CJS) without a crash', async () => {
    const { stdout: out } = await promisify(execFile)('bash', ['scripts/check-sdk-package.sh'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RUNS: '20' }, maxBuffer: 1 << 24 });
    const report = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!);
    expect(report).toMatchObject({ runs: 40, passed: 40, crashes: 0 });
    expect(out).toMatch(/sdk package: ok/);
  }, 600_000);

  // Runs second: reuses the tarball the test above packed (packs one if missing).
  it('the Kit client from the same tarball: open → withdraw in LiteSVM with @solana/kit only; its browser bundle within 40 KB gzipped', async () => {
    const { stdout: out } = await promisify(execFile)('bash', ['scripts/check-kit-package.sh'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
    const report = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!);
    // 500 credits bought; a Standard job of 1,200 tokens charges 8 + ceil(700 × 4 / 1000) = 11, 80 % to the worker, 20 % kept as fees (2.2 credits = 22,000 base units).
    expect(report.lifecycle).toEqual({ charged: '11', withdrawn: '489', vaultLeft: '22000', aliceUsdc: '9890000' });
    expect(report.kitBundle.gzip).toBeLessThanOrEqual(40_000);
    expect(report.kitBundle.packages).toContain('@solana/kit');
    for (const heavy of ['@solana/web3.js', '@coral-xyz/anchor', 'bn.js']) expect(report.kitBundle.packages).not.toContain(heavy);
    expect(report.anchorBundle.gzip).toBeGreaterThan(report.kitBundle.gzip);
    expect(out).toMatch(/kit package: ok/);
  }, 600_000);
});
