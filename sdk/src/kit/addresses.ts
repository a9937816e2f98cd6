import { getAddressEncoder, getProgramDerivedAddress, type Address } from '@solana/kit';
import { ASSOCIATED_TOKEN_PROGRAM_ADDRESS, PROGRAM_ADDRESS, TOKEN_PROGRAM_ADDRESS } from '../core/constants.js';
import { findConfigPda, findCreditAccountPda } from './generated/index.js';

/**
 * The vault: the classic-Token associated token account of (credit account,
 * mint). Derived here with Kit's own PDA function, so the Kit client needs no
 * peer beyond @solana/kit; it is the address @solana-program/token's
 * `findAssociatedTokenPda` gives (checked in tests/kit).
 */
export async function findVaultAddress({ creditAccount, mint }: { creditAccount: Address; mint: Address }): Promise<Address> {
  const encoder = getAddressEncoder();
  const [vault] = await getProgramDerivedAddress({
    programAddress: ASSOCIATED_TOKEN_PROGRAM_ADDRESS as Address,
    seeds: [encoder.encode(creditAccount), encoder.encode(TOKEN_PROGRAM_ADDRESS as Address), encoder.encode(mint)],
  });
  return vault;
}

/** An owner's program addresses: the Config PDA, their CreditAccount PDA and its vault. */
export interface OwnerAddresses {
  config: Address;
  creditAccount: Address;
  vault: Address;
}

/** The Config, CreditAccount and vault addresses of `owner` (the vault of `mint`). */
export async function findOwnerAddresses({
  owner,
  mint,
  programAddress = PROGRAM_ADDRESS as Address,
}: {
  owner: Address;
  mint: Address;
  programAddress?: Address;
}): Promise<OwnerAddresses> {
  const [[config], [creditAccount]] = await Promise.all([
    findConfigPda({ programAddress }),
    findCreditAccountPda({ owner }, { programAddress }),
  ]);
  return { config, creditAccount, vault: await findVaultAddress({ creditAccount, mint }) };
}
