import { describe, expect, it } from 'vitest';
import {
  DEFAULT_JOB_SLOTS,
  JobEscrowErrorCode as E,
  creditAccountLen,
  getSetSpendingLimitInstruction,
  getUpdateConfigInstruction,
  getWithdrawInstruction,
  openJobsOf,
} from '../../sdk/src/index.js';
import { Escrow, expectProgramError } from '../shared/index.js';

describe('lock', () => {
  it('prices the job from the tier table, fills a free slot and reserves the credits', () => {
    // Given a user with 100 credits
    const env = new Escrow();
    const u = env.funded(100n);
    const payerBefore = env.lamports(env.operator.publicKey);
    const sizeBefore = env.data(u.credit)!.length;
    // When the operator locks a Standard job of up to 1,500 output tokens
    const job = env.lock(u, { jobId: 41n, tier: 1, maxOutputTokens: 1_500 });
    // Then the price is 8 + ceil(1,000 x 4 / 1,000) = 12 credits, held in slot 0
    const now = env.now();
    expect(openJobsOf(env.credit(u))).toEqual([
      {
        slot: 0,
        jobId: 41n,
        tier: 1,
        maxOutputTokens: 1_500,
        creditsLocked: 12n,
        price: { requestCredits: 8n, per1kCredits: 4n, includedTokens: 500 },
        lockedAt: now,
        expiresAt: now + 120n,
      },
    ]);
    // And the slot's bytes are exactly the documented layout
    const slot = env.slotBytes(u, 0);
    expect(slot.readBigUInt64LE(0)).toBe(41n);
    expect(slot.readUInt8(8)).toBe(1);
    expect(slot.readUInt32LE(9)).toBe(1_500);
    expect(slot.readBigUInt64LE(13)).toBe(12n);
    expect(slot.readBigUInt64LE(21)).toBe(8n);
    expect(slot.readBigUInt64LE(29)).toBe(4n);
    expect(slot.readUInt32LE(37)).toBe(500);
    expect(slot.readBigInt64LE(41)).toBe(now);
    expect(slot.readBigInt64LE(49)).toBe(now + 120n);
    // And the other slots stay free (all zeros), the account does not grow
    for (let i = 1; i < DEFAULT_JOB_SLOTS; i++) expect(env.slotBytes(u, i).equals(Buffer.alloc(57))).toBe(true);
    expect(env.data(u.credit)!.length).toBe(sizeBefore);
    expect(sizeBefore).toBe(creditAccountLen(DEFAULT_JOB_SLOTS));
    const credit = env.credit(u);
    expect(credit.locked).toBe(12n);
    expect(credit.openJobs).toBe(1);
    expect(env.available(u)).toBe(88n);
    // And the vault did not move; the operator paid the fee and no rent
    expect(env.tokenBalance(u.vault)).toBe(1_000_000n);
    expect(payerBefore - env.lamports(env.operator.publicKey)).toBe(5_000n);
    expect(job.sent.events).toEqual([
      { name: 'JobLocked', data: { creditAccount: u.credit, jobId: 41n, tier: 1, creditsLocked: 12n, expiresAt: now + 120n } },
    ]);
    // Compute budget of one single-form lock in an account with no job in
    // flight: measured 863 CU, within issue 28's 1,050 per job (the batch
    // forms' budgets: tests/program/job_budgets.test.ts)
    expect(job.sent.computeUnits).toBeLessThanOrEqual(863);
  });

  it('takes the next free slot, and a slot freed by settle is taken again', () => {
    const env = new Escrow();
    const u = env.funded(1_000n);
    const a = env.lock(u);
    const b = env.lock(u);
    const c = env.lock(u);
    expect(openJobsOf(env.credit(u)).map((j) => [j.slot, j.jobId])).toEqual([
      [0, a.jobId],
      [1, b.jobId],
      [2, c.jobId],
    ]);
    env.settle(u, b);
    expect(env.slotBytes(u, 1).equals(Buffer.alloc(57))).toBe(true);
    const d = env.lock(u);
    expect(env.job(u, d)?.slot).toBeDefined();
    expect(openJobsOf(env.credit(u)).map((j) => j.jobId).sort()).toEqual([a.jobId, c.jobId, d.jobId].sort());
    expect(env.credit(u).openJobs).toBe(3);
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
    const before = env.snapshot([u.credit, u.vault]);
    // When another 12-credit job is locked, Then InsufficientCredits and nothing changed
    expectProgramError(() => env.lock(u, { jobId: 999n, tier: 1, maxOutputTokens: 1_500 }), E.InsufficientCredits);
    expect(env.snapshot([u.credit, u.vault])).toEqual(before);
    expect(env.job(u, { jobId: 999n })).toBeUndefined();
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

  it('rejects a job id that is already in flight in the account, changing nothing', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    env.lock(u, { jobId: 7n });
    const before = env.snapshot([u.credit, u.vault]);
    expectProgramError(() => env.lock(u, { jobId: 7n }), E.JobAlreadyLocked);
    expectProgramError(() => env.lock(u, { jobId: 7n, tier: 2, maxOutputTokens: 10 }), E.JobAlreadyLocked);
    expect(env.snapshot([u.credit, u.vault])).toEqual(before);
  });

  it('lets two accounts use the same job id', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    const v = env.funded(100n);
    env.lock(u, { jobId: 7n });
    env.lock(v, { jobId: 7n });
    expect(env.job(u, { jobId: 7n })?.creditsLocked).toBe(12n);
    expect(env.job(v, { jobId: 7n })?.creditsLocked).toBe(12n);
  });

  it('is refused while paused', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, { paused: true }), [env.admin]);
    expectProgramError(() => env.lock(u), E.Paused);
  });
});
