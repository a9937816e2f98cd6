import type { PublicKey, TransactionInstruction } from '@solana/web3.js';
import { JOB_ESCROW_PROGRAM_ID } from '../constants.js';
import { toU64, toSmall, type Amount } from '../idl.js';
import { findConfigPda } from '../pdas.js';
import { buildInstruction } from './common.js';
import { encodeTiers, type TierPriceInput } from './initializeConfig.js';

type Opts = { programId?: PublicKey };

export interface UpdateConfigArgs {
  operator?: PublicKey;
  /** A new treasury (a token account of the mint). */
  treasury?: PublicKey;
  minPurchaseCredits?: Amount;
  jobTimeoutSecs?: number;
  providerShareBpsMin?: number;
  providerShareBpsMax?: number;
  tiers?: readonly TierPriceInput[];
  /** The ceiling on any job's `maxOutputTokens` (1 … 1,000,000). */
  maxOutputTokensPerJob?: number;
  paused?: boolean;
}

/** Builds `update_config`: only the fields given change. */
export function getUpdateConfigInstruction(
  accounts: { admin: PublicKey; config?: PublicKey },
  args: UpdateConfigArgs,
  { programId }: Opts = {},
): TransactionInstruction {
  const config = accounts.config ?? findConfigPda({ programId })[0];
  return buildInstruction(
    'update_config',
    // Anchor's convention for an absent optional account is the program id.
    { admin: accounts.admin, config, treasury: args.treasury ?? programId ?? JOB_ESCROW_PROGRAM_ID },
    {
      operator: args.operator ?? null,
      set_treasury: args.treasury !== undefined,
      min_purchase_credits: args.minPurchaseCredits === undefined ? null : toU64(args.minPurchaseCredits, 'minPurchaseCredits'),
      job_timeout_secs: args.jobTimeoutSecs === undefined ? null : toSmall(args.jobTimeoutSecs, 'jobTimeoutSecs', 32),
      provider_share_bps_min: args.providerShareBpsMin === undefined ? null : toSmall(args.providerShareBpsMin, 'providerShareBpsMin', 16),
      provider_share_bps_max: args.providerShareBpsMax === undefined ? null : toSmall(args.providerShareBpsMax, 'providerShareBpsMax', 16),
      tiers: args.tiers ? encodeTiers(args.tiers) : null,
      max_output_tokens_per_job: args.maxOutputTokensPerJob === undefined ? null : toSmall(args.maxOutputTokensPerJob, 'maxOutputTokensPerJob', 32),
      paused: args.paused ?? null,
    },
    programId,
  );
}

/** Builds `nominate_admin` (first step of the admin hand-over). */
export function getNominateAdminInstruction(
  accounts: { admin: PublicKey; config?: PublicKey },
  args: { newAdmin: PublicKey },
  { programId }: Opts = {},
): TransactionInstruction {
  return buildInstruction(
    'nominate_admin',
    { admin: accounts.admin, config: accounts.config ?? findConfigPda({ programId })[0] },
    { new_admin: args.newAdmin },
    programId,
  );
}

/** Builds `accept_admin` (the nominee signs). */
export function getAcceptAdminInstruction(
  accounts: { newAdmin: PublicKey; config?: PublicKey },
  { programId }: Opts = {},
): TransactionInstruction {
  return buildInstruction(
    'accept_admin',
    { new_admin: accounts.newAdmin, config: accounts.config ?? findConfigPda({ programId })[0] },
    {},
    programId,
  );
}
