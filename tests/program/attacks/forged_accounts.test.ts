// Forged accounts owned by another program, and type cosplay.
import { TOKEN_2022_PROGRAM_ID } from '@solana/spl-token';
import { Keypair } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  JobEscrowErrorCode as E,
  findConfigPda,
  getLockBatchInstruction,
  getLockInstruction,
  getPurchaseInstruction,
  getRefundBatchInstruction,
  getRefundInstruction,
  getSettleBatchInstruction,
  getSettleInstruction,
} from '../../../sdk/src/index.js';
import { scenario } from './scenario.js';

/** A byte-for-byte copy of `source` owned by Token-2022 (another program). */
function forge(env: import('../../shared/index.js').Escrow, source: import('@solana/web3.js').PublicKey) {
  const copy = Keypair.generate().publicKey;
  env.setRaw(copy, env.data(source)!, TOKEN_2022_PROGRAM_ID);
  return copy;
}

describe('attack: forged and confused accounts', () => {
  it('a forged Config (copy owned by another program) naming the attacker operator → InvalidAccountOwner', () => {
    const { env, victim, attacker, job, attempt } = scenario();
    const config = Keypair.generate().publicKey;
    const bytes = env.data(findConfigPda()[0])!;
    attacker.wallet.publicKey.toBuffer().copy(bytes, 72); // operator
    env.setRaw(config, bytes, TOKEN_2022_PROGRAM_ID);
    const ix = getSettleInstruction(
      { operator: attacker.wallet.publicKey, config, creditAccount: victim.credit, mint: env.mint, providerTokenAccount: attacker.usdc },
      { jobId: job.jobId, outputTokens: 1_500, providerShareBps: 8_500 },
    );
    attempt(() => env.send(ix, [attacker.wallet]), E.InvalidAccountOwner);
  });

  it('a forged CreditAccount → InvalidAccountOwner', () => {
    const { env, victim, attempt } = scenario();
    const ix = getPurchaseInstruction({ owner: victim.wallet.publicKey, mint: env.mint, source: victim.usdc, creditAccount: forge(env, victim.credit) }, { credits: 100n });
    attempt(() => env.send(ix, [victim.wallet]), E.InvalidAccountOwner);
  });

  it('a forged CreditAccount holding the victim’s job with a huge lock → InvalidAccountOwner', () => {
    // Given a copy of the victim's account (its vault named inside) whose slot claims 10,000 credits locked
    const { env, victim, job, worker, attempt } = scenario();
    const bytes = env.data(victim.credit)!;
    bytes.writeBigUInt64LE(10_000n, 233 + 13); // slot 0: credits_locked
    const forged = Keypair.generate().publicKey;
    env.setRaw(forged, bytes, TOKEN_2022_PROGRAM_ID);
    const ix = getSettleInstruction(
      { operator: env.operator.publicKey, creditAccount: forged, vault: victim.vault, mint: env.mint, providerTokenAccount: worker.usdc },
      { jobId: job.jobId, outputTokens: 1_500, providerShareBps: 8_500 },
    );
    attempt(() => env.send(ix, [env.operator]), E.InvalidAccountOwner);
  });

  it('a forged CreditAccount among a settle_batch’s accounts → InvalidAccountOwner, the honest jobs unpaid too', () => {
    const { env, victim, attacker, job, worker, attempt } = scenario();
    const attackerJob = env.lock(attacker, { jobId: 710n });
    const forged = forge(env, victim.credit);
    const ix = getSettleBatchInstruction({ operator: env.operator.publicKey, mint: env.mint }, [
      { creditAccount: attacker.credit, vault: attacker.vault, providerTokenAccount: worker.usdc, jobId: attackerJob.jobId, outputTokens: 1_000, providerShareBps: 8_000 },
      { creditAccount: forged, vault: victim.vault, providerTokenAccount: worker.usdc, jobId: job.jobId, outputTokens: 1_500, providerShareBps: 8_500 },
    ]);
    const before = env.snapshot([attacker.credit, attacker.vault]);
    attempt(() => env.send(ix, [env.operator]), E.InvalidAccountOwner);
    expect(env.snapshot([attacker.credit, attacker.vault])).toEqual(before);
  });

  it('a forged CreditAccount in a lock_batch or refund_batch → InvalidAccountOwner', () => {
    const { env, victim, job, attempt } = scenario();
    const forged = forge(env, victim.credit);
    const lock = getLockBatchInstruction({ authority: env.operator.publicKey }, [{ creditAccount: forged, vault: victim.vault, jobId: 720n, tier: 0, maxOutputTokens: 10 }]);
    attempt(() => env.send(lock, [env.operator]), E.InvalidAccountOwner);
    const refund = getRefundBatchInstruction({ authority: env.operator.publicKey }, [{ creditAccount: forged, jobId: job.jobId }]);
    attempt(() => env.send(refund, [env.operator]), E.InvalidAccountOwner);
  });

  it('type cosplay: a CreditAccount passed as the Config → InvalidAccountData', () => {
    const { env, victim, attacker, attempt } = scenario();
    const ix = getLockInstruction(
      { authority: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, config: attacker.credit },
      { jobId: 600n, tier: 0, maxOutputTokens: 100 },
    );
    attempt(() => env.send(ix, [env.operator]), E.InvalidAccountData);
  });

  it('type cosplay: the Config passed as the CreditAccount → InvalidAccountData', () => {
    const { env, job, attempt } = scenario();
    const ix = getRefundInstruction({ authority: env.operator.publicKey, creditAccount: findConfigPda()[0] }, { jobId: job.jobId });
    attempt(() => env.send(ix, [env.operator]), E.InvalidAccountData);
  });

  it('a settle naming a job id of another credit account → JobNotFound', () => {
    // Given the attacker's job 700 in flight and the victim's account holding no job 700
    const { env, victim, attacker, worker, attempt } = scenario();
    const attackerJob = env.lock(attacker, { jobId: 700n });
    const ix = getSettleInstruction(
      { operator: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, providerTokenAccount: worker.usdc },
      { jobId: attackerJob.jobId, outputTokens: 1_000, providerShareBps: 8_000 },
    );
    attempt(() => env.send(ix, [env.operator]), E.JobNotFound);
    attempt(() => env.refund(victim, attackerJob), E.JobNotFound);
  });
});
