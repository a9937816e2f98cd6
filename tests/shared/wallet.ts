// What a Solana Pay wallet does with a transfer request, per the spec: pay
// the ATA of (recipient, spl-token) with TransferChecked, the reference keys
// as extra read-only keys of the transfer, the memo as an SPL Memo
// instruction just before it. The token program is the mint's owner (classic
// SPL Token or Token-2022), the decimals the mint's: a wallet reads both from
// the mint account.
import { parseURL, type TransferRequestURL } from '@solana/pay';
import { createTransferCheckedInstruction, getAssociatedTokenAddressSync } from '@solana/spl-token';
import { PublicKey, Transaction, TransactionInstruction, type Keypair } from '@solana/web3.js';
import type { Provider } from '@coral-xyz/anchor';

const MEMO_PROGRAM_ID = new PublicKey('MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr');

/** Pays `url` from `payer`'s ATA; `provider` sends (its wallet pays the fee unless it is `payer`). */
export async function payTransferRequest(provider: Provider, payer: Keypair, url: string): Promise<string> {
  const t = parseURL(url) as TransferRequestURL;
  if (!t.splToken || !t.amount) throw new Error('not an SPL transfer request with an amount');
  const mint = await provider.connection.getAccountInfo(t.splToken);
  if (!mint) throw new Error(`no mint at ${t.splToken.toBase58()}`);
  const tokenProgram = mint.owner;
  const decimals = mint.data[44];
  const amount = BigInt(t.amount.shiftedBy(decimals).toFixed(0));
  const source = getAssociatedTokenAddressSync(t.splToken, payer.publicKey, false, tokenProgram);
  const destination = getAssociatedTokenAddressSync(t.splToken, t.recipient, true, tokenProgram);
  const transfer = createTransferCheckedInstruction(source, t.splToken, destination, payer.publicKey, amount, decimals, [], tokenProgram);
  for (const reference of t.reference ?? []) transfer.keys.push({ pubkey: reference, isSigner: false, isWritable: false });
  const tx = new Transaction();
  if (t.memo) tx.add(new TransactionInstruction({ programId: MEMO_PROGRAM_ID, keys: [], data: Buffer.from(t.memo, 'utf8') }));
  tx.add(transfer);
  tx.feePayer = payer.publicKey;
  return provider.sendAndConfirm!(tx, [payer]);
}
