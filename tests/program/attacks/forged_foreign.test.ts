// Accounts of other programs forged byte for byte (LiteSVM writes any
// account): a token account, a mint and the ProgramData, each a perfect copy
// except for the program that owns it. And instruction data that is not
// Borsh. Every one is refused with the exact error; nothing changes.
import { Keypair } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  JobEscrowErrorCode as E,
  findConfigPda,
  findProgramDataAddress,
  getInitializeConfigInstruction,
  getUpdateConfigInstruction,
} from '../../../sdk/src/index.js';
import { TestEnv, expectProgramError } from '../../shared/index.js';
import { scenario } from './scenario.js';

describe('attack: forged accounts of other programs', () => {
  it('a worker token account copied under another program → InvalidTokenAccount', () => {
    const { env, victim, job, worker, attempt } = scenario();
    const forged = Keypair.generate().publicKey;
    env.setRaw(forged, env.data(worker.usdc)!, Keypair.generate().publicKey);
    attempt(() => env.settle(victim, job, { provider: forged }), E.InvalidTokenAccount);
  });

  it('a mint copied under another program → InvalidMint', () => {
    const env = new TestEnv();
    const forged = Keypair.generate().publicKey;
    env.setRaw(forged, env.data(env.mint)!, Keypair.generate().publicKey);
    const ix = getInitializeConfigInstruction({ admin: env.admin.publicKey, mint: forged, treasury: env.treasury }, { operator: env.operator.publicKey });
    expectProgramError(() => env.send(ix, [env.admin]), E.InvalidMint);
    expect(env.data(findConfigPda()[0])).toBeNull();
  });

  it('the ProgramData at its real address but owned by another program (naming the attacker) → InvalidProgramData', () => {
    const env = new TestEnv();
    const attacker = env.wallet();
    env.setUpgradeAuthority(attacker.publicKey);
    const programData = findProgramDataAddress();
    env.setRaw(programData, env.data(programData)!, Keypair.generate().publicKey);
    const ix = getInitializeConfigInstruction({ admin: attacker.publicKey, mint: env.mint, treasury: env.treasury }, { operator: attacker.publicKey });
    expectProgramError(() => env.send(ix, [attacker]), E.InvalidProgramData);
    expect(env.data(findConfigPda()[0])).toBeNull();
  });
});

describe('attack: ProgramData states the loader can leave behind', () => {
  const init = (env: TestEnv) =>
    getInitializeConfigInstruction({ admin: env.admin.publicKey, mint: env.mint, treasury: env.treasury }, { operator: env.operator.publicKey });
  const rewrite = (env: TestEnv, edit: (data: Buffer) => void) => {
    const address = findProgramDataAddress();
    const data = Buffer.from(env.data(address)!);
    edit(data);
    env.bank.setAccount(address, { ...env.account(address)!, data });
  };

  it('an immutable program (authority None) whose old authority bytes remain → NotUpgradeAuthority', () => {
    // Given the program made immutable: the option byte is 0, the old key (the admin's) still in bytes 13..45
    const env = new TestEnv();
    rewrite(env, (d) => (d[12] = 0));
    // When the former authority initializes, Then it is refused
    expectProgramError(() => env.send(init(env), [env.admin]), E.NotUpgradeAuthority);
    expect(env.data(findConfigPda()[0])).toBeNull();
  });

  it('a loader account at the ProgramData address that is not ProgramData (another state tag) → InvalidProgramData', () => {
    const env = new TestEnv();
    rewrite(env, (d) => d.writeUInt32LE(1, 0)); // tag 1: a Buffer, not ProgramData (3)
    expectProgramError(() => env.send(init(env), [env.admin]), E.InvalidProgramData);
    expect(env.data(findConfigPda()[0])).toBeNull();
  });
});

describe('attack: instruction data that is not Borsh', () => {
  it('a bool or option tag other than 0 and 1 → InvalidInstructionData, the Config unchanged', () => {
    const { env } = scenario();
    const [config] = findConfigPda();
    const before = env.snapshot([config]);
    // update_config: operator None, set_treasury 2 (not a bool)
    const badBool = getUpdateConfigInstruction({ admin: env.admin.publicKey }, {});
    badBool.data[8 + 1] = 2;
    expectProgramError(() => env.send(badBool, [env.admin]), E.InvalidInstructionData);
    // an option tag of 2 for the operator
    const badTag = getUpdateConfigInstruction({ admin: env.admin.publicKey }, {});
    badTag.data[8] = 2;
    expectProgramError(() => env.send(badTag, [env.admin]), E.InvalidInstructionData);
    expect(env.snapshot([config])).toEqual(before);
  });
});
