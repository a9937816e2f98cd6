// Promotional credits under attack: each attempt is refused with the exact
// error and leaves every watched account byte-identical (scenario.ts).
import { describe, it } from 'vitest';
import { JobEscrowErrorCode as E, WITHDRAW_ALL, getGrantCreditsInstruction, getWithdrawInstruction } from '../../../sdk/src/index.js';
import { scenario } from './scenario.js';

describe('attack: promotional credits', () => {
  it('a stranger expiring promo credits before they expire → PromoNotExpired', () => {
    const { env, victim, attacker, attempt } = scenario();
    env.grant(victim, 50n, env.now() + 3_600n);
    attempt(() => env.expirePromo(victim, attacker.wallet), E.PromoNotExpired);
  });

  it('a non-operator granting (with its own USDC) → Unauthorized', () => {
    const { env, victim, attacker, attempt } = scenario();
    const ix = getGrantCreditsInstruction({ operator: attacker.wallet.publicKey, creditAccount: victim.credit, mint: env.mint, source: attacker.usdc }, { credits: 10n });
    attempt(() => env.send(ix, [attacker.wallet]), E.Unauthorized);
  });

  it('the owner withdrawing promo-backed USDC through u64::MAX → InsufficientCredits', () => {
    // Given an attacker who withdrew all its bought credits and holds 50 promo credits
    const { env, attacker, attempt } = scenario();
    env.grant(attacker, 50n);
    env.send(getWithdrawInstruction({ owner: attacker.wallet.publicKey, mint: env.mint, destination: attacker.usdc }, { credits: 100n }), [attacker.wallet]);
    const all = getWithdrawInstruction({ owner: attacker.wallet.publicKey, mint: env.mint, destination: attacker.usdc }, { credits: WITHDRAW_ALL });
    attempt(() => env.send(all, [attacker.wallet]), E.InsufficientCredits);
    const one = getWithdrawInstruction({ owner: attacker.wallet.publicKey, mint: env.mint, destination: attacker.usdc }, { credits: 1n });
    attempt(() => env.send(one, [attacker.wallet]), E.InsufficientCredits);
  });

  it('a lock backed by expired promo credits → InsufficientCredits', () => {
    // Given an attacker with only expired promo credits left
    const { env, attacker, attempt } = scenario();
    env.send(getWithdrawInstruction({ owner: attacker.wallet.publicKey, mint: env.mint, destination: attacker.usdc }, { credits: 100n }), [attacker.wallet]);
    env.grant(attacker, 50n, env.now() + 10n);
    env.warp(10);
    attempt(() => env.lock(attacker, { tier: 0, maxOutputTokens: 0, authority: attacker.wallet }), E.InsufficientCredits);
  });

  it('settle paying a PDA-owned account (another vault) to launder promo credits → InvalidTokenAccount', () => {
    // Given the victim's job is backed by promo credits and the operator points the payment at the attacker's vault
    const { env, victim, attacker, job, attempt } = scenario();
    env.grant(victim, 50n);
    attempt(() => env.settle(victim, job, { provider: attacker.vault }), E.InvalidTokenAccount);
  });
});
