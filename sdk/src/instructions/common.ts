import { PublicKey, TransactionInstruction, type AccountMeta } from '@solana/web3.js';
import type { IdlInstruction } from '@coral-xyz/anchor/dist/cjs/idl.js';
import { JOB_ESCROW_PROGRAM_ID } from '../constants.js';
import { coder, IDL } from '../idl.js';

/**
 * Encodes `args` with Anchor's coder and orders `accounts` (keyed by the
 * IDL's snake_case names) as the IDL declares them, with the IDL's
 * writable/signer flags. A missing account is a programming error.
 */
export function buildInstruction(
  name: string,
  accounts: Record<string, PublicKey>,
  args: Record<string, unknown>,
  programId: PublicKey = JOB_ESCROW_PROGRAM_ID,
): TransactionInstruction {
  const ix = IDL.instructions.find((i) => i.name === name) as IdlInstruction | undefined;
  if (!ix) throw new Error(`unknown instruction ${name}`);
  const keys: AccountMeta[] = ix.accounts.map((a) => {
    if (!('name' in a) || 'accounts' in a) throw new Error('nested IDL accounts are not used');
    const pubkey = accounts[a.name] ?? (a.address ? new PublicKey(a.address) : undefined);
    if (!pubkey) throw new Error(`${name}: account ${a.name} is required`);
    return { pubkey, isWritable: !!a.writable, isSigner: !!a.signer };
  });
  return new TransactionInstruction({ programId, keys, data: coder.instruction.encode(name, args) });
}
