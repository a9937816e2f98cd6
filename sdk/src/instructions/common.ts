import { Buffer } from 'buffer';
import { TOKEN_PROGRAM_ID } from '@solana/spl-token';
import { PublicKey, TransactionInstruction, type AccountMeta } from '@solana/web3.js';
import { JOB_ESCROW_PROGRAM_ID } from '../constants.js';
import { findVaultAddress } from '../pdas.js';
import { encodeInstructionData } from '../codec.js';
import { IDL, type InstructionName, type JobEscrowIdl } from '../idl.js';

type IdlInstruction<N extends InstructionName> = Extract<JobEscrowIdl['instructions'][number], { name: N }>;
type IdlAccount<N extends InstructionName> = IdlInstruction<N>['accounts'][number];

/**
 * The accounts of instruction `N` by the IDL's snake_case names: each one
 * required, except those with a fixed address (programs), which default to it.
 */
export type InstructionAccounts<N extends InstructionName> = {
  [A in IdlAccount<N> as A extends { address: string } ? never : A['name']]: PublicKey;
} & {
  [A in IdlAccount<N> as A extends { address: string } ? A['name'] : never]?: PublicKey;
};

/**
 * The Config's mint and its token program (the Config's `tokenProgram`,
 * the mint's owner), which every instruction that moves tokens takes; the
 * classic SPL Token program when `tokenProgram` is omitted.
 */
export interface MintAccounts {
  mint: PublicKey;
  /** The Config's `tokenProgram`: classic SPL Token (the default) or Token-2022. */
  tokenProgram?: PublicKey;
}

/** The `mint` and `token_program` accounts of `a`. */
export function mintAccounts(a: MintAccounts): { mint: PublicKey; token_program: PublicKey } {
  return { mint: a.mint, token_program: a.tokenProgram ?? TOKEN_PROGRAM_ID };
}

/** `a.vault`, or the vault of `creditAccount` (the ATA under the mint's token program). */
export function vaultOf(a: MintAccounts & { vault?: PublicKey }, creditAccount: PublicKey): PublicKey {
  return a.vault ?? findVaultAddress(creditAccount, a.mint, { tokenProgram: a.tokenProgram });
}

/** The arguments of instruction `N` by the IDL's names (pubkeys as PublicKey, integers as number or bigint, options as null). */
export type InstructionArgs<N extends InstructionName> = { [A in IdlInstruction<N>['args'][number] as A['name']]: unknown };

/**
 * Encodes `args` (codec.ts) and orders `accounts` as the IDL
 * declares them, with the IDL's writable/signer flags. Names are checked by
 * the compiler against the IDL.
 */
export function buildInstruction<N extends InstructionName>(
  name: N,
  accounts: InstructionAccounts<N>,
  args: InstructionArgs<N>,
  programId: PublicKey = JOB_ESCROW_PROGRAM_ID,
): TransactionInstruction {
  const ix = IDL.instructions.find((i) => i.name === name)!;
  const given = accounts as Record<string, PublicKey | undefined>;
  const keys: AccountMeta[] = ix.accounts.map((a) => {
    const pubkey = given[a.name] ?? ('address' in a ? new PublicKey(a.address) : undefined);
    if (!pubkey) throw new TypeError(`${name}: account ${a.name} is required`);
    return { pubkey, isWritable: 'writable' in a && a.writable, isSigner: 'signer' in a && a.signer };
  });
  return new TransactionInstruction({ programId, keys, data: Buffer.from(encodeInstructionData(name, args)) });
}
