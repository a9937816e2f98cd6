// What the program records and where its bounds sit, each asserted as a user
// observes it: the day's allowance over time, what a settle or refund gives
// back to it, the promo expiry, a config accepted at exactly its bound and
// refused one past it. These kill mutants of scripts/mutate.py's effect and
// bound classes (a stored field left unwritten, a comparison moved by one,
// a bound constant moved by one) that the rejecting tests alone let through
// (issue 32).
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  JobEscrowErrorCode as E,
  decodeConfig,
  findConfigPda,
  getSetSpendingLimitInstruction,
  getUpdateConfigInstruction,
  getWithdrawInstruction,
} from '../../sdk/src/index.js';
import { Escrow, TestEnv, expectProgramError, type User } from '../shared/index.js';

const DAY = 86_400n;
const [CONFIG] = findConfigPda();

/** Tier 0 (Lite: 2 credits, 1 per 1,000 tokens above 500) priced at exactly `credits` (>= 2). */
const lite = (credits: bigint) => ({ tier: 0, maxOutputTokens: 500 + 1_000 * Number(credits - 2n) });

function withDailyLimit(env: Escrow, u: User, dailyLimitCredits: bigint): void {
  env.send(getSetSpendingLimitInstruction({ owner: u.wallet.publicKey }, { maxCreditsPerJob: 0n, dailyLimitCredits }), [u.wallet]);
}

/** What `u` may still lock today: the daily limit less what the current window holds. */
function allowance(env: Escrow, u: User): bigint {
  const c = env.credit(u);
  return c.dailyLimitCredits - c.spentInWindow;
}

describe('the daily limit: what a window allows', () => {
  it('a lock that reaches the limit exactly is accepted; one credit more is refused, changing nothing', () => {
    // Given an owner with a daily limit of 10 credits
    const env = new Escrow();
    const u = env.funded(1_000n);
    withDailyLimit(env, u, 10n);
    // When a job of exactly 10 credits is locked, Then it is accepted and the day's allowance is 0
    env.lock(u, lite(10n));
    expect(allowance(env, u)).toBe(0n);
    // And for another owner with the same limit, a job of 11 credits is refused outright
    const v = env.funded(1_000n);
    withDailyLimit(env, v, 10n);
    const before = env.snapshot([v.credit, v.vault]);
    expectProgramError(() => env.lock(v, lite(11n)), E.DailyLimitExceeded);
    expect(env.snapshot([v.credit, v.vault])).toEqual(before);
    expect(allowance(env, v)).toBe(10n);
  });

  it('the window opened by a lock lasts exactly 24 hours: one second before, its locks still count', () => {
    const env = new Escrow();
    const u = env.funded(1_000n);
    withDailyLimit(env, u, 10n);
    const start = env.now();
    env.lock(u, lite(4n));
    expect(env.credit(u)).toMatchObject({ windowStart: start, spentInWindow: 4n });
    // 24 h less one second later the same window holds 4: 6 more reach the limit, 2 more are refused
    env.warp(DAY - 1n);
    env.lock(u, lite(6n));
    expect(env.credit(u)).toMatchObject({ windowStart: start, spentInWindow: 10n });
    expectProgramError(() => env.lock(u, lite(2n)), E.DailyLimitExceeded);
    // At exactly 24 h a new window opens at the lock's time, holding only that lock
    env.warp(1n);
    env.lock(u, lite(2n));
    expect(env.credit(u)).toMatchObject({ windowStart: start + DAY, spentInWindow: 2n });
    expect(allowance(env, u)).toBe(8n);
  });

  it('a refund gives a job locked in the current window back to it, from the window-opening lock on', () => {
    // Given a window opened by a lock of 4 credits, and a second job of 3
    const env = new Escrow();
    const u = env.funded(1_000n);
    withDailyLimit(env, u, 10n);
    const opening = env.lock(u, lite(4n));
    env.warp(60n);
    const later = env.lock(u, lite(3n));
    expect(allowance(env, u)).toBe(3n);
    // When the operator refunds the later job, Then its 3 credits are allowed again
    env.refund(u, later);
    expect(allowance(env, u)).toBe(6n);
    // And the job locked at the very second the window opened gives its 4 back too
    env.refund(u, opening);
    expect(allowance(env, u)).toBe(10n);
    expect(env.credit(u)).toMatchObject({ locked: 0n, openJobs: 0 });
    // So a lock of the whole limit is accepted again the same day
    env.lock(u, lite(10n));
    expect(allowance(env, u)).toBe(0n);
  });

  it('a settle gives back the part of the lock it did not charge; a job of the previous window gives nothing to the new one', () => {
    const env = new Escrow();
    const u = env.funded(1_000n);
    withDailyLimit(env, u, 20n);
    const start = env.now();
    // A Standard job of 1,500 tokens locks 12 and settles at 500 tokens for 8: 4 come back
    const job = env.lock(u, { tier: 1, maxOutputTokens: 1_500 });
    env.settle(u, job, { outputTokens: 500 });
    expect(env.credit(u)).toMatchObject({ spentInWindow: 8n, charged: 8n });
    expect(allowance(env, u)).toBe(12n);
    // A job locked one second before the window ends belongs to it, not to the next one
    env.warp(DAY - 1n);
    const lastSecond = env.lock(u, lite(5n));
    expect(env.credit(u)).toMatchObject({ windowStart: start, spentInWindow: 13n });
    env.warp(1n);
    env.lock(u, lite(2n)); // opens the next window: 2 of 20
    expect(env.credit(u)).toMatchObject({ windowStart: start + DAY, spentInWindow: 2n });
    env.refund(u, lastSecond);
    expect(env.credit(u).spentInWindow).toBe(2n);
    expect(allowance(env, u)).toBe(18n);
  });
});

