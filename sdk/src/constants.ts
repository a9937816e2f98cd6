import { PublicKey } from '@solana/web3.js';

/** The job_escrow program id (`declare_id!` in programs/job_escrow/src/lib.rs). */
export const JOB_ESCROW_PROGRAM_ID = new PublicKey('JobhhA5HoGYXSMtC8aKaYFY2n3QPp4WDEwCipynkXbp');
/** The upgradeable BPF loader, owner of the program's ProgramData account. */
export const BPF_LOADER_UPGRADEABLE_ID = new PublicKey('BPFLoaderUpgradeab1e11111111111111111111111');

export const CONFIG_SEED = Buffer.from('config');
export const CREDIT_SEED = Buffer.from('credits');
export const JOB_SEED = Buffer.from('job');

/** USDC has 6 decimals; 1 credit = $0.01 = 10,000 base units by default. */
export const USDC_DECIMALS = 6;

/** Tier index: 0 Lite, 1 Standard, 2 Pro, 3 Max. */
export enum Tier {
  Lite = 0,
  Standard = 1,
  Pro = 2,
  Max = 3,
}

export interface TierPrice {
  requestCredits: bigint;
  per1kCredits: bigint;
  includedTokens: number;
}

/** The specification's defaults (section 2). */
export const DEFAULTS = {
  pricePerCredit: 10_000n,
  minPurchaseCredits: 100n,
  jobTimeoutSecs: 120,
  providerShareBpsMin: 7_500,
  providerShareBpsMax: 8_500,
  tiers: [
    { requestCredits: 2n, per1kCredits: 1n, includedTokens: 500 },
    { requestCredits: 8n, per1kCredits: 4n, includedTokens: 500 },
    { requestCredits: 18n, per1kCredits: 9n, includedTokens: 500 },
    { requestCredits: 40n, per1kCredits: 20n, includedTokens: 500 },
  ] as readonly TierPrice[],
} as const;
