import { describe, expect, it } from 'vitest';
import { JobEscrowErrorCode as E, WITHDRAW_ALL, getCloseCreditAccountInstruction, getExpirePromoInstruction, getWithdrawInstruction } from '../../sdk/src/index.js';
import { Escrow, expectProgramError } from '../shared/index.js';

function setup() {
  // A user with 100 bought credits and 60 promo credits expiring in an hour
  const env = new Escrow();
  const u = env.funded(100n);
  const expiresAt = env.now() + 3_600n;
  env.grant(u, 60n, expiresAt);
  return { env, u, expiresAt };
}

describe('expire_promo', () => {
  it('lets anyone return expired promo credits to the treasury, from the second they expire', () => {
    const { env, u, expiresAt } = setup();
    const stranger = env.wallet();
    // One second before the expiry a stranger is refused and nothing changes
    env.warp(expiresAt - env.now() - 1n);
    const before = env.snapshot([u.credit, u.vault, env.treasury]);
    expectProgramError(() => env.expirePromo(u, stranger), E.PromoNotExpired);
    expect(env.snapshot([u.credit, u.vault, env.treasury])).toEqual(before);
    // At the expiry they succeed: $0.60 to the treasury, the promo gone, its expiry reset
    env.warp(1);
    const treasuryBefore = env.tokenBalance(env.treasury);
    const sent = env.expirePromo(u, stranger);
    expect(env.tokenBalance(env.treasury) - treasuryBefore).toBe(600_000n);
    expect(env.tokenBalance(u.vault)).toBe(1_000_000n);
    expect(env.credit(u)).toMatchObject({ promoCredits: 0n, promoExpiresAt: 0n, expired: 60n, granted: 60n });
    expect(env.available(u)).toBe(100n);
    expect(sent.events).toEqual([{ name: 'PromoExpired', data: { credits: 60n, reason: 0 } }]);
    // Compute budget: measured 1,994 (SBPF v3; TransferChecked CPI with the mint, clock 140; 1,850 with plain Transfer)
    expect(sent.computeUnits).toBeLessThanOrEqual(2_010);
    // Nothing left: a second call is refused (with no promo there is no expiry either)
    expectProgramError(() => env.expirePromo(u), E.NothingToExpire);
    expectProgramError(() => env.expirePromo(u, stranger), E.PromoNotExpired);
  });

  it('lets the owner give promo credits up before they expire, and then close the account', () => {
    const { env, u } = setup();
    // Close is refused while promo credits are unspent (the vault is not empty either)
    const withdrawAll = getWithdrawInstruction({ owner: u.wallet.publicKey, mint: env.mint, destination: u.usdc }, { credits: WITHDRAW_ALL });
    env.send(withdrawAll, [u.wallet]);
    expect(env.tokenBalance(u.vault)).toBe(600_000n);
    const close = getCloseCreditAccountInstruction({ owner: u.wallet.publicKey, rentPayer: u.wallet.publicKey, mint: env.mint });
    expectProgramError(() => env.send(close, [u.wallet]), E.CreditAccountNotEmpty);
    // When the owner gives them up (before they expire), they go to the treasury
    const sent = env.expirePromo(u);
    expect(sent.events).toEqual([{ name: 'PromoExpired', data: { credits: 60n, reason: 1 } }]);
    expect(env.tokenBalance(u.vault)).toBe(0n);
    // Then the account closes
    env.send(close, [u.wallet]);
    expect(env.data(u.credit)).toBeNull();
    expect(env.data(u.vault)).toBeNull();
  });

  it('leaves credits locked by jobs in flight as promo until a later call', () => {
    const { env, u, expiresAt } = setup();
    // 160 available: a Max job of 5,000 tokens locks 130 of them
    const job = env.lock(u, { tier: 3, maxOutputTokens: 5_000 });
    env.warp(expiresAt - env.now());
    // Only 30 are free: 30 of the 60 promo credits expire now
    env.expirePromo(u, env.wallet());
    expect(env.credit(u)).toMatchObject({ promoCredits: 30n, expired: 30n, promoExpiresAt: expiresAt });
    // The job is refunded; the other 30 expire on the next call
    env.refund(u, job);
    env.expirePromo(u, env.wallet());
    expect(env.credit(u)).toMatchObject({ promoCredits: 0n, expired: 60n, promoExpiresAt: 0n });
    expect(env.available(u)).toBe(100n);
  });

  it('refuses a treasury that is not the config\'s', () => {
    const { env, u } = setup();
    const attacker = env.funded(100n);
    const ix = getExpirePromoInstruction({ authority: u.wallet.publicKey, creditAccount: u.credit, mint: env.mint, treasury: attacker.vault });
    const before = env.snapshot([u.credit, u.vault, attacker.vault]);
    expectProgramError(() => env.send(ix, [u.wallet]), E.InvalidTreasury);
    expect(env.snapshot([u.credit, u.vault, attacker.vault])).toEqual(before);
  });
});
