import { describe, expect, it } from 'vitest';
import { JobEscrowErrorCode as E, getSetSpendingLimitInstruction } from '../sdk/src/index.js';
import { Escrow, expectProgramError } from './setup.js';

describe('set_spending_limit', () => {
  it('lets the owner set and clear a per-job cap', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    const sent = env.send(getSetSpendingLimitInstruction({ owner: u.wallet.publicKey }, { maxCreditsPerJob: 25n }), [u.wallet]);
    expect(env.credit(u).maxCreditsPerJob).toBe(25n);
    expect(sent.events).toEqual([{ name: 'SpendingLimitSet', data: { maxCreditsPerJob: 25n } }]);
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
