// Every signer the IDL declares, stripped one at a time: the instruction is
// built with the right keys, the signer flag of one of them cleared, and the
// transaction paid and signed by the attacker. The program must answer
// MissingSignature (its own check, before any CPI) and change nothing.
import type { Keypair, TransactionInstruction } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  IDL,
  JobEscrowErrorCode as E,
  getAcceptAdminInstruction,
  getCloseCreditAccountInstruction,
  getExpirePromoInstruction,
  getGrantCreditsInstruction,
  getInitializeConfigInstruction,
  getLockInstruction,
  getNominateAdminInstruction,
  getOpenCreditAccountInstruction,
  getPurchaseInstruction,
  getRefundInstruction,
  getSetSpendingLimitInstruction,
  getSettleInstruction,
  getUpdateConfigInstruction,
  getWithdrawInstruction,
  findCreditAccountPda,
  type InstructionName,
} from '../../sdk/src/index.js';
import { TestEnv, expectProgramError } from '../setup.js';
import { scenario, type Scenario } from './scenario.js';

/** The instruction, and who signs it when that is not the attacker alone. */
type Build = (s: Scenario, stripped: string) => TransactionInstruction | { ix: TransactionInstruction; signers: Keypair[] };

const BUILDS: Partial<Record<InstructionName, Build>> = {
  update_config: ({ env }) => getUpdateConfigInstruction({ admin: env.admin.publicKey }, { paused: true }),
  nominate_admin: ({ env, attacker }) => getNominateAdminInstruction({ admin: env.admin.publicKey }, { newAdmin: attacker.wallet.publicKey }),
  accept_admin: ({ env }) => {
    // The admin nominated a successor: the attacker names the nominee without its signature
    const nominee = env.wallet();
    env.send(getNominateAdminInstruction({ admin: env.admin.publicKey }, { newAdmin: nominee.publicKey }), [env.admin]);
    return getAcceptAdminInstruction({ newAdmin: nominee.publicKey });
  },
  open_credit_account: ({ env }) => {
    const owner = env.wallet().publicKey;
    return getOpenCreditAccountInstruction({ payer: env.operator.publicKey, owner, mint: env.mint });
  },
  purchase: ({ env, victim }) => getPurchaseInstruction({ owner: victim.wallet.publicKey, mint: env.mint, source: victim.usdc }, { credits: 100n }),
  // Without the operator's signature (the attacker pays the rent), or making the victim pay the rent unasked
  lock: ({ env, victim, attacker }, stripped) => {
    const rentPayer = stripped === 'rent_payer' ? victim.wallet : attacker.wallet;
    const ix = getLockInstruction({ authority: env.operator.publicKey, rentPayer: rentPayer.publicKey, creditAccount: victim.credit, mint: env.mint }, { jobId: 900n, tier: 3, maxOutputTokens: 1_000 });
    return stripped === 'rent_payer' ? { ix, signers: [env.operator] } : ix;
  },
  settle: ({ env, victim, attacker, job }) =>
    getSettleInstruction(
      { operator: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, job: job.address, providerTokenAccount: env.createTokenAccount(attacker.wallet.publicKey, 0n, { address: env.wallet().publicKey }), rentPayer: job.rentPayer.publicKey },
      { outputTokens: 1_500, providerShareBps: 8_500 },
    ),
  refund: ({ env, victim, job }) => getRefundInstruction({ authority: env.operator.publicKey, creditAccount: victim.credit, job: job.address, rentPayer: job.rentPayer.publicKey }),
  withdraw: ({ env, victim, attacker }) => getWithdrawInstruction({ owner: victim.wallet.publicKey, mint: env.mint, destination: attacker.usdc }, { credits: 10n }),
  set_spending_limit: ({ victim }) => getSetSpendingLimitInstruction({ owner: victim.wallet.publicKey }, { maxCreditsPerJob: 1n, dailyLimitCredits: 1n }),
  close_credit_account: ({ env }) => {
    // An empty account: its owner's signature is all that guards the rent
    const owner = env.wallet();
    env.send(getOpenCreditAccountInstruction({ payer: owner.publicKey, owner: owner.publicKey, mint: env.mint }), [owner]);
    return getCloseCreditAccountInstruction({ owner: owner.publicKey, mint: env.mint });
  },
  grant_credits: ({ env, victim }) => getGrantCreditsInstruction({ operator: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, source: env.operatorUsdc }, { credits: 10n }),
  expire_promo: ({ env, victim }) => {
    env.grant(victim, 20n, env.now() + 3_600n);
    return getExpirePromoInstruction({ authority: victim.wallet.publicKey, creditAccount: victim.credit, mint: env.mint, treasury: env.treasury });
  },
};

const signerCases = IDL.instructions.flatMap((ix) =>
  ix.accounts.flatMap((a, index) => ('signer' in a && a.signer ? [{ name: ix.name, account: a.name, index }] : [])),
);

describe('attack: every declared signer stripped → MissingSignature, nothing changed', () => {
  it('covers every signer of every instruction', () => {
    for (const { name } of signerCases) expect(name === 'initialize_config' || name in BUILDS, `${name} has a signer case`).toBe(true);
    expect(signerCases.length).toBe(15);
  });

  for (const { name, account, index } of signerCases.filter((c) => c.name !== 'initialize_config')) {
    it(`${name}: ${account}`, () => {
      const s = scenario();
      const built = BUILDS[name]!(s, account);
      const { ix, signers } = 'ix' in built ? built : { ix: built, signers: [s.attacker.wallet] };
      ix.keys[index].isSigner = false;
      s.attempt(() => s.env.send(ix, signers), E.MissingSignature);
    });
  }

  it('initialize_config: admin (the upgrade authority)', () => {
    const env = new TestEnv();
    const attacker = env.wallet();
    const ix = getInitializeConfigInstruction({ admin: env.admin.publicKey, mint: env.mint, treasury: env.treasury }, { operator: attacker.publicKey });
    ix.keys[0].isSigner = false;
    expectProgramError(() => env.send(ix, [attacker]), E.MissingSignature);
    expect(env.data(findCreditAccountPda(attacker.publicKey)[0])).toBeNull();
  });
});
