// One valid instruction of every kind against the attack scenario, with the
// keypairs that legitimately sign it, for the table-driven attacks
// (every_signer, every_account).
import type { Keypair, TransactionInstruction } from '@solana/web3.js';
import {
  getAcceptAdminInstruction,
  getCloseCreditAccountInstruction,
  getCollectFeesInstruction,
  getExpirePromoInstruction,
  getGrantCreditsInstruction,
  getLockInstruction,
  getNominateAdminInstruction,
  getOpenCreditAccountInstruction,
  getPurchaseInstruction,
  getRefundInstruction,
  getSetSpendingLimitInstruction,
  getSettleInstruction,
  getUpdateConfigInstruction,
  getWithdrawInstruction,
  type InstructionName,
} from '../../sdk/src/index.js';
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
    ix: getOpenCreditAccountInstruction({ payer: env.operator.publicKey, owner: env.wallet().publicKey, mint: env.mint }),
    signers: [env.operator],
  }),
  purchase: ({ env, victim }) => ({ ix: getPurchaseInstruction({ owner: victim.wallet.publicKey, mint: env.mint, source: victim.usdc }, { credits: 100n }), signers: [victim.wallet] }),
  // The victim pays the rent: a signer to strip that the operator does not cover
  lock: ({ env, victim }) => ({
    ix: getLockInstruction({ authority: env.operator.publicKey, rentPayer: victim.wallet.publicKey, creditAccount: victim.credit, mint: env.mint }, { jobId: 900n, tier: 3, maxOutputTokens: 1_000 }),
    signers: [env.operator, victim.wallet],
  }),
  settle: ({ env, victim, job, worker }) => ({
    ix: getSettleInstruction(
      { operator: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, job: job.address, providerTokenAccount: worker.usdc, rentPayer: job.rentPayer.publicKey },
      { outputTokens: 1_500, providerShareBps: 8_500 },
    ),
    signers: [env.operator],
  }),
  refund: ({ env, victim, job }) => ({
    ix: getRefundInstruction({ authority: env.operator.publicKey, creditAccount: victim.credit, job: job.address, rentPayer: job.rentPayer.publicKey }),
    signers: [env.operator],
  }),
  withdraw: ({ env, victim }) => ({ ix: getWithdrawInstruction({ owner: victim.wallet.publicKey, mint: env.mint, destination: victim.usdc }, { credits: 10n }), signers: [victim.wallet] }),
  set_spending_limit: ({ victim }) => ({ ix: getSetSpendingLimitInstruction({ owner: victim.wallet.publicKey }, { maxCreditsPerJob: 1n, dailyLimitCredits: 1n }), signers: [victim.wallet] }),
  collect_fees: ({ env, victim, job }) => {
    env.settle(victim, job); // fees accrue
    return { ix: getCollectFeesInstruction({ creditAccount: victim.credit, mint: env.mint, treasury: env.treasury }), signers: [env.wallet()] };
  },
  close_credit_account: ({ env }) => {
    // An empty account: its owner's signature is all that guards the rent
    const owner = env.wallet();
    env.send(getOpenCreditAccountInstruction({ payer: owner.publicKey, owner: owner.publicKey, mint: env.mint }), [owner]);
    return { ix: getCloseCreditAccountInstruction({ owner: owner.publicKey, rentPayer: owner.publicKey, mint: env.mint }), signers: [owner] };
  },
  grant_credits: ({ env, victim }) => ({
    ix: getGrantCreditsInstruction({ operator: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, source: env.operatorUsdc }, { credits: 10n }),
    signers: [env.operator],
  }),
  expire_promo: ({ env, victim }) => {
    env.grant(victim, 20n, env.now() + 3_600n);
    return { ix: getExpirePromoInstruction({ authority: victim.wallet.publicKey, creditAccount: victim.credit, mint: env.mint, treasury: env.treasury }), signers: [victim.wallet] };
  },
};
