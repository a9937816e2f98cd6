// Settle and refund abuse: over-charging, expiry, replays, a spoofed clock,
// replays within one transaction, a job id reused once its slot is free.
import { Keypair, SystemProgram } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import { JobEscrowErrorCode as E, getLockInstruction, getRefundBatchInstruction, getSettleInstruction } from '../../../sdk/src/index.js';
import { scenario } from './scenario.js';

describe('attack: job lifecycle', () => {
  it('settle for more output than the job allowed (more than the lock) → OutputExceedsMax', () => {
    const { env, victim, job, attempt } = scenario();
    attempt(() => env.settle(victim, job, { outputTokens: 1_000_000 }), E.OutputExceedsMax);
  });

  it('settle after expiry → JobExpired', () => {
    const { env, victim, job, attempt } = scenario();
    env.warp(120);
    attempt(() => env.settle(victim, job), E.JobExpired);
  });

  it('a spoofed Clock account has no effect: the program reads the clock by syscall', () => {
    // Given an expired job and a forged Clock account claiming an earlier time, appended to settle
    const { env, victim, job, worker, attempt } = scenario();
    env.warp(120);
    const fakeClock = Keypair.generate().publicKey;
    const clockBytes = Buffer.alloc(40);
    clockBytes.writeBigInt64LE(0n, 32);
    env.setRaw(fakeClock, clockBytes, SystemProgram.programId);
    const ix = getSettleInstruction(
      { operator: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, providerTokenAccount: worker.usdc },
      { jobId: job.jobId, outputTokens: 1_000, providerShareBps: 8_000 },
    );
    ix.keys.push({ pubkey: fakeClock, isSigner: false, isWritable: false });
    attempt(() => env.send(ix, [env.operator]), E.JobExpired);
  });

  it('settle twice → JobNotFound (the slot is free)', () => {
    const { env, victim, job, attempt } = scenario();
    env.settle(victim, job);
    attempt(() => env.settle(victim, job), E.JobNotFound);
  });

  it('refund twice → JobNotFound', () => {
    const { env, victim, job, attempt } = scenario();
    env.refund(victim, job);
    attempt(() => env.refund(victim, job), E.JobNotFound);
  });

  it('refund by a stranger before expiry → JobNotExpired, also in a batch', () => {
    const { env, victim, attacker, job, attempt } = scenario();
    attempt(() => env.refund(victim, job, attacker.wallet), E.JobNotExpired);
    const ix = getRefundBatchInstruction({ authority: attacker.wallet.publicKey }, [{ creditAccount: victim.credit, jobId: job.jobId }]);
    attempt(() => env.send(ix, [attacker.wallet]), E.JobNotExpired);
  });

  it('settle twice in one transaction → JobNotFound, the first settle undone too', () => {
    const { env, victim, job, worker, attempt } = scenario();
    const settle = getSettleInstruction(
      { operator: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, providerTokenAccount: worker.usdc },
      { jobId: job.jobId, outputTokens: 1_000, providerShareBps: 8_000 },
    );
    attempt(() => env.send([settle, settle], [env.operator]), E.JobNotFound);
  });

  it('settle, re-lock the same id and settle again in one transaction is two honest jobs: each charged once', () => {
    // A job id may be reused once its slot is free; the second settle charges the second lock only
    const { env, victim, job, worker } = scenario();
    const settle = getSettleInstruction(
      { operator: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, providerTokenAccount: worker.usdc },
      { jobId: job.jobId, outputTokens: 1_000, providerShareBps: 8_000 },
    );
    const relock = getLockInstruction({ authority: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint }, { jobId: job.jobId, tier: 1, maxOutputTokens: 1_500 });
    env.send([settle, relock, settle], [env.operator]);
    expect(env.credit(victim)).toMatchObject({ locked: 0n, openJobs: 0, charged: 20n });
    expect(env.tokenBalance(worker.usdc)).toBe(160_000n);
  });
});
