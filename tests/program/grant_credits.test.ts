import { Keypair } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import { JobEscrowErrorCode as E, getGrantCreditsInstruction, getUpdateConfigInstruction } from '../../sdk/src/index.js';
import { Escrow, expectProgramError } from '../shared/index.js';

describe('grant_credits', () => {
  it('moves credits x price of the operator\'s USDC into the vault as promo credits and emits CreditsGranted', () => {
    // Given a user with 100 bought credits
    const env = new Escrow();
    const u = env.funded(100n);
    const source = env.operatorUsdc;
    const before = env.tokenBalance(source);
    // When the operator grants 50 credits that expire in a week
    const expiresAt = env.now() + 7n * 86_400n;
    const sent = env.grant(u, 50n, expiresAt);
    // Then the vault holds $1.50, 50 of the 150 available credits are promo, none of them withdrawable
    expect(env.tokenBalance(u.vault)).toBe(1_500_000n);
    expect(before - env.tokenBalance(source)).toBe(500_000n);
    expect(env.credit(u)).toMatchObject({ promoCredits: 50n, promoExpiresAt: expiresAt, granted: 50n, purchased: 100n });
    expect(env.available(u)).toBe(150n);
    expect(sent.events).toEqual([{ name: 'CreditsGranted', data: { credits: 50n, expiresAt } }]);
    // Compute budget: measured 2,058 (SBPF v3; p-token TransferChecked + CPI base 1,000 with the mint, clock 140, event 216; 1,894 with plain Transfer)
    expect(sent.computeUnits).toBeLessThanOrEqual(2_075);
  });

  it('keeps the later expiry of two grants, and never (0) wins; a grant after the promo ran out sets its own', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    const now = env.now();
    env.grant(u, 10n, now + 100n);
    env.grant(u, 10n, now + 50n);
    expect(env.credit(u).promoExpiresAt).toBe(now + 100n);
    env.grant(u, 10n, now + 200n);
    expect(env.credit(u).promoExpiresAt).toBe(now + 200n);
    env.grant(u, 10n, 0n);
    expect(env.credit(u).promoExpiresAt).toBe(0n);
    env.grant(u, 10n, now + 300n);
    expect(env.credit(u)).toMatchObject({ promoExpiresAt: 0n, promoCredits: 50n });
    // Given up to 0, the next grant's expiry applies alone
    env.expirePromo(u);
    expect(env.credit(u)).toMatchObject({ promoCredits: 0n, promoExpiresAt: 0n, expired: 50n });
    env.grant(u, 5n, now + 400n);
    expect(env.credit(u).promoExpiresAt).toBe(now + 400n);
  });

  it('refuses a non-operator, a source the operator does not own, a past expiry, zero credits and a grant while paused, changing nothing', () => {
    const env = new Escrow();
    env.warp(1_000); // the bank's clock starts at 0, which as an expiry means "never"
    const u = env.funded(100n);
    const stranger = env.wallet();
    const strangerUsdc = env.createTokenAccount(stranger.publicKey, 1_000_000_000n);
    const watched = () => env.snapshot([u.credit, u.vault, env.operatorUsdc, strangerUsdc]);
    const before = watched();
    // A stranger cannot grant, even with its own USDC
    expectProgramError(() => env.grant(u, 10n, 0n, { operator: stranger, source: strangerUsdc }), E.Unauthorized);
    // The operator cannot grant from an account it does not own (a victim's delegate-free account)
    expectProgramError(() => env.grant(u, 10n, 0n, { source: strangerUsdc }), E.InvalidTokenAccount);
    // nor from the user's own vault
    expectProgramError(() => env.grant(u, 10n, 0n, { source: u.vault }), E.InvalidTokenAccount);
    // An expiry must be in the future (now is not), or 0
    expectProgramError(() => env.grant(u, 10n, env.now()), E.InvalidPromoExpiry);
    expectProgramError(() => env.grant(u, 0n), E.ZeroAmount);
    env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, { paused: true }), [env.admin]);
    expectProgramError(() => env.grant(u, 10n), E.Paused);
    expect(watched()).toEqual(before);
    // An expiry one second ahead is fine once unpaused
    env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, { paused: false }), [env.admin]);
    env.grant(u, 10n, env.now() + 1n);
    expect(env.credit(u).promoCredits).toBe(10n);
  });

  it('refuses credits whose price overflows u64 (no wrapped, unbacked grant)', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    const before = env.snapshot([u.credit, u.vault, env.operatorUsdc]);
    // 1,844,674,407,370,956 credits x 10,000 is 2^64 + 8,384: wrapped, they would cost 8,384 base units
    expectProgramError(() => env.grant(u, (1n << 64n) / 10_000n + 1n), E.ArithmeticOverflow);
    expect(env.snapshot([u.credit, u.vault, env.operatorUsdc])).toEqual(before);
  });

  it('refuses a vault that is not the credit account\'s', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    const other = env.funded(100n);
    const ix = getGrantCreditsInstruction({ operator: env.operator.publicKey, creditAccount: u.credit, mint: env.mint, source: env.operatorUsdc, vault: other.vault }, { credits: 10n });
    const before = env.snapshot([u.credit, other.vault]);
    expectProgramError(() => env.send(ix, [env.operator]), E.InvalidVault);
    expect(env.snapshot([u.credit, other.vault])).toEqual(before);
    expect(Keypair.generate()).toBeTruthy();
  });
});
