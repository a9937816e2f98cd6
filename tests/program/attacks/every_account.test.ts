// Every program account an instruction declares (config, credit_account),
// substituted one at a time, with the legitimate signers signing:
//   - a byte-identical copy owned by another program → InvalidAccountOwner;
//   - a job_escrow account of another type (type cosplay) → InvalidAccountData.
// Nothing may change either way.
import { Keypair, type PublicKey } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import { IDL, JobEscrowErrorCode as E, findConfigPda } from '../../../sdk/src/index.js';
import { BUILDS } from './builds.js';
import { scenario, type Scenario } from './scenario.js';

const PROGRAM_ACCOUNTS = ['config', 'credit_account'] as const;
type ProgramAccount = (typeof PROGRAM_ACCOUNTS)[number];

const cases = IDL.instructions.flatMap((ix) =>
  ix.accounts.flatMap((a, index) => ((PROGRAM_ACCOUNTS as readonly string[]).includes(a.name) ? [{ name: ix.name, account: a.name as ProgramAccount, index }] : [])),
);

/** A job_escrow account of another type than `kind`. */
function otherType(s: Scenario, kind: ProgramAccount): PublicKey {
  return kind === 'config' ? s.victim.credit : findConfigPda()[0];
}

describe('attack: every program account substituted', () => {
  it('covers every instruction that takes one', () => {
    for (const { name } of cases) expect(name === 'initialize_config' || name in BUILDS, `${name} has a build`).toBe(true);
  });

  // Accounts the instruction creates (the Config, a credit account) must not
  // exist yet; attacks/pdas_and_init covers those. The batch forms' credit
  // accounts are remaining accounts: attacks/forged_accounts substitutes them.
  const created = (c: (typeof cases)[number]) => c.name === 'initialize_config' || (c.name === 'open_credit_account' && c.account === 'credit_account');
  for (const { name, account, index } of cases.filter((c) => !created(c))) {
    it(`${name}: ${account} owned by another program → InvalidAccountOwner`, () => {
      const s = scenario();
      const { ix, signers } = BUILDS[name]!(s);
      const real = s.env.account(ix.keys[index].pubkey)!;
      const forged = Keypair.generate().publicKey;
      s.env.setRaw(forged, real.data, Keypair.generate().publicKey);
      ix.keys[index].pubkey = forged;
      s.attempt(() => s.env.send(ix, signers), E.InvalidAccountOwner);
    });

    it(`${name}: ${account} replaced by a job_escrow account of another type → InvalidAccountData`, () => {
      const s = scenario();
      const { ix, signers } = BUILDS[name]!(s);
      ix.keys[index].pubkey = otherType(s, account);
      s.attempt(() => s.env.send(ix, signers), E.InvalidAccountData);
    });
  }
});
