// Overflow and over-spending.
import { describe, expect, it } from 'vitest';
import { DEFAULTS, JOB_ESCROW_PROGRAM_ID, JobEscrowErrorCode as E, findConfigPda, getLockInstruction, getPurchaseInstruction, getUpdateConfigInstruction, getWithdrawInstruction } from '../../../sdk/src/index.js';
import { Escrow, expectProgramError } from '../../shared/index.js';
import { scenario } from './scenario.js';

describe('attack: arithmetic and balances', () => {
  it('credits x price that overflows u64 → ArithmeticOverflow', () => {
    const { env, attacker, attempt } = scenario();
    const ix = getPurchaseInstruction({ owner: attacker.wallet.publicKey, mint: env.mint, source: attacker.usdc }, { credits: (1n << 64n) - 1n });
    attempt(() => env.send(ix, [attacker.wallet]), E.ArithmeticOverflow);
  });

  it('a lifetime counter at its limit → ArithmeticOverflow (no wrap-around)', () => {
    // Given the attacker's purchased counter at u64::MAX - 50
    const { env, attacker, attempt } = scenario();
    const bytes = env.data(attacker.credit)!;
    bytes.writeBigUInt64LE((1n << 64n) - 51n, 100);
    env.setRaw(attacker.credit, bytes, env.account(attacker.credit)!.owner);
    attempt(() => env.purchase(attacker, 100n), E.ArithmeticOverflow);
  });

  it('a tier whose price overflows u64: update_config refuses it; forced into the Config, lock → ArithmeticOverflow', () => {
    const { env, victim, attempt } = scenario();
    const tiers = DEFAULTS.tiers.map((t, i) => (i === 3 ? { ...t, per1kCredits: 1n << 62n } : t));
    attempt(() => env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, { tiers }), [env.admin]), E.InvalidConfigValue);
    // Max's per_1k_credits lives at 8 + 5 * 32 + 8 + 8 + 4 + 2 + 2 + 3 * 20 + 8 (docs/program.md)
    const [config] = findConfigPda();
    const bytes = env.data(config)!;
    bytes.writeBigUInt64LE(1n << 62n, 8 + 5 * 32 + 24 + 60 + 8);
    env.setRaw(config, bytes, JOB_ESCROW_PROGRAM_ID);
    attempt(() => env.lock(victim, { jobId: 800n, tier: 3, maxOutputTokens: 100_000 }), E.ArithmeticOverflow);
  });

  it('withdraw above available (locked credits are not available) → InsufficientCredits', () => {
    const { env, victim, attempt } = scenario();
    const ix = getWithdrawInstruction({ owner: victim.wallet.publicKey, mint: env.mint, destination: victim.usdc }, { credits: 89n });
    attempt(() => env.send(ix, [victim.wallet]), E.InsufficientCredits);
  });

  it('lock above available → InsufficientCredits', () => {
    const { env, victim, attempt } = scenario();
    // 88 available; Max at 3,000 tokens costs 40 + 50 = 90
    attempt(() => env.lock(victim, { jobId: 801n, tier: 3, maxOutputTokens: 3_000 }), E.InsufficientCredits);
  });
});

describe('attack: boundaries and corrupted balances', () => {
  it('a lock of exactly the available credits passes, one more is refused', () => {
    // Given 100 credits: Lite at 98,500 tokens costs 2 + 98 = 100, at 99,500 costs 101
    const env = new Escrow();
    const u = env.funded(100n);
    expectProgramError(() => env.lock(u, { tier: 0, maxOutputTokens: 99_500 }), E.InsufficientCredits);
    env.lock(u, { tier: 0, maxOutputTokens: 98_500 });
    expect(env.available(u)).toBe(0n);
  });

  it('a withdrawal of exactly the available credits passes, one more is refused', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    const w = (credits: bigint) => env.send(getWithdrawInstruction({ owner: u.wallet.publicKey, mint: env.mint, destination: u.usdc }, { credits }), [u.wallet]);
    expectProgramError(() => w(101n), E.InsufficientCredits);
    w(100n);
    expect(env.tokenBalance(u.vault)).toBe(0n);
  });

  it('a lock that names another user\'s (richer) vault → InvalidVault', () => {
    const { env, victim, attacker, attempt } = scenario();
    env.purchase(attacker, 10_000n);
    // The victim has 88 available; against the attacker's vault a 130-credit job would fit
    const ix = getLockInstruction(
      { authority: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, vault: attacker.vault },
      { jobId: 990n, tier: 3, maxOutputTokens: 5_000 },
    );
    attempt(() => env.send(ix, [env.operator]), E.InvalidVault);
  });

  it('a corrupted account whose lock exceeds its vault is an ArithmeticOverflow, never a wrapped balance', () => {
    // Given a credit account (forced bytes) claiming 1,000 credits locked with $1 in its vault
    const { env, attacker, attempt } = scenario();
    const bytes = env.data(attacker.credit)!;
    bytes.writeBigUInt64LE(1_000n, 72); // locked
    env.setRaw(attacker.credit, bytes, JOB_ESCROW_PROGRAM_ID);
    const ix = getWithdrawInstruction({ owner: attacker.wallet.publicKey, mint: env.mint, destination: attacker.usdc }, { credits: 1n });
    attempt(() => env.send(ix, [attacker.wallet]), E.ArithmeticOverflow);
    attempt(() => env.lock(attacker, { tier: 0, maxOutputTokens: 0, jobId: 991n }), E.ArithmeticOverflow);
  });
});

describe('attack: time at the edge of i64', () => {
  it('a lock whose expiry would pass i64::MAX → ArithmeticOverflow (never a wrapped, already-expired job)', () => {
    const { env, victim, attempt } = scenario();
    env.warp((1n << 63n) - 1n - env.now() - 60n); // now = i64::MAX - 60, the timeout is 120 s
    attempt(() => env.lock(victim, { jobId: 992n }), E.ArithmeticOverflow);
  });
});
