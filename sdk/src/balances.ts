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
