// Every program id (Token, System, ATA) and every vault of every
// instruction, substituted one at a time, with the legitimate signers signing:
//   - token_program → the Memo program (it succeeds without moving tokens):
//     InvalidTokenProgram, so nothing is recorded as paid that was not;
//   - vault → another token account of the mint owned by the same credit
//     PDA (anyone can create one; it is not the ATA): InvalidVault.
// Nothing may change either way.
import { PublicKey } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import { IDL, JobEscrowErrorCode as E, findConfigPda, getInitializeConfigInstruction } from '../../../sdk/src/index.js';
import { TestEnv, expectProgramError } from '../../shared/index.js';
import { BUILDS } from './builds.js';
import { scenario } from './scenario.js';

const MEMO_PROGRAM_ID = new PublicKey('MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr');

const accountsNamed = (name: string) =>
  IDL.instructions.flatMap((ix) => ix.accounts.flatMap((a, index) => (a.name === name ? [{ name: ix.name, index }] : [])));

describe('attack: every token program and vault substituted', () => {
  // open_credit_account creates the vault through the ATA program (which
  // checks its token program itself): attacks/token_accounts covers it.
  const tokenPrograms = accountsNamed('token_program').filter((c) => c.name !== 'open_credit_account');
  const vaults = accountsNamed('vault').filter((c) => c.name !== 'open_credit_account');

  it('covers every instruction that takes them', () => {
    for (const { name } of [...tokenPrograms, ...vaults]) expect(name in BUILDS, `${name} has a build`).toBe(true);
    expect(tokenPrograms.length).toBeGreaterThanOrEqual(7);
  });

  for (const { name, index } of tokenPrograms) {
    it(`${name}: the Memo program as token_program → InvalidTokenProgram`, () => {
      const s = scenario();
      const { ix, signers } = BUILDS[name]!(s);
      ix.keys[index].pubkey = MEMO_PROGRAM_ID;
      s.attempt(() => s.env.send(ix, signers), E.InvalidTokenProgram);
    });
  }

  // The System and ATA programs, where the program invokes them
  for (const { name, index } of [...accountsNamed('system_program'), ...accountsNamed('associated_token_program')].filter((c) => c.name !== 'initialize_config')) {
    it(`${name}: the Memo program as ${IDL.instructions.find((x) => x.name === name)!.accounts[index].name} → InvalidProgramAccount`, () => {
      const s = scenario();
      const { ix, signers } = BUILDS[name]!(s);
      ix.keys[index].pubkey = MEMO_PROGRAM_ID;
      s.attempt(() => s.env.send(ix, signers), E.InvalidProgramAccount);
    });
  }

  it('initialize_config: the Memo program as system_program → InvalidProgramAccount', () => {
    const env = new TestEnv();
    const ix = getInitializeConfigInstruction({ admin: env.admin.publicKey, mint: env.mint, treasury: env.treasury }, { operator: env.operator.publicKey });
    ix.keys[5].pubkey = MEMO_PROGRAM_ID;
    expectProgramError(() => env.send(ix, [env.admin]), E.InvalidProgramAccount);
    expect(env.data(findConfigPda()[0])).toBeNull();
  });

  for (const { name, index } of vaults) {
    it(`${name}: a second token account of the credit PDA as the vault → InvalidVault`, () => {
      const s = scenario();
      const { ix, signers } = BUILDS[name]!(s);
      const credit = ix.keys.find((k, i) => IDL.instructions.find((x) => x.name === name)!.accounts[i].name === 'credit_account')!.pubkey;
      // Funded like the vault, so only the address check can tell them apart
      const real = s.env.tokenBalance(ix.keys[index].pubkey);
      const other = s.env.createTokenAccount(credit, real, { address: PublicKey.unique() });
      ix.keys[index].pubkey = other;
      s.attempt(() => s.env.send(ix, signers), E.InvalidVault);
    });
  }
});
