// Anchor-style migration: after `anchor deploy`, `anchor migrate` runs this
// with the provider from Anchor.toml (or call `deploy(provider)` yourself).
// Two steps, each skipped when already done, so it can run again:
//
// 1. Initialize the Config with the specification's defaults when it does
//    not exist: the deploying wallet (the program's upgrade authority, which
//    initialize_config requires) becomes admin and, until rotated, operator.
//    Set JOB_ESCROW_MINT (e.g. USDC's mint) and optionally
//    JOB_ESCROW_TREASURY (default: the admin's ATA of the mint, created).
// 2. With UPGRADE_AUTHORITY=<key> (a Squads vault in practice), hand the
//    program's upgrade authority from the wallet to that key with the
//    loader's SetAuthority (transferUpgradeAuthority, the SDK function the
//    `job-escrow set-upgrade-authority` command uses). Refused in one line
//    when the wallet is not the upgrade authority or the program is
//    immutable. The program's admin (Config.admin) is another role and stays
//    with the wallet: move it with nominate-admin / accept-admin.
//
// JOB_ESCROW_PROGRAM_ID: the program, when it is not the built-in id.
// docs/deploy.md walks a whole deploy through.
import type { AnchorProvider } from '@coral-xyz/anchor';
import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from '@solana/spl-token';
import { PublicKey, Transaction } from '@solana/web3.js';
import { JOB_ESCROW_PROGRAM_ID, fetchUpgradeAuthority, findConfigPda, getInitializeConfigInstruction, transferUpgradeAuthority } from '../sdk/src/index.js';

type Env = Record<string, string | undefined>;

const key = (env: Env, name: string) => {
  try {
    return new PublicKey(env[name]!);
  } catch {
    throw new Error(`${name} is not a public key: ${env[name]}`);
  }
};

async function initializeConfig(provider: AnchorProvider, env: Env, programId: PublicKey): Promise<void> {
  const [config] = findConfigPda({ programId });
  if (await provider.connection.getAccountInfo(config)) {
    console.log(`config ${config.toBase58()} already exists; not initialized again`);
    return;
  }
  if (!env.JOB_ESCROW_MINT) throw new Error('set JOB_ESCROW_MINT to the USDC mint of this cluster');
  const mint = key(env, 'JOB_ESCROW_MINT');
  const admin = provider.wallet.publicKey;
  const treasury = env.JOB_ESCROW_TREASURY ? key(env, 'JOB_ESCROW_TREASURY') : getAssociatedTokenAddressSync(mint, admin);
  const tx = new Transaction();
  if (!env.JOB_ESCROW_TREASURY) {
    tx.add(createAssociatedTokenAccountIdempotentInstruction(admin, treasury, admin, mint));
  }
  tx.add(getInitializeConfigInstruction({ admin, mint, treasury }, { operator: admin }, { programId }));
  const signature = await provider.sendAndConfirm(tx);
  console.log(`initialized config ${config.toBase58()} (treasury ${treasury.toBase58()}): ${signature}`);
}

async function handOverUpgradeAuthority(provider: AnchorProvider, newAuthority: PublicKey, programId: PublicKey): Promise<void> {
  const { authority } = await fetchUpgradeAuthority(provider.connection, { programId });
  if (authority?.equals(newAuthority)) {
    console.log(`${newAuthority.toBase58()} is already the upgrade authority of ${programId.toBase58()}; nothing to hand over`);
    return;
  }
  const { signature, previousAuthority } = await transferUpgradeAuthority(provider, { programId, newAuthority });
  console.log(`handed the upgrade authority of ${programId.toBase58()} from ${previousAuthority.toBase58()} to ${newAuthority.toBase58()}: ${signature}`);
}

export default async function deploy(provider: AnchorProvider, env: Env = process.env): Promise<void> {
  const programId = env.JOB_ESCROW_PROGRAM_ID ? key(env, 'JOB_ESCROW_PROGRAM_ID') : JOB_ESCROW_PROGRAM_ID;
  await initializeConfig(provider, env, programId);
  // Last: initialize_config needs the wallet to be the upgrade authority.
  if (env.UPGRADE_AUTHORITY) await handOverUpgradeAuthority(provider, key(env, 'UPGRADE_AUTHORITY'), programId);
}
