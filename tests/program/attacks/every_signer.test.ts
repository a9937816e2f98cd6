// Every signer the IDL declares, stripped one at a time: the instruction is
// built with the right keys, the signer flag of one of them cleared, and the
// transaction paid and signed by the attacker. The program must answer
// MissingSignature (its own check, before any CPI) and change nothing.
import { describe, expect, it } from 'vitest';
import { IDL, JobEscrowErrorCode as E, findCreditAccountPda, getInitializeConfigInstruction } from '../../../sdk/src/index.js';
import { TestEnv, expectProgramError } from '../../shared/index.js';
import { BUILDS } from './builds.js';
import { scenario } from './scenario.js';

const signerCases = IDL.instructions.flatMap((ix) =>
  ix.accounts.flatMap((a, index) => ('signer' in a && a.signer ? [{ name: ix.name, account: a.name, index }] : [])),
);

describe('attack: every declared signer stripped → MissingSignature, nothing changed', () => {
  it('covers every signer of every instruction', () => {
    for (const { name } of signerCases) expect(name === 'initialize_config' || name in BUILDS, `${name} has a signer case`).toBe(true);
    expect(signerCases.length).toBe(18);
  });

  for (const { name, account, index } of signerCases.filter((c) => c.name !== 'initialize_config')) {
    it(`${name}: ${account}`, () => {
      const s = scenario();
      const { ix, signers } = BUILDS[name]!(s);
      const stripped = ix.keys[index].pubkey;
      ix.keys[index].isSigner = false;
      // The attacker pays; every other legitimate signer still signs
      const others = signers.filter((k) => !k.publicKey.equals(stripped));
      s.attempt(() => s.env.send(ix, [s.attacker.wallet, ...others]), E.MissingSignature);
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
