import { getAddressDecoder, type Address } from '@solana/kit';
import { PROGRAM_ADDRESS } from '../core/constants.js';
import { encodeTransferRequestUrl, topUpAmount } from '../core/topUp.js';
import { findCreditAccountPda } from './generated/index.js';
import { findVaultAddress } from './addresses.js';

/** The Config fields a top-up needs (the generated Config has them). */
export interface KitTopUpConfig {
  mint: Address;
  pricePerCredit: bigint;
  minPurchaseCredits: bigint;
  /** The mint's token program (the vault is the ATA under it); classic SPL Token when omitted. */
  tokenProgram?: Address;
  /** The mint's decimals (the URL's amount); 6 when omitted. */
  decimals?: number;
}

export interface KitTopUpRequest {
  url: URL;
  /** The CreditAccount PDA (the URL's recipient). */
  recipient: Address;
  /** Where the USDC lands: the ATA of (recipient, mint). */
  vault: Address;
  reference: Address;
  credits: bigint;
  /** USDC base units. */
  amount: bigint;
}

/** A random 32-byte reference (Solana Pay: any 32 bytes, on or off the curve). */
function randomReference(): Address {
  return getAddressDecoder().decode(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * A Solana Pay transfer request for `credits` credits to `owner`'s credit
 * account: the same rule and URL as the Anchor SDK's `createTopUpUrl`.
 * @throws RangeError for credits that are not a whole u64, below the minimum purchase, or whose price overflows u64.
 */
export async function createTopUpUrl(
  fields: { owner: Address; credits: number | bigint; reference?: Address; label?: string; message?: string; memo?: string },
  { config, programAddress = PROGRAM_ADDRESS as Address }: { config: KitTopUpConfig; programAddress?: Address },
): Promise<KitTopUpRequest> {
  const { credits, amount } = topUpAmount(fields.credits, config);
  const [recipient] = await findCreditAccountPda({ owner: fields.owner }, { programAddress });
  const reference = fields.reference ?? randomReference();
  const url = encodeTransferRequestUrl({
    recipient,
    amount,
    decimals: config.decimals,
    splToken: config.mint,
    references: [reference],
    label: fields.label,
    message: fields.message,
    memo: fields.memo,
  });
  return { url, recipient, vault: await findVaultAddress({ creditAccount: recipient, mint: config.mint, tokenProgram: config.tokenProgram }), reference, credits, amount };
}
