import { Keypair } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  JobEscrowErrorCode as E,
  decodeConfig,
  findConfigPda,
  getUpdateConfigInstruction,
} from '../sdk/src/index.js';
import { Escrow, expectProgramError } from './setup.js';

const [CONFIG] = findConfigPda();

describe('update_config', () => {
  it('changes only the fields given, never the mint or the price, and emits ConfigUpdated', () => {
    const env = new Escrow();
    const before = decodeConfig(env.data(CONFIG)!);
    const operator = Keypair.generate().publicKey;
    const treasury = env.createTokenAccount(Keypair.generate().publicKey);
    const tiers = DEFAULTS.tiers.map((t) => ({ ...t, includedTokens: 1_000 }));
    const sent = env.send(
      getUpdateConfigInstruction(
        { admin: env.admin.publicKey },
        { operator, treasury, minPurchaseCredits: 500n, jobTimeoutSecs: 30, providerShareBpsMin: 7_000, providerShareBpsMax: 9_000, tiers, paused: true },
      ),
      [env.admin],
    );
    const after = decodeConfig(env.data(CONFIG)!);
    expect(after).toEqual({
      ...before,
      operator,
      treasury,
      minPurchaseCredits: 500n,
      jobTimeoutSecs: 30,
      providerShareBpsMin: 7_000,
      providerShareBpsMax: 9_000,
      tiers,
      paused: true,
    });
    const { bump: _b, ...body } = after;
    expect(sent.events).toEqual([{ name: 'ConfigUpdated', data: body }]);
    // An empty update changes nothing but is still a valid call
    env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, {}), [env.admin]);
    expect(decodeConfig(env.data(CONFIG)!)).toEqual(after);
  });

  it('rejects anyone but the admin', () => {
    const env = new Escrow();
    const before = env.snapshot([CONFIG]);
    const operator = env.operator;
    expectProgramError(() => env.send(getUpdateConfigInstruction({ admin: operator.publicKey }, { paused: true }), [operator]), E.Unauthorized);
    expect(env.snapshot([CONFIG])).toEqual(before);
  });

  it('rejects inconsistent share bounds and a treasury of another mint, changing nothing', () => {
    const env = new Escrow();
    const before = env.snapshot([CONFIG]);
    const send = (args: Parameters<typeof getUpdateConfigInstruction>[1]) =>
      env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, args), [env.admin]);
    expectProgramError(() => send({ providerShareBpsMin: 9_000 }), E.InvalidConfigValue); // min above the max 8,500
    expectProgramError(() => send({ providerShareBpsMax: 10_001 }), E.InvalidConfigValue);
    expectProgramError(() => send({ jobTimeoutSecs: 0 }), E.InvalidConfigValue);
    const otherMint = Keypair.generate().publicKey;
    env.createMint(otherMint, 6);
    const wrongTreasury = env.createTokenAccount(Keypair.generate().publicKey, 0n, { mint: otherMint });
    expectProgramError(() => send({ treasury: wrongTreasury }), E.InvalidTreasury);
    expect(env.snapshot([CONFIG])).toEqual(before);
  });

  it('makes a new timeout apply to the next lock', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, { jobTimeoutSecs: 5 }), [env.admin]);
    const job = env.lock(u);
    expect(env.job(job).expiresAt).toBe(env.now() + 5n);
  });
});
