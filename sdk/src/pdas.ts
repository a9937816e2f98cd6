import { PublicKey } from '@solana/web3.js';
import { getAssociatedTokenAddressSync, TOKEN_PROGRAM_ID } from '@solana/spl-token';
import { BPF_LOADER_UPGRADEABLE_ID, CONFIG_SEED, CREDIT_SEED, JOB_ESCROW_PROGRAM_ID } from './constants.js';

export interface ProgramOptions {
  programId?: PublicKey;
}

/** The Config PDA `["config"]`. */
export function findConfigPda({ programId = JOB_ESCROW_PROGRAM_ID }: ProgramOptions = {}): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([CONFIG_SEED], programId);
}

/** The CreditAccount PDA `["credits", owner]`. */
export function findCreditAccountPda(
  owner: PublicKey,
  { programId = JOB_ESCROW_PROGRAM_ID }: ProgramOptions = {},
): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([CREDIT_SEED, owner.toBytes()], programId);
}

/**
 * The vault: the ATA of (CreditAccount PDA, mint) under the mint's token
 * program (`tokenProgram`, the Config's `tokenProgram`; classic SPL Token
 * when omitted).
 */
export function findVaultAddress(creditAccount: PublicKey, mint: PublicKey, { tokenProgram = TOKEN_PROGRAM_ID }: { tokenProgram?: PublicKey } = {}): PublicKey {
  return getAssociatedTokenAddressSync(mint, creditAccount, true, tokenProgram);
}

/** The program's ProgramData account under the upgradeable loader. */
export function findProgramDataAddress({ programId = JOB_ESCROW_PROGRAM_ID }: ProgramOptions = {}): PublicKey {
  return PublicKey.findProgramAddressSync([programId.toBytes()], BPF_LOADER_UPGRADEABLE_ID)[0];
}
