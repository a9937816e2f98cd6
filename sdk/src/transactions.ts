// Reading fetched transactions (getTransaction's answer), shared by the
// history and the Solana Pay validation.
import type { PublicKey, TokenBalance } from '@solana/web3.js';

/** Addresses a v0 transaction loaded from lookup tables (getTransaction's `meta.loadedAddresses`). */
export interface LoadedAddresses {
  writable: PublicKey[];
  readonly: PublicKey[];
}

/**
 * Every account key of a legacy or v0 message, in the runtime's index order:
 * the static keys, then the keys `meta.loadedAddresses` says were loaded from
 * lookup tables (writable, then read-only). Instruction account indexes and
 * token balances' `accountIndex` count in this order.
 */
export function accountKeysOf(message: unknown, meta?: { loadedAddresses?: LoadedAddresses | null } | null): PublicKey[] {
  const m = message as { staticAccountKeys?: PublicKey[]; accountKeys?: PublicKey[] };
  const keys = m.staticAccountKeys ?? m.accountKeys ?? [];
  const loaded = meta?.loadedAddresses;
  return loaded ? [...keys, ...loaded.writable, ...loaded.readonly] : keys;
}

/**
 * How much the token account at `accountIndex` changed (post minus pre
 * balance), and the mint it is reported under (undefined when the
 * transaction's token balances do not list it).
 */
export function tokenBalanceChange(
  meta: { preTokenBalances?: TokenBalance[] | null; postTokenBalances?: TokenBalance[] | null } | null | undefined,
  accountIndex: number,
): { change: bigint; mint?: string } {
  const find = (list: TokenBalance[] | null | undefined) => (list ?? []).find((b) => b.accountIndex === accountIndex);
  const pre = find(meta?.preTokenBalances);
  const post = find(meta?.postTokenBalances);
  return {
    change: BigInt(post?.uiTokenAmount.amount ?? '0') - BigInt(pre?.uiTokenAmount.amount ?? '0'),
    mint: post?.mint ?? pre?.mint,
  };
}
