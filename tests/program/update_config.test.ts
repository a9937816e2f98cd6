import { Keypair } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  JobEscrowErrorCode as E,
  decodeConfig,
  findConfigPda,
  getUpdateConfigInstruction,
} from '../../sdk/src/index.js';
import { Escrow, TestEnv, expectProgramError } from '../shared/index.js';

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

  it('bounds every value that can hold user funds, on both sides of each bound (docs/program.md, Config bounds)', () => {
    const env = new Escrow();
    const send = (args: Parameters<typeof getUpdateConfigInstruction>[1]) =>
      env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, args), [env.admin]);
    const rejected = (args: Parameters<typeof getUpdateConfigInstruction>[1]) => {
      const before = env.snapshot([CONFIG]);
      expectProgramError(() => send(args), E.InvalidConfigValue);
      expect(env.snapshot([CONFIG])).toEqual(before);
    };
    // The job timeout: 10 s to one day (u32::MAX, 136 years, used to pass)
    rejected({ jobTimeoutSecs: 9 });
    send({ jobTimeoutSecs: 10 });
    send({ jobTimeoutSecs: 86_400 });
    rejected({ jobTimeoutSecs: 86_401 });
    rejected({ jobTimeoutSecs: 2 ** 32 - 1 });
    // The per-job token ceiling: 1 to 1,000,000
    rejected({ maxOutputTokensPerJob: 0 });
    send({ maxOutputTokensPerJob: 1 });
    send({ maxOutputTokensPerJob: 1_000_000 });
    rejected({ maxOutputTokensPerJob: 1_000_001 });
    // The largest job (each tier at the ceiling) at most 1,000,000 credits: at 100,000 tokens
    // Max at 10,000 per 1k costs 40 + 995,000 = 995,040; at 10,051 per 1k, 40 + 1,000,075
    send({ maxOutputTokensPerJob: 100_000 });
    const maxAt = (per1kCredits: bigint) => DEFAULTS.tiers.map((t, i) => (i === 3 ? { ...t, per1kCredits } : t));
    send({ tiers: maxAt(10_000n) });
    rejected({ tiers: maxAt(10_051n) });
    rejected({ tiers: maxAt(1n << 62n) }); // overflows u64 at the ceiling
    // and raising the ceiling under an expensive tier is refused as well
    rejected({ maxOutputTokensPerJob: 200_000 });
    // The share bounds: min <= max <= 10,000
    send({ providerShareBpsMin: 8_500, providerShareBpsMax: 8_500 });
    rejected({ providerShareBpsMin: 8_501 });
    send({ providerShareBpsMax: 10_000 });
    rejected({ providerShareBpsMax: 10_001 });
  });

  it('initialize_config applies the same bounds', () => {
    for (const args of [{ jobTimeoutSecs: 9 }, { jobTimeoutSecs: 86_401 }, { maxOutputTokensPerJob: 0 }, { maxOutputTokensPerJob: 1_000_001 }]) {
      const env = new TestEnv();
      expectProgramError(() => env.initializeConfig(args), E.InvalidConfigValue);
      expect(env.data(CONFIG)).toBeNull();
    }
    expect(decodeConfig(new Escrow({ jobTimeoutSecs: 86_400, maxOutputTokensPerJob: 1_000_000 }).data(CONFIG)!)).toMatchObject({ jobTimeoutSecs: 86_400, maxOutputTokensPerJob: 1_000_000 });
  });

  it('makes a new timeout apply to the next lock', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, { jobTimeoutSecs: 10 }), [env.admin]);
    const job = env.lock(u);
    expect(env.job(u, job)?.expiresAt).toBe(env.now() + 10n);
  });
});
