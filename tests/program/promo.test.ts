// Promotional credits across the job path (specification section 7): spent
// first, never withdrawable, expired promo cannot back a new lock, jobs
// locked before the expiry still settle or refund.
import { createTransferInstruction } from '@solana/spl-token';
import { describe, expect, it } from 'vitest';
import { JobEscrowErrorCode as E, WITHDRAW_ALL, getWithdrawInstruction } from '../../sdk/src/index.js';
import { Escrow, expectProgramError, type User } from '../shared/index.js';

const withdraw = (env: Escrow, u: User, credits: bigint) =>
  env.send(getWithdrawInstruction({ owner: u.wallet.publicKey, mint: env.mint, destination: u.usdc }, { credits }), [u.wallet]);

describe('promotional credits on the job path', () => {
  it('settle spends promo credits first across mixed balances', () => {
    // Given 100 bought and 20 promo credits
    const env = new Escrow();
    const u = env.funded(100n);
    env.grant(u, 20n);
    // When a job charges 12, then another charges 12
    const a = env.lock(u, { tier: 1, maxOutputTokens: 1_500 });
    env.settle(u, a, { outputTokens: 1_500 });
    expect(env.credit(u)).toMatchObject({ promoCredits: 8n, charged: 12n });
    const b = env.lock(u, { tier: 1, maxOutputTokens: 1_500 });
    env.settle(u, b, { outputTokens: 1_500 });
    // Then the promo is used up (20), the rest of the second charge came from bought credits
    expect(env.credit(u)).toMatchObject({ promoCredits: 0n, charged: 24n, promoExpiresAt: 0n });
    expect(env.available(u)).toBe(96n);
  });

  it('withdraw never moves promo-backed USDC: not by amount, not with u64::MAX', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    env.grant(u, 50n);
    // 150 available, 100 withdrawable
    expectProgramError(() => withdraw(env, u, 101n), E.InsufficientCredits);
    withdraw(env, u, 100n);
    expectProgramError(() => withdraw(env, u, WITHDRAW_ALL), E.InsufficientCredits);
    // A plain deposit of $0.105 on top: everything withdrawable (10 credits and the dust), not the promo
    const donor = env.wallet();
    const donorUsdc = env.createTokenAccount(donor.publicKey, 105_000n);
    env.send(createTransferInstruction(donorUsdc, u.vault, donor.publicKey, 105_000n), [donor]);
    const sent = withdraw(env, u, WITHDRAW_ALL);
    expect(sent.events[0].data).toEqual({ credits: 10n, amount: 105_000n });
    expect(env.tokenBalance(u.vault)).toBe(500_000n);
    expect(env.credit(u).promoCredits).toBe(50n);
  });

  it('withdraw-all with only promo credits, part of them locked, withdraws nothing (found by the randomized checker)', () => {
    // Given an owner whose 100 bought credits are gone and who holds 50 promo credits, 27 of them locked by a job
    const env = new Escrow();
    const u = env.funded(100n);
    withdraw(env, u, 100n);
    env.grant(u, 50n);
    env.lock(u, { tier: 2, maxOutputTokens: 1_500 });
    // When it withdraws everything, Then nothing is withdrawable (not an arithmetic overflow) and nothing moves
    const before = env.snapshot([u.credit, u.vault, u.usdc]);
    expectProgramError(() => withdraw(env, u, WITHDRAW_ALL), E.InsufficientCredits);
    expectProgramError(() => withdraw(env, u, 1n), E.InsufficientCredits);
    expect(env.snapshot([u.credit, u.vault, u.usdc])).toEqual(before);
  });

  it('expired promo cannot back a new lock, on both sides of promo_expires_at; jobs locked before still settle', () => {
    // Given 10 bought and 30 promo credits expiring at T
    const env = new Escrow({ minPurchaseCredits: 10n });
    const u = env.funded(10n);
    const T = env.now() + 600n;
    env.grant(u, 30n, T);
    // A job locked one second before T may use promo: 27 credits (Pro, 1,500 tokens)
    env.warp(T - env.now() - 1n);
    const job = env.lock(u, { tier: 2, maxOutputTokens: 1_500 });
    // At T, only bought credits back a lock: 13 available, of which 30 promo → nothing
    env.warp(1);
    expectProgramError(() => env.lock(u, { tier: 0, maxOutputTokens: 0 }), E.InsufficientCredits);
    // The job locked before the expiry settles, promo first
    env.settle(u, job, { outputTokens: 1_500 });
    expect(env.credit(u)).toMatchObject({ promoCredits: 3n, charged: 27n });
    // 13 available, 3 of them expired promo: a 2-credit lock fits the 10 bought ones
    env.lock(u, { tier: 0, maxOutputTokens: 0 });
  });

  it('refund returns a lock that used promo credits to the promo balance it came from', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    env.grant(u, 40n);
    const job = env.lock(u, { tier: 2, maxOutputTokens: 1_500 });
    env.refund(u, job);
    expect(env.credit(u)).toMatchObject({ promoCredits: 40n, locked: 0n });
    expect(env.available(u)).toBe(140n);
  });
});
