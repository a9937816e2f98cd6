import { creditsToUsdc } from './pricing.js';

// The balance formulas of the specification (section 3), written once for
// the client, the history and the tests; the program computes the same.

/** What a credit balance is computed from. */
export interface BalanceInputs {
  /** USDC base units in the vault. */
  vaultAmount: bigint;
  /** Base units owed to the treasury, not yet collected. */
  feesAccrued: bigint;
  /** Credits locked by jobs in flight. */
  locked: bigint;
  pricePerCredit: bigint;
}

/**
 * Credits that can be locked or withdrawn now:
 * `floor((vault - fees_accrued) / price_per_credit) - locked`.
 */
export function availableCredits({ vaultAmount, feesAccrued, locked, pricePerCredit }: BalanceInputs): bigint {
  return (vaultAmount - feesAccrued) / pricePerCredit - locked;
}

/**
 * Credits that may leave the vault as USDC: `available - promo_credits`,
 * floored at 0 (section 7: promotional credits are never withdrawable).
 */
export function withdrawableCredits(available: bigint, promoCredits: bigint): bigint {
  return available > promoCredits ? available - promoCredits : 0n;
}

/** The CreditAccount fields a balance is read from (both clients' decoders produce them). */
export interface CreditAccountTotals {
  locked: bigint;
  openJobs: number;
  feesAccrued: bigint;
  promoCredits: bigint;
  promoExpiresAt: bigint;
  purchased: bigint;
  granted: bigint;
  charged: bigint;
  expired: bigint;
  withdrawn: bigint;
}

/** A credit balance as both clients report it (addresses added by each). */
export interface BalanceSummary {
  /** Credits that can be locked now (bought and promotional). */
  available: bigint;
  /** Credits that can be withdrawn as USDC: `available` less unspent promo credits. */
  withdrawable: bigint;
  /** Unspent promotional credits (spent first, never withdrawable). */
  promo: bigint;
  /** Unix seconds the promo credits expire; null when they never do or there are none. */
  promoExpiresAt: number | null;
  /** Lifetime totals, in credits: bought, granted, charged by jobs, expired promo, withdrawn. */
  purchased: bigint;
  granted: bigint;
  charged: bigint;
  expired: bigint;
  withdrawn: bigint;
  locked: bigint;
  openJobs: number;
  feesAccrued: bigint;
  /** USDC base units in the vault. */
  vaultAmount: bigint;
  /** `available` in USDC, as an exact decimal string. */
  usdcValue: string;
}

/** Byte offset of `amount` (u64 LE) in an SPL Token account. */
const TOKEN_AMOUNT_OFFSET = 64;

/** The amount held by an SPL Token account, from its data. */
export function tokenAccountAmount(data: Uint8Array): bigint {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getBigUint64(TOKEN_AMOUNT_OFFSET, true);
}

/** The balance of a credit account whose vault holds `vaultAmount`. */
export function summarizeBalance(credit: CreditAccountTotals, vaultAmount: bigint, pricePerCredit: bigint): BalanceSummary {
  const available = availableCredits({ vaultAmount, feesAccrued: credit.feesAccrued, locked: credit.locked, pricePerCredit });
  return {
    available,
    withdrawable: withdrawableCredits(available, credit.promoCredits),
    promo: credit.promoCredits,
    promoExpiresAt: credit.promoExpiresAt === 0n ? null : Number(credit.promoExpiresAt),
    purchased: credit.purchased,
    granted: credit.granted,
    charged: credit.charged,
    expired: credit.expired,
    withdrawn: credit.withdrawn,
    locked: credit.locked,
    openJobs: credit.openJobs,
    feesAccrued: credit.feesAccrued,
    vaultAmount,
    usdcValue: creditsToUsdc(available, pricePerCredit),
  };
}
