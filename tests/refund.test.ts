import { describe, expect, it } from 'vitest';
import { JobEscrowErrorCode as E } from '../sdk/src/index.js';
import { Escrow, expectProgramError } from './setup.js';

function setup() {
  const env = new Escrow();
  const u = env.funded(100n);
  const payer = env.wallet();
  const job = env.lock(u, { tier: 1, maxOutputTokens: 1_500, rentPayer: payer }); // 12 credits
  return { env, u, job, payer };
}

describe('refund', () => {
  it('lets the operator refund a failed job before expiry: credits and rent return', () => {
    const { env, u, job, payer } = setup();
    const rent = BigInt(env.account(job.address)!.lamports);
    const payerBefore = env.lamports(payer.publicKey);
    // When the operator refunds
    const sent = env.refund(u, job);
    // Then the lock is back in the balance and the Job is closed, rent to its payer
    expect(env.available(u)).toBe(100n);
    expect(env.credit(u)).toMatchObject({ locked: 0n, openJobs: 0 });
    expect(env.data(job.address)).toBeNull();
    expect(env.lamports(payer.publicKey) - payerBefore).toBe(rent);
    expect(env.tokenBalance(u.vault)).toBe(1_000_000n);
    expect(sent.events).toEqual([{ name: 'JobRefunded', data: { jobId: job.jobId, creditsReleased: 12n, reason: 0 } }]);
    // Compute budget: measured 644 (clock 140, event 225, 5-account entrypoint)
    expect(sent.computeUnits).toBeLessThanOrEqual(650);
  });

  it('lets anyone refund once the job expired, with reason "expired"', () => {
    const { env, u, job } = setup();
    const stranger = env.wallet();
    // Before expiry: refused
    env.warp(119);
    expectProgramError(() => env.refund(u, job, stranger), E.JobNotExpired);
    expect(env.credit(u).locked).toBe(12n);
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

  it('cannot refund twice, nor settle a refunded job', () => {
    const { env, u, job } = setup();
    env.refund(u, job);
    const before = env.snapshot([u.credit]);
    expectProgramError(() => env.refund(u, job), E.InvalidAccountOwner);
    expectProgramError(() => env.settle(u, job), E.InvalidAccountOwner);
    expect(env.snapshot([u.credit])).toEqual(before);
  });

  it('rejects a refund whose rent goes anywhere but the job’s payer', () => {
    const { env, u, job } = setup();
    const thief = env.wallet();
    expectProgramError(() => env.refund(u, { ...job, rentPayer: thief }), E.InvalidRentPayer);
    expect(env.job(job).creditsLocked).toBe(12n);
  });
});
