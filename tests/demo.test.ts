// README's first command runs to completion: npm run demo (demo/run.sh).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from './setup.js';
import { decodeQrPng } from './support/qr.js';

describe('npm run demo', () => {
  it('walks the whole lifecycle and writes the QR code and the CSV', async () => {
    const { stdout: out } = await promisify(execFile)('bash', ['demo/run.sh'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, maxBuffer: 1 << 24 });
    expect(out).toContain('done: every step of the lifecycle succeeded');
    expect(out).toMatch(/balance: 500 credits available \(5 USDC\)/);
    expect(out).toMatch(/the crank refunded 1 expired job\(s\)/);
    expect(out).toMatch(/balance: 0 credits available \(0 USDC\), 0 locked in 0 job\(s\), vault 0 USDC, wallet 19\.71 USDC/);
    const url = /URL: (solana:\S+)/.exec(out)![1];
    expect(decodeQrPng(readFileSync(`${ROOT}/target/demo/topup.png`))).toBe(url);
    const csv = readFileSync(`${ROOT}/target/demo/history.csv`, 'utf8').trim().split('\n');
    expect(csv.map((l) => l.split(',')[1])).toEqual(['kind', 'open', 'deposit', 'purchase', 'lock', 'lock', 'lock', 'settle', 'refund', 'refund', 'fees', 'withdraw']);
  }, 120_000);
});
