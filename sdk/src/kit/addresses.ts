import { getAddressEncoder, getProgramDerivedAddress, type Address } from '@solana/kit';
import { ASSOCIATED_TOKEN_PROGRAM_ADDRESS, PROGRAM_ADDRESS, TOKEN_PROGRAM_ADDRESS } from '../core/constants.js';
import { findConfigPda, findCreditAccountPda } from './generated/index.js';

/**
 * The vault: the associated token account of (credit account, mint) under
 * the mint's token program (`tokenProgram`, the Config's; classic SPL Token
 * when omitted). Derived here with Kit's own PDA function, so the Kit client
 * needs no peer beyond @solana/kit; it is the address @solana-program/token's
 * `findAssociatedTokenPda` gives (checked in tests/kit).
 */
export async function findVaultAddress({
  creditAccount,
  mint,
  tokenProgram = TOKEN_PROGRAM_ADDRESS as Address,
}: {
  creditAccount: Address;
  mint: Address;
  tokenProgram?: Address;
}): Promise<Address> {
  const encoder = getAddressEncoder();
  const [vault] = await getProgramDerivedAddress({
    programAddress: ASSOCIATED_TOKEN_PROGRAM_ADDRESS as Address,
    seeds: [encoder.encode(creditAccount), encoder.encode(tokenProgram), encoder.encode(mint)],
  });
  return vault;
}

/** An owner's program addresses: the Config PDA, their CreditAccount PDA and its vault. */
export interface OwnerAddresses {
  config: Address;
  creditAccount: Address;
  vault: Address;
}

/** The Config, CreditAccount and vault addresses of `owner` (the vault of `mint` under `tokenProgram`, the Config's). */
export async function findOwnerAddresses({
  owner,
  mint,
  tokenProgram,
  programAddress = PROGRAM_ADDRESS as Address,
}: {
  owner: Address;
  mint: Address;
  tokenProgram?: Address;
  programAddress?: Address;
}): Promise<OwnerAddresses> {
  const [[config], [creditAccount]] = await Promise.all([
    findConfigPda({ programAddress }),
    findCreditAccountPda({ owner }, { programAddress }),
  ]);
  return { config, creditAccount, vault: await findVaultAddress({ creditAccount, mint, tokenProgram }) };
}
