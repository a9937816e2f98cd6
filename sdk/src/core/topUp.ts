// A top-up is a Solana Pay transfer request: `credits × price_per_credit`
// USDC base units to the CreditAccount PDA (a wallet pays the ATA of
// (recipient, mint): the vault). This module is the one home of that rule and
// of the URL text, for both clients (the Anchor SDK wraps it with PublicKey,
// the Kit client with Address).
//
// The URL is encoded here rather than by @solana/pay's `encodeURL`: that
// function takes web3.js PublicKeys and a bignumber.js amount, and importing
// @solana/pay pulls web3.js into a bundle (it builds PublicKey constants at
// load), which the Kit client must not carry. tests/pay.test.ts
// checks this encoder against @solana/pay's for the same fields.
import { formatUnits } from './pricing.js';
import { USDC_DECIMALS } from './constants.js';
import { U64_MAX, toUnsignedBigint } from './uint.js';

/** The Config fields a top-up amount depends on. */
export interface TopUpTerms {
  pricePerCredit: bigint;
  minPurchaseCredits: bigint;
}

/**
 * Checks a top-up size and prices it.
 * @throws RangeError for credits that are not a whole u64, below the minimum purchase, or whose price overflows u64.
 */
export function topUpAmount(credits: number | bigint, terms: TopUpTerms): { credits: bigint; amount: bigint } {
  const whole = toUnsignedBigint(credits, 'credits', 64);
  if (whole < terms.minPurchaseCredits) {
    throw new RangeError(`a top-up is at least ${terms.minPurchaseCredits} credits, got ${whole}`);
  }
  return { credits: whole, amount: toUnsignedBigint(whole * terms.pricePerCredit, 'credits x price', 64) };
}

/** What a top-up form may ask for: the program's minimum, a seller's maximum, and the price (the USDC amount must fit a u64). */
export interface TopUpLimits extends TopUpTerms {
  /** The largest top-up the seller takes (default: only the u64 bound). */
  maxPurchaseCredits?: bigint;
}

/** The largest top-up `limits` allow: the seller's maximum, capped so `credits × price` fits a u64. */
export function maxTopUpCredits(limits: TopUpLimits): bigint {
  const priceCap = U64_MAX / limits.pricePerCredit;
  return limits.maxPurchaseCredits !== undefined && limits.maxPurchaseCredits < priceCap ? limits.maxPurchaseCredits : priceCap;
}

/**
 * Reads a top-up size as a person typed it (page and server use this one
 * rule, so both give the same answer) and prices it.
 * @throws RangeError with a sentence to show the person.
 */
export function parseTopUpCredits(text: string, limits: TopUpLimits): { credits: bigint; amount: bigint } {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) throw new RangeError('Enter a whole number of credits.');
  const credits = BigInt(trimmed);
  if (credits < limits.minPurchaseCredits) throw new RangeError(`A top-up is at least ${limits.minPurchaseCredits} credits.`);
  const max = maxTopUpCredits(limits);
  if (credits > max) throw new RangeError(`A top-up is at most ${max} credits.`);
  return topUpAmount(credits, limits);
}

/** The fields of a Solana Pay SPL transfer request, addresses in base58. */
export interface TransferRequestFields {
  recipient: string;
  /** Token base units; written as an exact decimal (`decimals` places). */
  amount: bigint;
  decimals?: number;
  splToken: string;
  references?: readonly string[];
  label?: string;
  message?: string;
  memo?: string;
}

/**
 * `solana:<recipient>?amount=..&spl-token=..&reference=..&label=..&message=..&memo=..`
 * (Solana Pay specification, transfer request), parameters in that order,
 * values percent-encoded by URLSearchParams.
 */
export function encodeTransferRequestUrl(fields: TransferRequestFields): URL {
  const url = new URL(`solana:${fields.recipient}`);
  const params = url.searchParams;
  params.append('amount', formatUnits(fields.amount, fields.decimals ?? USDC_DECIMALS));
  params.append('spl-token', fields.splToken);
  for (const reference of fields.references ?? []) params.append('reference', reference);
  if (fields.label) params.append('label', fields.label);
  if (fields.message) params.append('message', fields.message);
  if (fields.memo) params.append('memo', fields.memo);
  return url;
}
