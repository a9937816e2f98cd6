// Solana Pay transfer requests that top up a credit account. The recipient is
// the CreditAccount PDA: a wallet sends to the ATA of (recipient, mint), which
// is the vault, so `available` rises as soon as the transfer confirms, with
// no program call. URLs are encoded and parsed by @solana/pay.
import { encodeURL, findReference, parseURL, type TransferRequestURL } from '@solana/pay';
import { Keypair, PublicKey, type Connection, type ConfirmedSignatureInfo } from '@solana/web3.js';
import BigNumber from 'bignumber.js';
import QRCode from 'qrcode';
import type { Config } from '../accounts/index.js';
import type { JobEscrowClient } from '../client.js';
import { JOB_ESCROW_PROGRAM_ID } from '../constants.js';
import { findCreditAccountPda, findVaultAddress } from '../pdas.js';
import { formatUnits } from '../pricing.js';
import { accountKeysOf, tokenBalanceChange } from '../transactions.js';

/** The Config fields a top-up needs. */
export type TopUpConfig = Pick<Config, 'mint' | 'pricePerCredit' | 'minPurchaseCredits'>;

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
 * @throws RangeError below the minimum purchase.
 */
export function createTopUpUrl(fields: TopUpUrlFields, { config, programId = JOB_ESCROW_PROGRAM_ID }: { config: TopUpConfig; programId?: PublicKey }): TopUpRequest {
  const credits = BigInt(fields.credits);
  if (credits < config.minPurchaseCredits) {
    throw new RangeError(`a top-up is at least ${config.minPurchaseCredits} credits, got ${credits}`);
  }
  const [recipient] = findCreditAccountPda(fields.owner, { programId });
  const reference = fields.reference ?? Keypair.generate().publicKey;
  const amount = credits * config.pricePerCredit;
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

/**
 * Parses a top-up URL with @solana/pay and checks it pays USDC of the
 * configured mint. @throws Error for a transaction request, another token or
 * a missing amount.
 */
export function parseTopUpUrl(url: string | URL, { config }: { config: TopUpConfig }): ParsedTopUp {
  const parsed = parseURL(url);
  if (!('recipient' in parsed)) throw new Error('not a transfer request');
  const t = parsed as TransferRequestURL;
  if (!t.splToken || !t.splToken.equals(config.mint)) throw new Error('the URL does not pay the configured mint');
  if (!t.amount) throw new Error('the URL has no amount');
  if (!t.amount.shiftedBy(6).isInteger()) throw new Error('the amount has more than 6 decimals');
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

/** The QR code of `url` as PNG bytes and SVG text, written to the given paths when set. */
export async function createTopUpQr(url: string | URL, { png, svg, width = 512 }: { png?: string; svg?: string; width?: number } = {}) {
  const text = String(url);
  const pngBytes = await QRCode.toBuffer(text, { type: 'png', width, errorCorrectionLevel: 'M', margin: 2 });
  const svgText = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  const { writeFile } = await import('node:fs/promises');
  if (png) await writeFile(png, pngBytes);
  if (svg) await writeFile(svg, svgText);
  return { png: pngBytes, svg: svgText };
}

/**
 * Makes `owner`'s credit account and vault exist (a transfer request needs
 * the vault ATA). The client's wallet pays when they are missing.
 */
export async function ensureTopUpReady(client: JobEscrowClient, owner: PublicKey): Promise<{ opened: boolean; creditAccount: PublicKey; vault: PublicKey }> {
  if (await client.creditAccount(owner)) return { opened: false, ...(await client.addresses(owner)) };
  const { creditAccount, vault } = await client.openCreditAccount(owner);
  return { opened: true, creditAccount, vault };
}

/** The transaction that carries `reference` (wraps @solana/pay's findReference). @throws FindReferenceError while none. */
export function findTopUp(connection: Connection, reference: PublicKey): Promise<ConfirmedSignatureInfo> {
  return findReference(connection, reference, { finality: 'confirmed' });
}

export class ValidateTopUpError extends Error {
  name = 'ValidateTopUpError';
}

/**
 * Confirms that transaction `signature` paid exactly `amount` base units of
 * the mint into `owner`'s vault and carries `reference`. Ours because
 * @solana/pay 0.2's validateTransfer refuses an off-curve recipient (our
 * recipient is a PDA). @throws ValidateTopUpError
 */
export async function validateTopUp(
  connection: Pick<Connection, 'getTransaction'>,
  signature: string,
  { owner, amount, reference, config, programId = JOB_ESCROW_PROGRAM_ID }: {
    owner: PublicKey;
    amount: bigint;
    reference?: PublicKey;
    config: TopUpConfig;
    programId?: PublicKey;
  },
): Promise<{ amount: bigint; credits: bigint }> {
  const tx = await connection.getTransaction(signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
  if (!tx) throw new ValidateTopUpError('transaction not found');
  if (tx.meta?.err) throw new ValidateTopUpError('transaction failed');
  const keys = accountKeysOf(tx.transaction.message);
  if (reference && !keys.some((k) => k.equals(reference))) throw new ValidateTopUpError('reference not found');
  const vault = findVaultAddress(findCreditAccountPda(owner, { programId })[0], config.mint);
  const index = keys.findIndex((k) => k.equals(vault));
  if (index < 0) throw new ValidateTopUpError('the transaction does not touch the vault');
  const { change: received, mint } = tokenBalanceChange(tx.meta, index);
  if (mint !== undefined && mint !== config.mint.toBase58()) throw new ValidateTopUpError('wrong mint');
  if (received !== amount) throw new ValidateTopUpError(`the vault received ${received}, expected ${amount}`);
  return { amount: received, credits: received / config.pricePerCredit };
}
