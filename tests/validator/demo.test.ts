// npm run demo -- --rpc <url>: the same lifecycle against a fresh
// solana-test-validator (its own instance: the demo creates the config).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../shared/index.js';
import { startValidator, type LocalValidator } from './harness.js';

let v: LocalValidator;

describe('npm run demo -- --rpc', () => {
  beforeAll(async () => {
    v = await startValidator({ rpcPort: 28899 });
  }, 240_000);
  afterAll(async () => v?.stop());

  it('walks the whole lifecycle on a running validator', async () => {
    // Not execFileSync: a test worker blocked for a minute misses vitest's worker RPC deadline (60 s).
    const { stdout: out } = await promisify(execFile)('bash', ['demo/run.sh', '--rpc', v.url, '--keypair', v.adminKeypairPath], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toContain(`on the validator at ${v.url}`);
    expect(out).toContain('jobs time out after 10 s');
    expect(out).toMatch(/the crank refunded 1 expired job\(s\)/);
    expect(out).toMatch(/balance: 21 credits available \(21 of them a bonus, spent first\) \(0\.21 USDC\), 0 withdrawable, 0 locked in 0 job\(s\), vault 0\.21 USDC, wallet 20 USDC/);
    expect(out).toMatch(/closed; treasury 0\.268 USDC, wallet 20 USDC/);
    expect(out).toContain('done: every step of the lifecycle succeeded');
  }, 180_000);
});
