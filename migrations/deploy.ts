// Anchor-style migration: after `anchor deploy`, `anchor migrate` runs this
// with the provider from Anchor.toml. It initializes the Config with the
// specification's defaults; the deploying wallet (the program's upgrade
// authority) becomes admin and, until rotated, operator. Set
// JOB_ESCROW_MINT (e.g. USDC's mint) and optionally JOB_ESCROW_TREASURY
// (default: the admin's ATA of the mint, created if missing).
import type { AnchorProvider } from '@coral-xyz/anchor';
import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from '@solana/spl-token';
import { PublicKey, Transaction } from '@solana/web3.js';
import { findConfigPda, getInitializeConfigInstruction } from '../sdk/src/index.js';

export default async function deploy(provider: AnchorProvider): Promise<void> {
  const mintEnv = process.env.JOB_ESCROW_MINT;
  if (!mintEnv) throw new Error('set JOB_ESCROW_MINT to the USDC mint of this cluster');
  const mint = new PublicKey(mintEnv);
  const admin = provider.wallet.publicKey;
  const [config] = findConfigPda();
  if (await provider.connection.getAccountInfo(config)) {
    console.log(`config ${config.toBase58()} already exists; nothing to do`);
    return;
  }
  const treasury = process.env.JOB_ESCROW_TREASURY
    ? new PublicKey(process.env.JOB_ESCROW_TREASURY)
    : getAssociatedTokenAddressSync(mint, admin);
  const tx = new Transaction();
  if (!process.env.JOB_ESCROW_TREASURY) {
    tx.add(createAssociatedTokenAccountIdempotentInstruction(admin, treasury, admin, mint));
  }
  tx.add(getInitializeConfigInstruction({ admin, mint, treasury }, { operator: admin }));
  const signature = await provider.sendAndConfirm(tx);
  console.log(`initialized config ${config.toBase58()} (treasury ${treasury.toBase58()}): ${signature}`);
}
