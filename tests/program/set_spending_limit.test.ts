import { describe, expect, it } from 'vitest';
import { JobEscrowErrorCode as E, getSetSpendingLimitInstruction } from '../../sdk/src/index.js';
import { Escrow, expectProgramError } from '../shared/index.js';

describe('set_spending_limit', () => {
  it('lets the owner set and clear a per-job cap', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    const sent = env.send(getSetSpendingLimitInstruction({ owner: u.wallet.publicKey }, { maxCreditsPerJob: 25n }), [u.wallet]);
    expect(env.credit(u).maxCreditsPerJob).toBe(25n);
    expect(sent.events).toEqual([{ name: 'SpendingLimitSet', data: { maxCreditsPerJob: 25n, dailyLimitCredits: 0n } }]);
    expectProgramError(() => env.lock(u, { tier: 2, maxOutputTokens: 1_500 }), E.SpendingLimitExceeded); // 27 credits
    env.send(getSetSpendingLimitInstruction({ owner: u.wallet.publicKey }, { maxCreditsPerJob: 0n }), [u.wallet]);
    env.lock(u, { tier: 2, maxOutputTokens: 1_500 });
    expect(env.credit(u).locked).toBe(27n);
  });

  it('rejects anyone but the owner (the operator cannot lift a cap)', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    const ix = getSetSpendingLimitInstruction({ owner: env.operator.publicKey, creditAccount: u.credit }, { maxCreditsPerJob: 1n });
    expectProgramError(() => env.send(ix, [env.operator]), E.Unauthorized);
    expect(env.credit(u).maxCreditsPerJob).toBe(0n);
  });
});

describe('set_spending_limit: the daily limit', () => {
  const DAY = 86_400;

  it('caps what jobs may take per 24-hour window; a lock beyond it changes nothing', () => {
    // Given an owner with 1,000 credits and a daily limit of 100
    const env = new Escrow();
    const u = env.funded(1_000n);
    const sent = env.send(getSetSpendingLimitInstruction({ owner: u.wallet.publicKey }, { maxCreditsPerJob: 0n, dailyLimitCredits: 100n }), [u.wallet]);
    expect(sent.events).toEqual([{ name: 'SpendingLimitSet', data: { maxCreditsPerJob: 0n, dailyLimitCredits: 100n } }]);
    // When the operator locks 27 + 27 + 27 credits (Pro, 1,500 tokens), the window holds 81
    const start = env.now();
    for (let i = 0; i < 3; i++) env.lock(u, { tier: 2, maxOutputTokens: 1_500 });
    expect(env.credit(u)).toMatchObject({ windowStart: start, spentInWindow: 81n, locked: 81n });
    // Then a fourth (81 + 27 > 100) is refused, exactly at the limit is not
    const before = env.snapshot([u.credit, u.vault]);
    expectProgramError(() => env.lock(u, { tier: 2, maxOutputTokens: 1_500 }), E.DailyLimitExceeded);
    expect(env.snapshot([u.credit, u.vault])).toEqual(before);
    env.lock(u, { tier: 0, maxOutputTokens: 17_500 }); // 2 + 17 = 19: 81 + 19 = 100
    expect(env.credit(u).spentInWindow).toBe(100n);
    expectProgramError(() => env.lock(u, { tier: 0, maxOutputTokens: 0 }), E.DailyLimitExceeded);
    // And one second before the window ends it still holds; at 24 h a new window opens
    env.warp(DAY - 1);
    expectProgramError(() => env.lock(u, { tier: 0, maxOutputTokens: 0 }), E.DailyLimitExceeded);
    env.warp(1);
    env.lock(u, { tier: 0, maxOutputTokens: 0 });
    expect(env.credit(u)).toMatchObject({ windowStart: start + BigInt(DAY), spentInWindow: 2n });
  });

  it('a refund gives the whole lock back to the window, a settle the part it did not charge', () => {
    const env = new Escrow();
    const u = env.funded(1_000n);
    env.send(getSetSpendingLimitInstruction({ owner: u.wallet.publicKey }, { maxCreditsPerJob: 0n, dailyLimitCredits: 50n }), [u.wallet]);
    const a = env.lock(u, { tier: 2, maxOutputTokens: 1_500 }); // 27
    const b = env.lock(u, { tier: 1, maxOutputTokens: 1_500 }); // 12
    expect(env.credit(u).spentInWindow).toBe(39n);
    env.refund(u, a);
    expect(env.credit(u).spentInWindow).toBe(12n);
    env.settle(u, b, { outputTokens: 500 }); // charged 8 of 12
    expect(env.credit(u).spentInWindow).toBe(8n);
    // A job locked in an earlier window gives nothing back to the new one
    const c = env.lock(u, { tier: 2, maxOutputTokens: 1_500 }); // 27: 35
    env.warp(DAY);
    env.lock(u, { tier: 0, maxOutputTokens: 0 }); // opens a new window at 2
    env.refund(u, c, env.operator);
    expect(env.credit(u).spentInWindow).toBe(2n);
  });

  it('bounds what a malicious operator can take per day to the daily limit', () => {
    // Given an owner with $100 (10,000 credits) and a daily limit of 500 credits,
    // and an operator that locks the largest jobs it can and settles them at the top share to a wallet it controls
    const env = new Escrow({ maxOutputTokensPerJob: 1_000_000 });
    const u = env.funded(10_000n);
    env.send(getSetSpendingLimitInstruction({ owner: u.wallet.publicKey }, { maxCreditsPerJob: 0n, dailyLimitCredits: 500n }), [u.wallet]);
    const thief = env.worker();
    // When it tries the whole balance in one Max job, Then the limit refuses it
    expectProgramError(() => env.lock(u, { tier: 3, maxOutputTokens: 1_000_000 }), E.DailyLimitExceeded);
    // And draining job after job stops at 500 credits for the day
    let taken = 0n;
    for (let i = 0; i < 10; i++) {
      try {
        const job = env.lock(u, { tier: 3, maxOutputTokens: 5_000 }); // 40 + 90 = 130
        env.settle(u, job, { outputTokens: 5_000, bps: 8_500, provider: thief.usdc });
        taken += 130n;
      } catch {
        break;
      }
    }
    expect(taken).toBe(390n);
    expect(env.credit(u).charged).toBe(390n);
    expect(env.tokenBalance(thief.usdc)).toBe((390n * 10_000n * 8_500n) / 10_000n);
  });
});
