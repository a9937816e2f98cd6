// Reading fetched transactions (getTransaction's answer), shared by the
// history and the Solana Pay validation.
import type { PublicKey, TokenBalance } from '@solana/web3.js';

/** The static account keys of a legacy or v0 message. */
export function accountKeysOf(message: unknown): PublicKey[] {
  const m = message as { staticAccountKeys?: PublicKey[]; accountKeys?: PublicKey[] };
  return m.staticAccountKeys ?? m.accountKeys ?? [];
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
