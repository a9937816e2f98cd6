import type { PublicKey, TransactionInstruction } from '@solana/web3.js';
import { toU64, toUnixTime, type Amount } from '../idl.js';
import { findConfigPda } from '../pdas.js';
import { buildInstruction, mintAccounts, vaultOf, type MintAccounts } from './common.js';

type Opts = { programId?: PublicKey };

export interface GrantCreditsArgs {
  credits: Amount;
  /** Unix seconds after which the promo credits expire; 0 (the default) = never. */
  expiresAt?: Amount;
}

/**
 * Builds `grant_credits`: the operator moves `credits * price` USDC from
 * `source` (its own token account of the mint) into the vault as promotional
 * credits. @throws RangeError for credits or expiresAt out of range.
 */
export function getGrantCreditsInstruction(
  accounts: MintAccounts & { operator: PublicKey; creditAccount: PublicKey; source: PublicKey; vault?: PublicKey; config?: PublicKey },
  args: GrantCreditsArgs,
  { programId }: Opts = {},
): TransactionInstruction {
  return buildInstruction(
    'grant_credits',
    {
      operator: accounts.operator,
      config: accounts.config ?? findConfigPda({ programId })[0],
      credit_account: accounts.creditAccount,
      vault: vaultOf(accounts, accounts.creditAccount),
      source: accounts.source,
      ...mintAccounts(accounts),
    },
    { credits: toU64(args.credits, 'credits'), expires_at: toUnixTime(args.expiresAt ?? 0, 'expiresAt') },
    programId,
  );
}

/**
 * Builds `expire_promo`: returns unspent promo credits to the treasury. The
 * owner may sign at any time (giving them up); anyone once they expired.
 */
export function getExpirePromoInstruction(
  accounts: MintAccounts & { authority: PublicKey; creditAccount: PublicKey; treasury: PublicKey; vault?: PublicKey; config?: PublicKey },
  { programId }: Opts = {},
): TransactionInstruction {
  return buildInstruction(
    'expire_promo',
    {
      authority: accounts.authority,
      config: accounts.config ?? findConfigPda({ programId })[0],
      credit_account: accounts.creditAccount,
      vault: vaultOf(accounts, accounts.creditAccount),
      treasury: accounts.treasury,
      ...mintAccounts(accounts),
    },
    {},
    programId,
  );
}
