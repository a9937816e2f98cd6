// Solana Pay transfer requests that top up a credit account. The recipient is
// the CreditAccount PDA: a wallet sends to the ATA of (recipient, mint), which
// is the vault, so `available` rises as soon as the transfer confirms, with
// no program call. The amount rule and the URL text are in ../core/topUp.ts.
import { Keypair, type PublicKey } from '@solana/web3.js';
import { JOB_ESCROW_PROGRAM_ID } from '../constants.js';
import { encodeTransferRequestUrl, topUpAmount } from '../core/topUp.js';
import { findCreditAccountPda, findVaultAddress } from '../pdas.js';
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
  /** Where the USDC lands: the ATA of (recipient, mint) under the mint's token program. */
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
  const { credits, amount } = topUpAmount(fields.credits, config);
  const [recipient] = findCreditAccountPda(fields.owner, { programId });
  const reference = fields.reference ?? Keypair.generate().publicKey;
  const url = encodeTransferRequestUrl({
    recipient: recipient.toBase58(),
    amount,
    decimals: config.decimals,
    splToken: config.mint.toBase58(),
    references: [reference.toBase58()],
    label: fields.label,
    message: fields.message,
    memo: fields.memo,
  });
  // The vault (an ATA derivation, as dear as the PDA's) is derived on first use: a server building offers never reads it.
  let vault: PublicKey | undefined;
  return {
    url,
    recipient,
    get vault() {
      return (vault ??= findVaultAddress(recipient, config.mint, { tokenProgram: config.tokenProgram }));
    },
    reference,
    credits,
    amount,
  };
}
