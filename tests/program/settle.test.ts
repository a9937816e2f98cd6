import { describe, expect, it } from 'vitest';
import { DEFAULTS, JobEscrowErrorCode as E, getUpdateConfigInstruction } from '../../sdk/src/index.js';
import { Escrow, expectProgramError } from '../shared/index.js';
import { ownComputeUnits } from './setup/compute.js';

function setup() {
  const env = new Escrow();
  const u = env.funded(100n);
  const job = env.lock(u, { tier: 1, maxOutputTokens: 1_500 }); // 12 credits locked
  return { env, u, job };
}

describe('settle', () => {
  it('pays the worker its share, keeps the fee in the vault and frees the slot', () => {
    // Given a Standard job with 12 credits locked
    const { env, u, job } = setup();
    const worker = env.worker();
    const payerBefore = env.lamports(env.operator.publicKey);
    const creditLamports = env.lamports(u.credit);
    // When the operator settles 1,000 output tokens at an 80 % share
    const sent = env.settle(u, job, { outputTokens: 1_000, bps: 8_000, provider: worker.usdc });
    // Then 8 + ceil(500 x 4 / 1,000) = 10 credits ($0.10) are charged: $0.08 to the worker, $0.02 owed as fee
    expect(env.tokenBalance(worker.usdc)).toBe(80_000n);
    expect(env.tokenBalance(u.vault)).toBe(1_000_000n - 80_000n);
    const credit = env.credit(u);
    expect(credit.feesAccrued).toBe(20_000n);
    expect(credit.locked).toBe(0n);
    expect(credit.openJobs).toBe(0);
    expect(credit.charged).toBe(10n);
    // And the user keeps the unused 2 credits: 100 - 10 = 90 available
    expect(env.available(u)).toBe(90n);
    // And the slot is free again (all zeros); the operator paid only the fee; no lamports moved elsewhere
    expect(env.slotBytes(u, 0).equals(Buffer.alloc(57))).toBe(true);
    expect(env.job(u, job)).toBeUndefined();
    expect(payerBefore - env.lamports(env.operator.publicKey)).toBe(5_000n);
    expect(env.lamports(u.credit)).toBe(creditLamports);
    expect(sent.events).toEqual([
      { name: 'JobSettled', data: { creditAccount: u.credit, jobId: job.jobId, creditsCharged: 10n, workerAmount: 80_000n } },
    ]);
    // The program's own work around the token transfer: measured 1,377 CU
    // (clock 140, worker curve check 159, event 264: docs/benchmarks.md;
    // 1,267 with plain Transfer, TransferChecked passes the mint too)
    expect(ownComputeUnits(sent.logs)).toBeLessThanOrEqual(1_380);
  });

  it('is allowed until the second before expiry and refused from expires_at on', () => {
    const { env, u, job } = setup();
    env.warp(119);
    const other = env.lock(u);
    env.settle(u, job);
    expect(env.job(u, job)).toBeUndefined();
    env.warp(120);
    const before = env.snapshot([u.credit, u.vault]);
    expectProgramError(() => env.settle(u, other), E.JobExpired);
    expect(env.snapshot([u.credit, u.vault])).toEqual(before);
  });

  it('rejects more output tokens than the job allowed and a share outside the bounds', () => {
    const { env, u, job } = setup();
    const before = env.snapshot([u.credit, u.vault]);
    expectProgramError(() => env.settle(u, job, { outputTokens: 1_501 }), E.OutputExceedsMax);
    expectProgramError(() => env.settle(u, job, { bps: DEFAULTS.providerShareBpsMin - 1 }), E.ShareOutOfBounds);
    expectProgramError(() => env.settle(u, job, { bps: DEFAULTS.providerShareBpsMax + 1 }), E.ShareOutOfBounds);
    expect(env.snapshot([u.credit, u.vault])).toEqual(before);
    // The bounds themselves are allowed
    env.settle(u, job, { bps: DEFAULTS.providerShareBpsMax });
  });

  it('charges the prices the job was locked at, whatever the admin changes after the lock', () => {
    // Given a Standard job locked for up to 100,000 tokens (8 + ceil(99,500 x 4 / 1,000) = 406 credits)
    const env = new Escrow();
    const u = env.funded(1_000n);
    const job = env.lock(u, { tier: 1, maxOutputTokens: 100_000 });
    expect(env.job(u, job)?.price).toEqual({ requestCredits: 8n, per1kCredits: 4n, includedTokens: 500 });
    // When the admin raises Standard's request price from 8 to 40 and the operator settles 600 tokens
    const tiers = DEFAULTS.tiers.map((t, i) => (i === 1 ? { ...t, requestCredits: 40n } : t));
    env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, { tiers }), [env.admin]);
    const sent = env.settle(u, job, { outputTokens: 600 });
    // Then the user pays the lock-time price, 8 + ceil(100 x 4 / 1,000) = 9 credits, not 41
    expect(sent.events[0].data).toMatchObject({ creditsCharged: 9n });
    expect(env.credit(u).charged).toBe(9n);
    expect(env.available(u)).toBe(1_000n - 9n);
  });

  it('a price cut after the lock does not lower the charge either', () => {
    const { env, u, job } = setup();
    const tiers = DEFAULTS.tiers.map((t, i) => (i === 1 ? { ...t, requestCredits: 1n, per1kCredits: 1n } : t));
    env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, { tiers }), [env.admin]);
    const sent = env.settle(u, job, { outputTokens: 1_500 });
    expect(sent.events[0].data).toMatchObject({ creditsCharged: 12n });
  });

  it('rejects a job id of another credit account, and an unknown or settled one', () => {
    const { env, u, job } = setup();
    const other = env.funded(100n);
    const otherJob = env.lock(other);
    const before = env.snapshot([u.credit, u.vault, other.credit, other.vault]);
    // The id is in flight, but in the other account: not found in this one
    expectProgramError(() => env.settle(u, otherJob), E.JobNotFound);
    expectProgramError(() => env.settle(u, { jobId: 123_456_789n }), E.JobNotFound);
    expect(env.snapshot([u.credit, u.vault, other.credit, other.vault])).toEqual(before);
    env.settle(u, job);
    expectProgramError(() => env.settle(u, job), E.JobNotFound);
    expect(env.job(other, otherJob)?.creditsLocked).toBe(12n);
  });
});
