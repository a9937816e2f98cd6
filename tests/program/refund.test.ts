import { describe, expect, it } from 'vitest';
import { JobEscrowErrorCode as E } from '../../sdk/src/index.js';
import { Escrow, expectProgramError } from '../shared/index.js';

function setup() {
  const env = new Escrow();
  const u = env.funded(100n);
  const job = env.lock(u, { tier: 1, maxOutputTokens: 1_500 }); // 12 credits
  return { env, u, job };
}

describe('refund', () => {
  it('lets the operator refund a failed job before expiry: the credits return and the slot is freed', () => {
    const { env, u, job } = setup();
    const creditLamports = env.lamports(u.credit);
    const operatorBefore = env.lamports(env.operator.publicKey);
    // When the operator refunds
    const sent = env.refund(u, job);
    // Then the lock is back in the balance and the slot is all zeros again
    expect(env.available(u)).toBe(100n);
    expect(env.credit(u)).toMatchObject({ locked: 0n, openJobs: 0 });
    expect(env.slotBytes(u, 0).equals(Buffer.alloc(57))).toBe(true);
    expect(env.lamports(u.credit)).toBe(creditLamports);
    expect(operatorBefore - env.lamports(env.operator.publicKey)).toBe(5_000n);
    expect(env.tokenBalance(u.vault)).toBe(1_000_000n);
    expect(sent.events).toEqual([{ name: 'JobRefunded', data: { creditAccount: u.credit, jobId: job.jobId, creditsReleased: 12n, reason: 0 } }]);
    // Compute budget of one single-form refund: measured 617 CU (the goal of
    // 500 per job is met by refund_batch, tests/program/job_budgets.test.ts)
    expect(sent.computeUnits).toBeLessThanOrEqual(617);
  });

  it('lets anyone refund once the job expired, with reason "expired"', () => {
    const { env, u, job } = setup();
    const stranger = env.wallet();
    // Before expiry: refused
    env.warp(119);
    const before = env.snapshot([u.credit]);
    expectProgramError(() => env.refund(u, job, stranger), E.JobNotExpired);
    expect(env.snapshot([u.credit])).toEqual(before);
    // At expires_at: anyone
    env.warp(1);
    const sent = env.refund(u, job, stranger);
    expect(sent.events[0].data).toMatchObject({ reason: 1 });
    expect(env.credit(u).locked).toBe(0n);
  });

  it('reports an operator refund after expiry as expired too', () => {
    const { env, u, job } = setup();
    env.warp(500);
    expect(env.refund(u, job).events[0].data).toMatchObject({ reason: 1 });
  });

  it('cannot refund twice, nor settle a refunded job, nor refund an unknown id', () => {
    const { env, u, job } = setup();
    env.refund(u, job);
    const before = env.snapshot([u.credit]);
    expectProgramError(() => env.refund(u, job), E.JobNotFound);
    expectProgramError(() => env.settle(u, job), E.JobNotFound);
    expectProgramError(() => env.refund(u, { jobId: 424_242n }), E.JobNotFound);
    expect(env.snapshot([u.credit])).toEqual(before);
  });

  it('refunds a job id of this account only', () => {
    const { env, u, job } = setup();
    const other = env.funded(100n);
    env.warp(500);
    const before = env.snapshot([other.credit]);
    expectProgramError(() => env.refund(other, job, env.wallet()), E.JobNotFound);
    expect(env.snapshot([other.credit])).toEqual(before);
    expect(env.job(u, job)?.creditsLocked).toBe(12n);
  });
});
