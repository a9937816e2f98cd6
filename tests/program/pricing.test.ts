import { describe, expect, it } from 'vitest';
import { JobEscrowErrorCode as E, creditsToUsdc, formatUnits, parseUnits, quote } from '../../sdk/src/index.js';
import { Escrow, expectProgramError } from '../shared/index.js';

const TOKENS = [0, 1, 499, 500, 501, 749, 750, 751, 999, 1_000, 1_001, 1_500, 10_000, 123_457, 999_999, 1_000_000];

describe('pricing', () => {
  it('quote equals the price the program locks, for every tier and token count', () => {
    // Given the highest per-job token ceiling and a user rich enough to lock the most expensive job
    const env = new Escrow({ maxOutputTokensPerJob: 1_000_000 });
    const u = env.user({ usdc: 10n ** 15n });
    env.purchase(u, 10n ** 10n);
    let jobId = 1n;
    for (let tier = 0; tier < 4; tier++) {
      for (const tokens of TOKENS) {
        // When the program prices a lock, Then it is quote(tier, tokens)
        const job = env.lock(u, { jobId: jobId++, tier, maxOutputTokens: tokens });
        expect(env.job(u, job)?.creditsLocked, `tier ${tier}, ${tokens} tokens`).toBe(quote(tier, tokens));
        env.refund(u, job);
      }
    }
    expect(quote(3, 2 ** 32 - 1)).toBe(40n + 85_899_336n);
    // Beyond the ceiling the program prices nothing
    expectProgramError(() => env.lock(u, { jobId: jobId++, tier: 3, maxOutputTokens: 1_000_001 }), E.MaxOutputTokensTooLarge);
    expect(quote(1, 501)).toBeGreaterThan(quote(1, 500));
  });

  it('rejects an unknown tier and negative tokens', () => {
    expect(() => quote(4, 1)).toThrow(RangeError);
    expect(() => quote(0, -1)).toThrow(RangeError);
  });

  it('converts credits and USDC with exact decimals, no floating point', () => {
    expect(creditsToUsdc(150n)).toBe('1.5');
    expect(creditsToUsdc(1n)).toBe('0.01');
    expect(creditsToUsdc(0n)).toBe('0');
    expect(formatUnits(1_234_567n)).toBe('1.234567');
    expect(formatUnits(-80_000n)).toBe('-0.08');
    expect(formatUnits(18_446_744_073_709_551_615n)).toBe('18446744073709.551615');
    expect(parseUnits('1.5')).toBe(1_500_000n);
    expect(parseUnits('0.000001')).toBe(1n);
    expect(parseUnits('18446744073709.551615')).toBe(18_446_744_073_709_551_615n);
    for (const bad of ['', '1.', '.5', '1e3', '-1', '0.0000001', 'abc']) expect(() => parseUnits(bad)).toThrow(RangeError);
  });
});