describe('the promo expiry', () => {
  it('resets when a settle spends the promo balance to exactly 0, and stays while one credit is left', () => {
    // Given 12 promo credits expiring in 1,000 s
    const env = new Escrow();
    const u = env.funded(100n);
    const expiresAt = env.now() + 1_000n;
    env.grant(u, 12n, expiresAt);
    // When a job charges exactly 12 (Standard, 1,500 tokens)
    const a = env.lock(u, { tier: 1, maxOutputTokens: 1_500 });
    env.settle(u, a, { outputTokens: 1_500 });
    // Then no promo is left and it has no expiry any more
    expect(env.credit(u)).toMatchObject({ promoCredits: 0n, promoExpiresAt: 0n, charged: 12n });
    // Given 13 promo credits with an expiry, When a job charges 12, Then 1 is left and its expiry is kept
    const v = env.funded(100n);
    env.grant(v, 13n, expiresAt);
    const b = env.lock(v, { tier: 1, maxOutputTokens: 1_500 });
    env.settle(v, b, { outputTokens: 1_500 });
    expect(env.credit(v)).toMatchObject({ promoCredits: 1n, promoExpiresAt: expiresAt });
  });
});

describe('config bounds, at the bound and one past it', () => {
  it("a tier's largest job: exactly 1,000,000 credits at the token ceiling is accepted, 1,000,001 refused", () => {
    const env = new Escrow();
    const send = (args: Parameters<typeof getUpdateConfigInstruction>[1]) =>
      env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, args), [env.admin]);
    // A Max tier that costs its request price whatever the tokens
    const maxCosting = (requestCredits: bigint) =>
      DEFAULTS.tiers.map((t, i) => (i === 3 ? { requestCredits, per1kCredits: 0n, includedTokens: 0 } : t));
    send({ tiers: maxCosting(1_000_000n) });
    expect(decodeConfig(env.data(CONFIG)!).tiers[3].requestCredits).toBe(1_000_000n);
    const before = env.snapshot([CONFIG]);
    expectProgramError(() => send({ tiers: maxCosting(1_000_001n) }), E.InvalidConfigValue);
    expect(env.snapshot([CONFIG])).toEqual(before);
  });
});

describe('job bounds, at the bound and one past it', () => {
  it('a lock of exactly the available credits is accepted; one credit more is refused, changing nothing', () => {
    // Given 20 credits available
    const env = new Escrow();
    const u = env.funded(100n);
    env.send(getWithdrawInstruction({ owner: u.wallet.publicKey, mint: env.mint, destination: u.usdc }, { credits: 80n }), [u.wallet]);
    expect(env.available(u)).toBe(20n);
    const before = env.snapshot([u.credit, u.vault]);
    expectProgramError(() => env.lock(u, lite(21n)), E.InsufficientCredits);
    expect(env.snapshot([u.credit, u.vault])).toEqual(before);
    env.lock(u, lite(20n));
    expect(env.available(u)).toBe(0n);
  });

  it("a job of exactly the config's largest token count is accepted; one token more is refused", () => {
    const env = new Escrow();
    const u = env.funded(1_000n);
    const { maxOutputTokensPerJob } = decodeConfig(env.data(CONFIG)!);
    expectProgramError(() => env.lock(u, { tier: 0, maxOutputTokens: maxOutputTokensPerJob + 1 }), E.MaxOutputTokensTooLarge);
    const job = env.lock(u, { tier: 0, maxOutputTokens: maxOutputTokensPerJob });
    expect(env.job(u, job)?.maxOutputTokens).toBe(maxOutputTokensPerJob);
  });

  it("a settle at exactly the smallest provider share is accepted and pays that share", () => {
    const env = new Escrow();
    const u = env.funded(100n);
    const job = env.lock(u, { tier: 1, maxOutputTokens: 1_500 });
    const worker = env.worker();
    env.settle(u, job, { outputTokens: 1_500, bps: DEFAULTS.providerShareBpsMin, provider: worker.usdc });
    // 12 credits of $0.01 at 75 %
    expect(env.tokenBalance(worker.usdc)).toBe((12n * DEFAULTS.pricePerCredit * BigInt(DEFAULTS.providerShareBpsMin)) / 10_000n);
  });

  it('a config with a price of one base unit and a minimum purchase of one credit is accepted', () => {
    const env = new TestEnv();
    env.initializeConfig({ pricePerCredit: 1n, minPurchaseCredits: 1n });
    expect(decodeConfig(env.data(CONFIG)!)).toMatchObject({ pricePerCredit: 1n, minPurchaseCredits: 1n });
  });
});
