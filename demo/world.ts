// Where the demo runs: an embedded LiteSVM (default) or a running validator
// reached over RPC (--rpc <url> --keypair <path>).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AnchorProvider, Wallet, type Provider } from '@coral-xyz/anchor';
import { createAssociatedTokenAccount, createMint, getAccount, mintTo } from '@solana/spl-token';
import { Connection, Keypair, LAMPORTS_PER_SOL, SystemProgram, Transaction, type PublicKey } from '@solana/web3.js';
import { fetchMaybeConfig, getInitializeConfigInstruction } from '../sdk/src/index.js';
import { LiteSVMProvider } from '../sdk/src/litesvm/provider.js';
import { TestEnv } from '../tests/shared/index.js';

export interface World {
  description: string;
  provider(kp: Keypair): Provider;
  /** A new wallet with some SOL for fees. */
  wallet(): Promise<Keypair>;
  /** A token account of the mint owned by `owner`, holding `amount` base units. */
  usdcAccount(owner: PublicKey, amount: bigint): Promise<PublicKey>;
  tokenBalance(account: PublicKey): Promise<bigint>;
  /** Initializes the config (operator, job timeout) unless it exists. */
  initConfig(operator: PublicKey, jobTimeoutSecs: number): Promise<'created' | 'existing'>;
  /** Lets `seconds` of cluster time pass. */
  passTime(seconds: number): Promise<void>;
  treasury: PublicKey;
}

export function embeddedWorld(): World {
  const env = new TestEnv();
  const bank = env.bank;
  return {
    description: 'an embedded LiteSVM',
    provider: (kp) => new LiteSVMProvider(bank, kp),
    wallet: async () => env.wallet(),
    usdcAccount: async (owner, amount) => env.createTokenAccount(owner, amount),
    tokenBalance: async (a) => env.tokenBalance(a),
    async initConfig(operator, jobTimeoutSecs) {
      await new LiteSVMProvider(bank, env.admin).sendAndConfirm(
        new Transaction().add(getInitializeConfigInstruction({ admin: env.admin.publicKey, mint: env.mint, treasury: env.treasury }, { operator, jobTimeoutSecs })),
      );
      return 'created';
    },
    passTime: async (seconds) => env.warp(seconds),
    treasury: env.treasury,
  };
}

/**
 * A running validator: the payer (--keypair, default the Solana CLI's) funds
 * the demo's wallets. When the program has no config yet the payer must be
 * its upgrade authority: the demo creates a mint it controls and the config
 * with a 10-second timeout. With an existing config the payer must hold the
 * mint's authority (a local test mint), since the demo mints USDC to its user.
 */
export async function rpcWorld(url: string, keypairPath = join(homedir(), '.config/solana/id.json')): Promise<World> {
  const connection = new Connection(url, 'confirmed');
  const payer = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(keypairPath, 'utf8')) as number[]));
  const send = (tx: Transaction, signers: Keypair[] = []) => new AnchorProvider(connection, new Wallet(payer), { commitment: 'confirmed' }).sendAndConfirm(tx, signers);
  const existing = await fetchMaybeConfig(connection);
  const mint = existing ? existing.mint : await createMint(connection, payer, payer.publicKey, null, 6);
  const treasury = existing ? existing.treasury : await createAssociatedTokenAccount(connection, payer, mint, payer.publicKey);
  return {
    description: `the validator at ${url}`,
    provider: (kp) => new AnchorProvider(connection, new Wallet(kp), { commitment: 'confirmed' }),
    async wallet() {
      const kp = Keypair.generate();
      await send(new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: kp.publicKey, lamports: LAMPORTS_PER_SOL / 10 })));
      return kp;
    },
    async usdcAccount(owner, amount) {
      const account = await createAssociatedTokenAccount(connection, payer, mint, owner);
      if (amount > 0n) await mintTo(connection, payer, mint, account, payer, amount);
      return account;
    },
    tokenBalance: async (a) => (await getAccount(connection, a)).amount,
    async initConfig(operator, jobTimeoutSecs) {
      if (existing) return 'existing';
      await send(new Transaction().add(getInitializeConfigInstruction({ admin: payer.publicKey, mint, treasury }, { operator, jobTimeoutSecs })));
      return 'created';
    },
    passTime: (seconds) => new Promise((r) => setTimeout(r, (seconds + 1) * 1000)),
    treasury,
  };
}
