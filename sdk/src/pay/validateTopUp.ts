import type { Connection, PublicKey } from '@solana/web3.js';
import { JOB_ESCROW_PROGRAM_ID } from '../constants.js';
import { findCreditAccountPda, findVaultAddress } from '../pdas.js';
import { accountKeysOf, tokenBalanceChange } from '../transactions.js';
import type { TopUpConfig } from './config.js';

/** The transaction is not the expected top-up. */
export class ValidateTopUpError extends Error {
  name = 'ValidateTopUpError';
}

/**
 * Confirms that transaction `signature` paid exactly `amount` base units of
 * the mint into `owner`'s vault (the ATA under the mint's token program,
 * `config.tokenProgram`: a `Transfer` or `TransferChecked` of classic SPL
 * Token, a `TransferChecked` of Token-2022, read from the transaction's
 * token balances) and carries `reference`. Ours because
 * @solana/pay 0.2's validateTransfer refuses an off-curve recipient (our
 * recipient is a PDA).
 * @throws ValidateTopUpError
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
  const keys = accountKeysOf(tx.transaction.message, tx.meta);
  if (reference && !keys.some((k) => k.equals(reference))) throw new ValidateTopUpError('reference not found');
  const vault = findVaultAddress(findCreditAccountPda(owner, { programId })[0], config.mint, { tokenProgram: config.tokenProgram });
  const index = keys.findIndex((k) => k.equals(vault));
  if (index < 0) throw new ValidateTopUpError('the transaction does not touch the vault');
  const { change: received, mint } = tokenBalanceChange(tx.meta, index);
  if (mint !== undefined && mint !== config.mint.toBase58()) throw new ValidateTopUpError('wrong mint');
  if (received !== amount) throw new ValidateTopUpError(`the vault received ${received}, expected ${amount}`);
  return { amount: received, credits: received / config.pricePerCredit };
}
