import type { PublicKey, TransactionInstruction } from '@solana/web3.js';
import { findConfigPda, findCreditAccountPda } from '../pdas.js';
import { toSmall } from '../idl.js';
import { buildInstruction, mintAccounts, vaultOf, type MintAccounts } from './common.js';

export interface OpenCreditAccountAccounts extends MintAccounts {
  /** Pays rent for the CreditAccount and its vault; any wallet. */
  payer: PublicKey;
  /** The wallet the credits belong to; it does not sign. */
  owner: PublicKey;
  config?: PublicKey;
  creditAccount?: PublicKey;
  vault?: PublicKey;
}

/**
 * Builds `open_credit_account` (creates the CreditAccount PDA and its vault,
 * the ATA under the mint's token program) with `jobSlots` job slots (0 or omitted: DEFAULT_JOB_SLOTS, at most
 * MAX_JOB_SLOTS).
 * @throws RangeError when `jobSlots` is not a u8.
 */
export function getOpenCreditAccountInstruction(
  accounts: OpenCreditAccountAccounts,
  args: { jobSlots?: number } = {},
  { programId }: { programId?: PublicKey } = {},
): TransactionInstruction {
  const creditAccount = accounts.creditAccount ?? findCreditAccountPda(accounts.owner, { programId })[0];
  return buildInstruction(
    'open_credit_account',
    {
      payer: accounts.payer,
      owner: accounts.owner,
      config: accounts.config ?? findConfigPda({ programId })[0],
      credit_account: creditAccount,
      vault: vaultOf(accounts, creditAccount),
      ...mintAccounts(accounts),
    },
    { job_slots: toSmall(args.jobSlots ?? 0, 'jobSlots', 8) },
    programId,
  );
}
