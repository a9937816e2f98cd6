import type { PublicKey, TransactionInstruction } from '@solana/web3.js';
import { DEFAULTS, type TierPrice } from '../constants.js';
import { toU64, toSmall, type Amount } from '../idl.js';
import { findConfigPda, findProgramDataAddress } from '../pdas.js';
import { buildInstruction } from './common.js';

export interface InitializeConfigAccounts {
  /** Must be the program's upgrade authority; pays for the Config account. */
  admin: PublicKey;
  mint: PublicKey;
  /** A token account of `mint` that receives collected fees. */
  treasury: PublicKey;
  config?: PublicKey;
  programData?: PublicKey;
}

export interface TierPriceInput {
  requestCredits: Amount;
  per1kCredits: Amount;
  includedTokens: number;
}

export interface InitializeConfigArgs {
  operator: PublicKey;
  pricePerCredit?: Amount;
  minPurchaseCredits?: Amount;
  jobTimeoutSecs?: number;
  providerShareBpsMin?: number;
  providerShareBpsMax?: number;
  tiers?: readonly (TierPriceInput | TierPrice)[];
  /** The ceiling on any job's `maxOutputTokens` (1 … 1,000,000; default 100,000). */
  maxOutputTokensPerJob?: number;
}

/** Anchor-coder form of the tier table. */
export function encodeTiers(tiers: readonly (TierPriceInput | TierPrice)[]) {
  if (tiers.length !== 4) throw new RangeError('exactly 4 tiers are required');
  return tiers.map((t) => ({
    request_credits: toU64(t.requestCredits, 'tiers.requestCredits'),
    per_1k_credits: toU64(t.per1kCredits, 'tiers.per1kCredits'),
    included_tokens: toSmall(t.includedTokens, 'tiers.includedTokens', 32),
  }));
}

/** Builds `initialize_config`; unset arguments take the specification's defaults. */
export function getInitializeConfigInstruction(
  accounts: InitializeConfigAccounts,
  args: InitializeConfigArgs,
  { programId }: { programId?: PublicKey } = {},
): TransactionInstruction {
  return buildInstruction(
    'initialize_config',
    {
      admin: accounts.admin,
      config: accounts.config ?? findConfigPda({ programId })[0],
      mint: accounts.mint,
      treasury: accounts.treasury,
      program_data: accounts.programData ?? findProgramDataAddress({ programId }),
    },
    {
      operator: args.operator,
      price_per_credit: toU64(args.pricePerCredit ?? DEFAULTS.pricePerCredit, 'pricePerCredit'),
      min_purchase_credits: toU64(args.minPurchaseCredits ?? DEFAULTS.minPurchaseCredits, 'minPurchaseCredits'),
      job_timeout_secs: toSmall(args.jobTimeoutSecs ?? DEFAULTS.jobTimeoutSecs, 'jobTimeoutSecs', 32),
      provider_share_bps_min: toSmall(args.providerShareBpsMin ?? DEFAULTS.providerShareBpsMin, 'providerShareBpsMin', 16),
      provider_share_bps_max: toSmall(args.providerShareBpsMax ?? DEFAULTS.providerShareBpsMax, 'providerShareBpsMax', 16),
      tiers: encodeTiers(args.tiers ?? DEFAULTS.tiers),
      max_output_tokens_per_job: toSmall(args.maxOutputTokensPerJob ?? DEFAULTS.maxOutputTokensPerJob, 'maxOutputTokensPerJob', 32),
    },
    programId,
  );
}
