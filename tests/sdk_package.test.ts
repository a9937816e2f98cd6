// The SDK as a dApp developer installs it: packed with npm pack, installed
// into a fresh project with only its declared dependencies, a full lifecycle
// through the test kit compiled with tsc --strict (no skipLibCheck) and run
// 20 times as ESM and 20 times as CommonJS in fresh Node processes, with no
// native guard (scripts/check-sdk-package.sh).
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
});
