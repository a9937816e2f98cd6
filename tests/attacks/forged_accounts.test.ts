// Forged accounts owned by another program, and type cosplay.
import { TOKEN_2022_PROGRAM_ID } from '@solana/spl-token';
import { Keypair } from '@solana/web3.js';
import { describe, it } from 'vitest';
import {
  JobEscrowErrorCode as E,
  findConfigPda,
  getLockInstruction,
  getPurchaseInstruction,
  getRefundInstruction,
  getSettleInstruction,
} from '../../sdk/src/index.js';
import { scenario } from './scenario.js';

/** A byte-for-byte copy of `source` owned by Token-2022 (another program). */
function forge(env: import('../setup.js').Escrow, source: import('@solana/web3.js').PublicKey) {
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
      { operator: attacker.wallet.publicKey, config, creditAccount: victim.credit, mint: env.mint, job: job.address, providerTokenAccount: attacker.usdc, rentPayer: job.rentPayer.publicKey },
      { outputTokens: 1_500, providerShareBps: 8_500 },
    );
    attempt(() => env.send(ix, [attacker.wallet]), E.InvalidAccountOwner);
  });

  it('a forged CreditAccount → InvalidAccountOwner', () => {
    const { env, victim, attempt } = scenario();
    const ix = getPurchaseInstruction({ owner: victim.wallet.publicKey, mint: env.mint, source: victim.usdc, creditAccount: forge(env, victim.credit) }, { credits: 100n });
    attempt(() => env.send(ix, [victim.wallet]), E.InvalidAccountOwner);
  });

  it('a forged Job with a huge lock → InvalidAccountOwner', () => {
    const { env, victim, job, attempt } = scenario();
    const bytes = env.data(job.address)!;
    bytes.writeBigUInt64LE(10_000n, 53); // credits_locked
    const forged = Keypair.generate().publicKey;
    env.setRaw(forged, bytes, TOKEN_2022_PROGRAM_ID);
    attempt(() => env.settle(victim, { ...job, address: forged }), E.InvalidAccountOwner);
  });

  it('type cosplay: a CreditAccount passed as the Config → InvalidAccountData', () => {
    const { env, victim, attacker, attempt } = scenario();
    const ix = getLockInstruction(
      { authority: env.operator.publicKey, rentPayer: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, config: attacker.credit },
      { jobId: 600n, tier: 0, maxOutputTokens: 100 },
    );
    attempt(() => env.send(ix, [env.operator]), E.InvalidAccountData);
  });

  it('type cosplay: a Job passed as the CreditAccount → InvalidAccountData', () => {
    const { env, job, attempt } = scenario();
    const ix = getRefundInstruction({ authority: env.operator.publicKey, creditAccount: job.address, job: job.address, rentPayer: job.rentPayer.publicKey });
    attempt(() => env.send(ix, [env.operator]), E.InvalidAccountData);
  });

  it('a Job of another credit account refunded against the victim’s → JobMismatch', () => {
    const { env, victim, attacker, attempt } = scenario();
    const attackerJob = env.lock(attacker, { jobId: 700n });
    const ix = getRefundInstruction({ authority: env.operator.publicKey, creditAccount: victim.credit, job: attackerJob.address, rentPayer: attackerJob.rentPayer.publicKey });
    attempt(() => env.send(ix, [env.operator]), E.JobMismatch);
  });
});
