// README's first command runs to completion: npm run demo (demo/run.sh).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../shared/index.js';
import { decodeQrPng } from '../shared/qr.js';

describe('npm run demo', () => {
  it('walks the whole lifecycle and writes the QR code and the CSV', async () => {
    const { stdout: out } = await promisify(execFile)('bash', ['demo/run.sh'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, maxBuffer: 1 << 24 });
    expect(out).toContain('done: every step of the lifecycle succeeded');
    expect(out).toMatch(/balance: 500 credits available \(5 USDC\), 500 withdrawable/);
    expect(out).toMatch(/charged 29 credits, all from the welcome bonus/);
    expect(out).toMatch(/the crank refunded 1 expired job\(s\)/);
    expect(out).toMatch(/balance: 21 credits available \(21 of them a bonus, spent first\) \(0\.21 USDC\), 0 withdrawable, 0 locked in 0 job\(s\), vault 0\.21 USDC, wallet 20 USDC/);
    expect(out).toMatch(/closed; treasury 0\.268 USDC, wallet 20 USDC/);
    const url = /URL: (solana:\S+)/.exec(out)![1];
    expect(decodeQrPng(readFileSync(`${ROOT}/target/demo/topup.png`))).toBe(url);
    const csv = readFileSync(`${ROOT}/target/demo/history.csv`, 'utf8').trim().split('\n');
    expect(csv.map((l) => l.split(',')[1])).toEqual(['kind', 'open', 'deposit', 'grant', 'purchase', 'lock', 'lock', 'lock', 'settle', 'refund', 'refund', 'fees', 'withdraw', 'expire', 'close']);
  }, 120_000);
});
