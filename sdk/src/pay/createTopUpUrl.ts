// Solana Pay transfer requests that top up a credit account. The recipient is
// the CreditAccount PDA: a wallet sends to the ATA of (recipient, mint), which
// is the vault, so `available` rises as soon as the transfer confirms, with
// no program call. Encoded by @solana/pay.
import { encodeURL } from '@solana/pay';
import { Keypair, type PublicKey } from '@solana/web3.js';
import BigNumber from 'bignumber.js';
import { JOB_ESCROW_PROGRAM_ID } from '../constants.js';
import { toUnsigned } from '../idl.js';
import { findCreditAccountPda, findVaultAddress } from '../pdas.js';
import { formatUnits } from '../pricing.js';
import type { TopUpConfig } from './config.js';

export interface TopUpUrlFields {
  owner: PublicKey;
  credits: number | bigint;
  /** A fresh key by default; the payment is found by it (findTopUp). */
  reference?: PublicKey;
  label?: string;
  message?: string;
  memo?: string;
}

export interface TopUpRequest {
  url: URL;
  /** The CreditAccount PDA (the URL's recipient). */
  recipient: PublicKey;
  /** Where the USDC lands: the ATA of (recipient, mint). */
  vault: PublicKey;
  reference: PublicKey;
  credits: bigint;
  /** USDC base units. */
  amount: bigint;
}

/**
 * A Solana Pay transfer request for `credits` credits to `owner`'s credit
 * account, with the exact USDC amount (credits x price, as a decimal string:
 * no floating point).
 * @throws RangeError for credits that are not a whole u64, below the minimum purchase, or whose price overflows u64.
 */
export function createTopUpUrl(fields: TopUpUrlFields, { config, programId = JOB_ESCROW_PROGRAM_ID }: { config: TopUpConfig; programId?: PublicKey }): TopUpRequest {
  const credits = toUnsigned(fields.credits, 'credits', 64);
  if (credits < config.minPurchaseCredits) {
    throw new RangeError(`a top-up is at least ${config.minPurchaseCredits} credits, got ${credits}`);
  }
  const amount = toUnsigned(credits * config.pricePerCredit, 'credits x price', 64);
  const [recipient] = findCreditAccountPda(fields.owner, { programId });
  const reference = fields.reference ?? Keypair.generate().publicKey;
  const url = encodeURL({
    recipient,
    amount: new BigNumber(formatUnits(amount)),
    splToken: config.mint,
    reference,
    label: fields.label,
    message: fields.message,
    memo: fields.memo,
  });
  return { url, recipient, vault: findVaultAddress(recipient, config.mint), reference, credits, amount };
}
