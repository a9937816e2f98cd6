import { DEFAULTS, USDC_DECIMALS, type TierPrice } from './constants.js';

/** The on-chain price formula: `request + ceil(max(0, t - included) * per_1k / 1000)` credits. */
export function quote(tier: number, outputTokens: number | bigint, { tiers = DEFAULTS.tiers }: { tiers?: readonly TierPrice[] } = {}): bigint {
  const t = tiers[tier];
  if (!t) throw new RangeError(`unknown tier ${tier}`);
  const tokens = BigInt(outputTokens);
  if (tokens < 0n) throw new RangeError('output tokens cannot be negative');
  const excess = tokens > BigInt(t.includedTokens) ? tokens - BigInt(t.includedTokens) : 0n;
  return t.requestCredits + (excess * t.per1kCredits + 999n) / 1000n;
}

/** USDC base units of `credits` at `pricePerCredit` base units each. */
export function creditsToBaseUnits(credits: bigint, pricePerCredit: bigint = DEFAULTS.pricePerCredit): bigint {
  return credits * pricePerCredit;
}

/** Whole credits that `baseUnits` buys (floor). */
export function baseUnitsToCredits(baseUnits: bigint, pricePerCredit: bigint = DEFAULTS.pricePerCredit): bigint {
  return baseUnits / pricePerCredit;
}

/**
 * Exact decimal string of a token amount, without floating point:
 * `formatUnits(1_500_000n)` is `"1.5"`, `formatUnits(10_000n)` is `"0.01"`.
 */
export function formatUnits(baseUnits: bigint, decimals = USDC_DECIMALS): string {
  const negative = baseUnits < 0n;
  const abs = negative ? -baseUnits : baseUnits;
  const scale = 10n ** BigInt(decimals);
  const whole = abs / scale;
  const fraction = (abs % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/**
 * Parses an exact decimal string into base units: `parseUnits("1.5")` is
 * `1_500_000n`.
 * @throws RangeError for malformed input or more decimals than the token has.
 */
export function parseUnits(amount: string, decimals = USDC_DECIMALS): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!m) throw new RangeError(`not a decimal amount: ${JSON.stringify(amount)}`);
  const fraction = m[2] ?? '';
  if (fraction.length > decimals) throw new RangeError(`${amount} has more than ${decimals} decimals`);
  return BigInt(m[1]) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}

/** USDC value of `credits` as an exact decimal string ("1.5" for 150 credits at $0.01). */
export function creditsToUsdc(credits: bigint, pricePerCredit: bigint = DEFAULTS.pricePerCredit): string {
  return formatUnits(creditsToBaseUnits(credits, pricePerCredit));
}
