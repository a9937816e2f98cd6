import { parseURL, type TransferRequestURL } from '@solana/pay';
import type { PublicKey } from '@solana/web3.js';
import type { TopUpConfig } from './config.js';

export interface ParsedTopUp {
  recipient: PublicKey;
  amount: bigint;
  /** Whole credits the amount buys. */
  credits: bigint;
  references: PublicKey[];
  label?: string;
  message?: string;
  memo?: string;
}

/** A URL that is not a top-up of the configured mint. */
export class ParseTopUpUrlError extends Error {
  name = 'ParseTopUpUrlError';
}

/**
 * Parses a top-up URL with @solana/pay and checks it pays USDC of the
 * configured mint.
 * @throws ParseTopUpUrlError for a transaction request, another token, a missing amount or more than 6 decimals; @solana/pay's ParseURLError for a malformed URL.
 */
export function parseTopUpUrl(url: string | URL, { config }: { config: TopUpConfig }): ParsedTopUp {
  const parsed = parseURL(url);
  if (!('recipient' in parsed)) throw new ParseTopUpUrlError('not a transfer request');
  const t = parsed as TransferRequestURL;
  if (!t.splToken || !t.splToken.equals(config.mint)) throw new ParseTopUpUrlError('the URL does not pay the configured mint');
  if (!t.amount) throw new ParseTopUpUrlError('the URL has no amount');
  if (!t.amount.shiftedBy(6).isInteger()) throw new ParseTopUpUrlError('the amount has more than 6 decimals');
  const amount = BigInt(t.amount.shiftedBy(6).toFixed(0));
  return {
    recipient: t.recipient,
    amount,
    credits: amount / config.pricePerCredit,
    references: t.reference ?? [],
    label: t.label,
    message: t.message,
    memo: t.memo,
  };
}
