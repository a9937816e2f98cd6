import type { PublicKey } from '@solana/web3.js';
import type { JobEscrowClient } from '../client.js';

/**
 * Makes `owner`'s credit account and vault exist (a transfer request needs
 * the vault ATA). The client's wallet pays when they are missing.
 */
export async function ensureTopUpReady(client: JobEscrowClient, { owner }: { owner: PublicKey }): Promise<{ opened: boolean; creditAccount: PublicKey; vault: PublicKey }> {
  if (await client.creditAccount({ owner })) return { opened: false, ...(await client.addresses({ owner })) };
  const { creditAccount, vault } = await client.openCreditAccount({ owner });
  return { opened: true, creditAccount, vault };
}
