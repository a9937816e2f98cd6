// One valid instruction of every kind against the attack scenario, with the
// keypairs that legitimately sign it, for the table-driven attacks
// (every_signer, every_account).
import type { Keypair, TransactionInstruction } from '@solana/web3.js';
import {
  getAcceptAdminInstruction,
  getAddJobSlotsInstruction,
  getCloseCreditAccountInstruction,
  getCollectFeesInstruction,
  getExpirePromoInstruction,
  getGrantCreditsInstruction,
  getLockBatchInstruction,
  getLockInstruction,
  getNominateAdminInstruction,
  getOpenCreditAccountInstruction,
  getPurchaseInstruction,
  getRefundBatchInstruction,
  getRefundInstruction,
  getSetSpendingLimitInstruction,
  getSettleBatchInstruction,
  getSettleInstruction,
  getUpdateConfigInstruction,
  getWithdrawInstruction,
  type InstructionName,
} from '../../../sdk/src/index.js';
import type { Scenario } from './scenario.js';

export interface Built {
  ix: TransactionInstruction;
  /** Who signs it when nothing is tampered with. */
  signers: Keypair[];
}

export const BUILDS: Partial<Record<InstructionName, (s: Scenario) => Built>> = {
  update_config: ({ env }) => ({ ix: getUpdateConfigInstruction({ admin: env.admin.publicKey }, { paused: true }), signers: [env.admin] }),
  nominate_admin: ({ env, attacker }) => ({ ix: getNominateAdminInstruction({ admin: env.admin.publicKey }, { newAdmin: attacker.wallet.publicKey }), signers: [env.admin] }),
  accept_admin: ({ env }) => {
    const nominee = env.wallet();
    env.send(getNominateAdminInstruction({ admin: env.admin.publicKey }, { newAdmin: nominee.publicKey }), [env.admin]);
    return { ix: getAcceptAdminInstruction({ newAdmin: nominee.publicKey }), signers: [nominee] };
  },
  open_credit_account: ({ env }) => ({
    ix: getOpenCreditAccountInstruction({ payer: env.operator.publicKey, owner: env.wallet().publicKey, ...env.token }),
    signers: [env.operator],
  }),
  purchase: ({ env, victim }) => ({ ix: getPurchaseInstruction({ owner: victim.wallet.publicKey, ...env.token, source: victim.usdc }, { credits: 100n }), signers: [victim.wallet] }),
  // The operator is lock's only signer: no rent payer, no system program
  lock: ({ env, victim }) => ({
    ix: getLockInstruction({ authority: env.operator.publicKey, creditAccount: victim.credit, ...env.token }, { jobId: 900n, tier: 3, maxOutputTokens: 1_000 }),
    signers: [env.operator],
  }),
  settle: ({ env, victim, job, worker }) => ({
    ix: getSettleInstruction(
      { operator: env.operator.publicKey, creditAccount: victim.credit, ...env.token, providerTokenAccount: worker.usdc },
      { jobId: job.jobId, outputTokens: 1_500, providerShareBps: 8_500 },
    ),
    signers: [env.operator],
  }),
  refund: ({ env, victim, job }) => ({
    ix: getRefundInstruction({ authority: env.operator.publicKey, creditAccount: victim.credit }, { jobId: job.jobId }),
    signers: [env.operator],
  }),
  // The owner pays the larger account's rent: its signature guards its lamports
  add_job_slots: ({ victim }) => ({ ix: getAddJobSlotsInstruction({ owner: victim.wallet.publicKey }, { count: 4 }), signers: [victim.wallet] }),
  lock_batch: ({ env, victim, attacker }) => ({
    ix: getLockBatchInstruction({ authority: env.operator.publicKey }, [
      { creditAccount: victim.credit, vault: victim.vault, jobId: 901n, tier: 1, maxOutputTokens: 1_000 },
      { creditAccount: attacker.credit, vault: attacker.vault, jobId: 902n, tier: 1, maxOutputTokens: 1_000 },
    ]),
    signers: [env.operator],
  }),
  settle_batch: ({ env, victim, job, worker }) => ({
    ix: getSettleBatchInstruction({ operator: env.operator.publicKey, ...env.token }, [
      { creditAccount: victim.credit, vault: victim.vault, providerTokenAccount: worker.usdc, jobId: job.jobId, outputTokens: 1_500, providerShareBps: 8_500 },
    ]),
    signers: [env.operator],
  }),
  refund_batch: ({ env, victim, job }) => ({
    ix: getRefundBatchInstruction({ authority: env.operator.publicKey }, [{ creditAccount: victim.credit, jobId: job.jobId }]),
    signers: [env.operator],
  }),
  withdraw: ({ env, victim }) => ({ ix: getWithdrawInstruction({ owner: victim.wallet.publicKey, ...env.token, destination: victim.usdc }, { credits: 10n }), signers: [victim.wallet] }),
  set_spending_limit: ({ victim }) => ({ ix: getSetSpendingLimitInstruction({ owner: victim.wallet.publicKey }, { maxCreditsPerJob: 1n, dailyLimitCredits: 1n }), signers: [victim.wallet] }),
  collect_fees: ({ env, victim, job }) => {
    env.settle(victim, job); // fees accrue
    return { ix: getCollectFeesInstruction({ creditAccount: victim.credit, ...env.token, treasury: env.treasury }), signers: [env.wallet()] };
  },
  close_credit_account: ({ env }) => {
    // An empty account: its owner's signature is all that guards the rent
    const owner = env.wallet();
    env.send(getOpenCreditAccountInstruction({ payer: owner.publicKey, owner: owner.publicKey, ...env.token }), [owner]);
    return { ix: getCloseCreditAccountInstruction({ owner: owner.publicKey, rentPayer: owner.publicKey, ...env.token }), signers: [owner] };
  },
  grant_credits: ({ env, victim }) => ({
    ix: getGrantCreditsInstruction({ operator: env.operator.publicKey, creditAccount: victim.credit, ...env.token, source: env.operatorUsdc }, { credits: 10n }),
    signers: [env.operator],
  }),
  expire_promo: ({ env, victim }) => {
    env.grant(victim, 20n, env.now() + 3_600n);
    return { ix: getExpirePromoInstruction({ authority: victim.wallet.publicKey, creditAccount: victim.credit, ...env.token, treasury: env.treasury }), signers: [victim.wallet] };
  },
};
