// The packages as an app installs them, each packed with npm pack and
// installed into a fresh project with only its declared dependencies. The
// Anchor door (@job-escrow/sdk): a full lifecycle through the test kit
// compiled with tsc --strict (no skipLibCheck) and run 20 times as ESM and 20
// times as CommonJS in fresh Node processes, with no native guard
// (scripts/check-sdk-package.sh). The Kit door (@job-escrow/kit) alone, with
// no Anchor or web3.js installed, and beside @solana/pay 1.x on @solana/kit 6;
// the Anchor door beside @solana/pay 1.x (scripts/check-kit-package.sh). The
// CLI door (the package alone, its `job-escrow` bin) runs against the real
// validator (tests/validator/validator.test.ts).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../shared/index.js';

describe('SDK package', () => {
  // Asynchronous, so the worker keeps answering vitest while the script runs.
  it('runs the lifecycle from its tarball 40 times (ESM and CJS) without a crash', async () => {
    const { stdout: out } = await promisify(execFile)('bash', ['scripts/check-sdk-package.sh'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RUNS: '20' }, maxBuffer: 1 << 24 });
    const report = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!);
    expect(report).toMatchObject({ runs: 40, passed: 40, crashes: 0 });
    expect(out).toMatch(/sdk package: ok/);
  }, 600_000);

  // Runs second: packs the Kit package; reuses the SDK's tarball the test above packed.
  it('the Kit door: open → withdraw in LiteSVM with no Anchor or web3.js installed, and beside @solana/pay 1 on Kit 6; its browser bundle within 40 KB gzipped', async () => {
    const { stdout: out } = await promisify(execFile)('bash', ['scripts/check-kit-package.sh'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
    const report = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!);
    // 500 credits bought; a Standard job of 1,200 tokens charges 8 + ceil(700 × 4 / 1000) = 11, 80 % to the worker, 20 % kept as fees (2.2 credits = 22,000 base units).
    expect(report.lifecycle).toEqual({ charged: '11', withdrawn: '489', vaultLeft: '22000', aliceUsdc: '9890000' });
    expect(report.kitBundle.gzip).toBeLessThanOrEqual(40_000);
    expect(report.kitBundle.packages).toContain('@solana/kit');
    for (const heavy of ['@solana/web3.js', '@coral-xyz/anchor', 'bn.js']) expect(report.kitBundle.packages).not.toContain(heavy);
    expect(report.anchorBundle.gzip).toBeGreaterThan(report.kitBundle.gzip);
    // @solana/pay 1 picks Kit 6 and token 0.12: the same lifecycle, and its parser reads our top-up URL (250 credits = 2.5 USDC).
    expect(report.withPay1.kit).toMatch(/^6\./);
    expect(report.withPay1.lifecycle).toEqual(report.lifecycle);
    expect(report.withPay1.topUp).toEqual({ purchased: '250', vault: '2500000' });
    expect(out).toMatch(/kit package: ok/);
  }, 600_000);

  // The README states Node 20.19+ and is tested on 20.20 (this process) and
  // on 22 (the official binary from the npm registry: scripts/setup-node22.sh);
  // npm and npx run on it too, so the installs are Node 22's.
  it('the Anchor, Kit and CLI doors on Node 22', async () => {
    const run = promisify(execFile);
    const bin = (await run('bash', ['scripts/setup-node22.sh'], { cwd: ROOT, encoding: 'utf8' })).stdout.trim();
    // The user's environment: none of the npm settings our own `npx vitest` put there (scripts/user-env.sh does the same in the scripts).
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_'))), PATH: `${bin}:${process.env.PATH}`, RUNS: '1' };
    const sdk = await run('bash', ['scripts/check-sdk-package.sh'], { cwd: ROOT, encoding: 'utf8', env, maxBuffer: 1 << 24 });
    expect(JSON.parse(sdk.stdout.split('\n').find((l) => l.startsWith('{'))!)).toMatchObject({ node: expect.stringMatching(/^v22\./), runs: 2, passed: 2, crashes: 0 });
    const kit = await run('bash', ['scripts/check-kit-package.sh'], { cwd: ROOT, encoding: 'utf8', env, maxBuffer: 1 << 24 });
    const report = JSON.parse(kit.stdout.split('\n').find((l) => l.startsWith('{'))!);
    expect(report.node).toMatch(/^v22\./);
    expect(report.lifecycle).toEqual({ charged: '11', withdrawn: '489', vaultLeft: '22000', aliceUsdc: '9890000' });
    expect(report.withPay1.topUp).toEqual({ purchased: '250', vault: '2500000' });
    // The CLI door: the package alone, its bin on Node 22 (a read-only command needs no keypair; no cluster here, so it says so in one line).
    const home = (await run('bash', ['scripts/install-packed.sh', 'sdk'], { cwd: ROOT, encoding: 'utf8', env })).stdout.trim();
    const cli = await run('bash', ['-c', 'node --version && npx job-escrow --version && { npx job-escrow balance 11111111111111111111111111111111 --url http://127.0.0.1:9 2>&1; echo "exit $?"; }; rm -rf "$PWD"'], { cwd: home, encoding: 'utf8', env });
    expect(cli.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^v22\./), 'job-escrow 1.0.0', 'error: cannot reach http://127.0.0.1:9: is a validator running?', 'exit 1']);
  }, 900_000);
});
