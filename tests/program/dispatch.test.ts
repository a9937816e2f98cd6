import { Keypair, TransactionInstruction } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  JOB_ESCROW_PROGRAM_ID,
  JobEscrowErrorCode as E,
  findConfigPda,
  getInitializeConfigInstruction,
} from '../../sdk/src/index.js';
import { TestEnv, expectProgramError } from '../shared/index.js';

describe('instruction dispatch', () => {
  it('rejects data shorter than a discriminator, an unknown discriminator and malformed arguments', () => {
    // Given an initialized program
    const env = new TestEnv();
    const payer = env.wallet();
    const raw = (data: Buffer) =>
      new TransactionInstruction({ programId: JOB_ESCROW_PROGRAM_ID, keys: [], data });
    // When the data is empty, 7 bytes, or an unknown 8-byte discriminator, Then InvalidInstructionData
    for (const data of [Buffer.alloc(0), Buffer.alloc(7, 1), Buffer.from('0123456789abcdef', 'hex')]) {
      expectProgramError(() => env.send(raw(data), [payer]), E.InvalidInstructionData);
    }
    // When initialize_config's arguments are one byte short or one byte long, Then InvalidInstructionData
    const ix = getInitializeConfigInstruction(
      { admin: env.admin.publicKey, mint: env.mint, treasury: env.treasury },
      { operator: env.operator.publicKey },
    );
    for (const data of [ix.data.subarray(0, ix.data.length - 1), Buffer.concat([ix.data, Buffer.alloc(1)])]) {
      expectProgramError(() => env.send(new TransactionInstruction({ ...ix, data }), [env.admin]), E.InvalidInstructionData);
    }
    expect(env.data(findConfigPda()[0])).toBeNull();
  });

  it('rejects an instruction with too few accounts without touching anything', () => {
    const env = new TestEnv();
    const ix = getInitializeConfigInstruction(
      { admin: env.admin.publicKey, mint: env.mint, treasury: env.treasury },
      { operator: Keypair.generate().publicKey },
    );
    const short = new TransactionInstruction({ ...ix, keys: ix.keys.slice(0, 5) });
    expect(() => env.send(short, [env.admin])).toThrow(/NotEnoughAccountKeys|not enough account keys/i);
    expect(env.data(findConfigPda()[0])).toBeNull();
  });
});
