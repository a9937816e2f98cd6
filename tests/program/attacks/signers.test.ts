// Missing and wrong signers.
import { describe, it } from 'vitest';
import {
  JobEscrowErrorCode as E,
  getLockInstruction,
  getSettleInstruction,
  getWithdrawInstruction,
} from '../../../sdk/src/index.js';
import { scenario } from './scenario.js';

describe('attack: signers', () => {
  it('withdraw with the owner’s signature stripped (paid by the attacker) → MissingSignature', () => {
    const { env, victim, attacker, attempt } = scenario();
    const ix = getWithdrawInstruction({ owner: victim.wallet.publicKey, mint: env.mint, destination: attacker.usdc }, { credits: 50n });
    ix.keys[0].isSigner = false;
    attempt(() => env.send(ix, [attacker.wallet]), E.MissingSignature);
  });

  it('lock with the operator’s signature stripped → MissingSignature', () => {
    const { env, victim, attacker, attempt } = scenario();
    const ix = getLockInstruction(
      { authority: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint },
      { jobId: 500n, tier: 3, maxOutputTokens: 1_000 },
    );
    ix.keys[0].isSigner = false;
    attempt(() => env.send(ix, [attacker.wallet]), E.MissingSignature);
  });

  it('settle signed by someone other than the operator → Unauthorized', () => {
    const { env, victim, attacker, job, attempt } = scenario();
    const ix = getSettleInstruction(
      { operator: attacker.wallet.publicKey, creditAccount: victim.credit, mint: env.mint, providerTokenAccount: attacker.usdc },
      { jobId: job.jobId, outputTokens: 1_500, providerShareBps: 8_500 },
    );
    attempt(() => env.send(ix, [attacker.wallet]), E.Unauthorized);
  });

  it('withdraw of the victim’s credits signed by the attacker → Unauthorized', () => {
    const { env, victim, attacker, attempt } = scenario();
    const ix = getWithdrawInstruction(
      { owner: attacker.wallet.publicKey, mint: env.mint, destination: attacker.usdc, creditAccount: victim.credit, vault: victim.vault },
      { credits: 50n },
    );
    attempt(() => env.send(ix, [attacker.wallet]), E.Unauthorized);
  });

  it('lock of the victim’s credits by a stranger → Unauthorized', () => {
    const { env, victim, attacker, attempt } = scenario();
    attempt(() => env.lock(victim, { authority: attacker.wallet, jobId: 501n }), E.Unauthorized);
  });
});
