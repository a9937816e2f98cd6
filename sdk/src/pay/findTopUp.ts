import { findReference } from '@solana/pay';
import type { ConfirmedSignatureInfo, Connection, PublicKey } from '@solana/web3.js';

/** The transaction that carries `reference` (wraps @solana/pay's findReference). @throws FindReferenceError while there is none. */
export function findTopUp(connection: Connection, reference: PublicKey): Promise<ConfirmedSignatureInfo> {
  return findReference(connection, reference, { finality: 'confirmed' });
}
