// Settle and refund abuse: over-charging, expiry, replays, a spoofed clock,
// close-and-revive.
import { Keypair, SystemProgram } from '@solana/web3.js';
import { describe, it } from 'vitest';
import { JobEscrowErrorCode as E, getSettleInstruction } from '../../sdk/src/index.js';
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
      { operator: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, job: job.address, providerTokenAccount: worker.usdc, rentPayer: job.rentPayer.publicKey },
      { outputTokens: 1_000, providerShareBps: 8_000 },
    );
    ix.keys.push({ pubkey: fakeClock, isSigner: false, isWritable: false });
    attempt(() => env.send(ix, [env.operator]), E.JobExpired);
  });

  it('settle twice → InvalidAccountOwner (the Job is closed)', () => {
    const { env, victim, job, attempt } = scenario();
    env.settle(victim, job);
    attempt(() => env.settle(victim, job), E.InvalidAccountOwner);
  });

  it('refund twice → InvalidAccountOwner', () => {
    const { env, victim, job, attempt } = scenario();
    env.refund(victim, job);
    attempt(() => env.refund(victim, job), E.InvalidAccountOwner);
  });

  it('refund by a non-operator before expiry → JobNotExpired', () => {
    const { env, victim, attacker, job, attempt } = scenario();
    attempt(() => env.refund(victim, job, attacker.wallet), E.JobNotExpired);
  });

  it('close-and-revive in one transaction: settle, re-fund the Job’s lamports, settle again → InvalidAccountOwner, nothing changes', () => {
    const { env, victim, job, worker, attempt } = scenario();
    const settle = getSettleInstruction(
      { operator: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, job: job.address, providerTokenAccount: worker.usdc, rentPayer: job.rentPayer.publicKey },
      { outputTokens: 1_000, providerShareBps: 8_000 },
    );
    const revive = SystemProgram.transfer({ fromPubkey: env.operator.publicKey, toPubkey: job.address, lamports: 2_000_000 });
    attempt(() => env.send([settle, revive, settle], [env.operator]), E.InvalidAccountOwner);
  });
});
