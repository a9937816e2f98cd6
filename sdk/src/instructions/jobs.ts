import { TOKEN_PROGRAM_ID } from '@solana/spl-token';
import type { PublicKey, TransactionInstruction } from '@solana/web3.js';
import type { Tier } from '../constants.js';
import { toU64, toSmall, type Amount } from '../idl.js';
import { findConfigPda, findJobPda, findVaultAddress } from '../pdas.js';
import { buildInstruction } from './common.js';

type Opts = { programId?: PublicKey };

export interface LockAccounts {
  /** The operator, or the credit account's owner. */
  authority: PublicKey;
  /** Funds the Job account's rent and gets it back when the job closes. */
  rentPayer: PublicKey;
  creditAccount: PublicKey;
  mint: PublicKey;
  config?: PublicKey;
  vault?: PublicKey;
  /** Default: the canonical Job PDA. */
  job?: PublicKey;
}

export interface LockArgs {
  jobId: Amount;
  tier: Tier | number;
  maxOutputTokens: number;
}

/** Builds `lock`: the program prices the job from the tier table. */
export function getLockInstruction(accounts: LockAccounts, args: LockArgs, { programId }: Opts = {}): TransactionInstruction {
  return buildInstruction(
    'lock',
    {
      authority: accounts.authority,
      rent_payer: accounts.rentPayer,
      config: accounts.config ?? findConfigPda({ programId })[0],
      credit_account: accounts.creditAccount,
      vault: accounts.vault ?? findVaultAddress(accounts.creditAccount, accounts.mint),
      job: accounts.job ?? findJobPda(accounts.creditAccount, args.jobId, { programId })[0],
    },
    { job_id: toU64(args.jobId, 'jobId'), tier: toSmall(args.tier, 'tier', 8), max_output_tokens: toSmall(args.maxOutputTokens, 'maxOutputTokens', 32) },
    programId,
  );
}

export interface SettleAccounts {
  operator: PublicKey;
  creditAccount: PublicKey;
  mint: PublicKey;
  job: PublicKey;
  /** The worker's token account of the mint (owned by a wallet, not a PDA). */
  providerTokenAccount: PublicKey;
  /** The Job's rent payer (recorded in the Job). */
  rentPayer: PublicKey;
  config?: PublicKey;
  vault?: PublicKey;
}

/** Builds `settle`. */
export function getSettleInstruction(
  accounts: SettleAccounts,
  args: { outputTokens: number; providerShareBps: number },
  { programId }: Opts = {},
): TransactionInstruction {
  return buildInstruction(
    'settle',
    {
      operator: accounts.operator,
      config: accounts.config ?? findConfigPda({ programId })[0],
      credit_account: accounts.creditAccount,
      vault: accounts.vault ?? findVaultAddress(accounts.creditAccount, accounts.mint),
      job: accounts.job,
      provider_token_account: accounts.providerTokenAccount,
      rent_payer: accounts.rentPayer,
      token_program: TOKEN_PROGRAM_ID,
    },
    { output_tokens: toSmall(args.outputTokens, 'outputTokens', 32), provider_share_bps: toSmall(args.providerShareBps, 'providerShareBps', 16) },
    programId,
  );
}

/** Builds `refund` (the operator at any time; anyone once the job expired). */
export function getRefundInstruction(
  accounts: { authority: PublicKey; creditAccount: PublicKey; job: PublicKey; rentPayer: PublicKey; config?: PublicKey },
  { programId }: Opts = {},
): TransactionInstruction {
  return buildInstruction(
    'refund',
    {
      authority: accounts.authority,
      config: accounts.config ?? findConfigPda({ programId })[0],
      credit_account: accounts.creditAccount,
      job: accounts.job,
      rent_payer: accounts.rentPayer,
    },
    {},
    programId,
  );
}
