import { PublicKey } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  JOB_ESCROW_PROGRAM_ID,
  JobEscrowErrorCode as E,
  findJobPda,
  getSetSpendingLimitInstruction,
  getUpdateConfigInstruction,
  getWithdrawInstruction,
} from '../sdk/src/index.js';
import { Escrow, expectProgramError } from './setup.js';

/** A job id whose Job PDA has canonical bump 255 (the common, cheapest case). */
function jobIdWithBump(credit: PublicKey, bump: number, from = 1n): bigint {
  for (let id = from; ; id++) if (findJobPda(credit, id)[1] === bump) return id;
}

describe('lock', () => {
  it('prices the job from the tier table, creates the Job and reserves the credits', () => {
    // Given a user with 100 credits
    const env = new Escrow();
    const u = env.funded(100n);
    const payerBefore = env.lamports(env.operator.publicKey);
    const jobId = jobIdWithBump(u.credit, 255);
    // When the operator locks a Standard job of up to 1,500 output tokens
    const job = env.lock(u, { jobId, tier: 1, maxOutputTokens: 1_500 });
    // Then the price is 8 + ceil(1,000 x 4 / 1,000) = 12 credits
    const now = env.now();
    expect(env.job(job)).toEqual({
      creditAccount: u.credit,
      jobId,
      tier: 1,
      maxOutputTokens: 1_500,
      creditsLocked: 12n,
      price: { requestCredits: 8n, per1kCredits: 4n, includedTokens: 500 },
      rentPayer: env.operator.publicKey,
      lockedAt: now,
      expiresAt: now + 120n,
      bump: 255,
    });
    expect(env.data(job.address)!.length).toBe(130);
    expect(env.account(job.address)!.owner).toEqual(JOB_ESCROW_PROGRAM_ID);
    const credit = env.credit(u);
    expect(credit.locked).toBe(12n);
    expect(credit.openJobs).toBe(1);
    expect(env.available(u)).toBe(88n);
    // And the vault did not move; the rent payer paid the Job's rent (plus the fee)
    expect(env.tokenBalance(u.vault)).toBe(1_000_000n);
    const rent = env.bank.rentExemptMinimum(130n);
    expect(payerBefore - env.lamports(env.operator.publicKey)).toBe(rent + 5_000n);
    expect(job.sent.events).toEqual([
      { name: 'JobLocked', data: { jobId, tier: 1, creditsLocked: 12n, expiresAt: now + 120n } },
    ]);
    // Compute budget, Job creation included, at bump 255: measured 2,307
    expect(job.sent.computeUnits).toBeLessThanOrEqual(2_320);
  });

  it('costs one sha256 and one curve check more per bump below 255', () => {
    const env = new Escrow();
    const u = env.funded(1_000n);
    const at255 = env.lock(u, { jobId: jobIdWithBump(u.credit, 255) }).sent.computeUnits;
    const at254 = env.lock(u, { jobId: jobIdWithBump(u.credit, 254) }).sent.computeUnits;
    const at253 = env.lock(u, { jobId: jobIdWithBump(u.credit, 253) }).sent.computeUnits;
    expect(at254 - at255).toBe(at253 - at254);
    expect(at254 - at255).toBeLessThan(400);
  });

  it('lets the owner lock too, and nobody else', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    env.lock(u, { authority: u.wallet });
    expect(env.credit(u).openJobs).toBe(1);
    const stranger = env.wallet();
    const before = env.snapshot([u.credit]);
    expectProgramError(() => env.lock(u, { authority: stranger }), E.Unauthorized);
    expect(env.snapshot([u.credit])).toEqual(before);
  });

  it('rejects a lock above the available credits', () => {
    // Given 20 credits of which 12 are locked
    const env = new Escrow();
    const u = env.funded(100n);
    env.send(getWithdrawInstruction({ owner: u.wallet.publicKey, mint: env.mint, destination: u.usdc }, { credits: 80n }), [u.wallet]);
    env.lock(u, { tier: 1, maxOutputTokens: 1_500 });
    // When another 12-credit job is locked, Then InsufficientCredits
    const job = findJobPda(u.credit, 999n)[0];
    expectProgramError(() => env.lock(u, { jobId: 999n, tier: 1, maxOutputTokens: 1_500 }), E.InsufficientCredits);
    expect(env.data(job)).toBeNull();
    expect(env.credit(u).locked).toBe(12n);
  });

  it('enforces the owner’s per-job spending limit', () => {
    const env = new Escrow();
    const u = env.funded(1_000n);
    env.send(getSetSpendingLimitInstruction({ owner: u.wallet.publicKey }, { maxCreditsPerJob: 40n }), [u.wallet]);
    // Max with 500 tokens costs 40: allowed; with 501 it costs 41: refused
    env.lock(u, { tier: 3, maxOutputTokens: 500 });
    expectProgramError(() => env.lock(u, { tier: 3, maxOutputTokens: 501 }), E.SpendingLimitExceeded);
    expect(env.credit(u).locked).toBe(40n);
  });

  it('rejects an unknown tier', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    expectProgramError(() => env.lock(u, { tier: 4 }), E.InvalidTier);
    expect(env.credit(u).openJobs).toBe(0);
  });

  it('rejects a job id that is already locked', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    const job = env.lock(u, { jobId: 7n });
    const before = env.snapshot([job.address, u.credit]);
    expectProgramError(() => env.lock(u, { jobId: 7n }), E.AlreadyInitialized);
    expect(env.snapshot([job.address, u.credit])).toEqual(before);
  });

  it('is refused while paused', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, { paused: true }), [env.admin]);
    expectProgramError(() => env.lock(u), E.Paused);
  });
});
