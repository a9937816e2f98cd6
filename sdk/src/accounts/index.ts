import type { PublicKey } from '@solana/web3.js';
import { coder, fromAnchor } from '../idl.js';
import type { TierPrice } from '../constants.js';

export interface Config {
  admin: PublicKey;
  /** The nominated next admin; the default (all-zero) key when none. */
  pendingAdmin: PublicKey;
  operator: PublicKey;
  mint: PublicKey;
  treasury: PublicKey;
  pricePerCredit: bigint;
  minPurchaseCredits: bigint;
  jobTimeoutSecs: number;
  providerShareBpsMin: number;
  providerShareBpsMax: number;
  tiers: TierPrice[];
  /** Lamports a Job account needs to be rent-exempt (refreshed by update_config). */
  jobRentLamports: bigint;
  paused: boolean;
  bump: number;
}

export interface CreditAccount {
  owner: PublicKey;
  vault: PublicKey;
  locked: bigint;
  openJobs: number;
  feesAccrued: bigint;
  maxCreditsPerJob: bigint;
  purchased: bigint;
  charged: bigint;
  withdrawn: bigint;
  createdAt: bigint;
  bump: number;
}

export interface Job {
  creditAccount: PublicKey;
  jobId: bigint;
  tier: number;
  maxOutputTokens: number;
  creditsLocked: bigint;
  rentPayer: PublicKey;
  lockedAt: bigint;
  expiresAt: bigint;
  bump: number;
}

/**
 * Decodes a Config account's bytes with Anchor's coder.
 * @throws if the discriminator is not Config's.
 */
export function decodeConfig(data: Uint8Array): Config {
  return fromAnchor(coder.accounts.decode('Config', Buffer.from(data)));
}

/** @throws if the discriminator is not CreditAccount's. */
export function decodeCreditAccount(data: Uint8Array): CreditAccount {
  return fromAnchor(coder.accounts.decode('CreditAccount', Buffer.from(data)));
}

/** @throws if the discriminator is not Job's. */
export function decodeJob(data: Uint8Array): Job {
  return fromAnchor(coder.accounts.decode('Job', Buffer.from(data)));
}
