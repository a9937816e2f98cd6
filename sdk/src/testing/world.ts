// The test kit: a ready LiteSVM world with the real job_escrow program in it,
// so a dApp developer tests against the program in three lines:
//
//   const world = createTestWorld();
//   const alice = world.wallet({ usdc: 10_000_000n });
//   await world.client(alice).purchase({ credits: 500 });
//
// The built program ships in this package (job_escrow.so next to this
// module's bundle). Node only: LiteSVM is a native module.
import { ACCOUNT_SIZE, AccountLayout, MINT_SIZE, MintLayout, getAssociatedTokenAddressSync } from '@solana/spl-token';
import { Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction, type AccountInfo, type TransactionInstruction } from '@solana/web3.js';
import { LiteSVM } from 'litesvm';
import { JobEscrowClient, type JobEscrowClientOptions } from '../client.js';
import { JOB_ESCROW_PROGRAM_ID, USDC_DECIMALS, tokenProgramAddress, type TokenProgramName } from '../constants.js';
import { translateError } from '../errors.js';
import { getInitializeConfigInstruction, type InitializeConfigArgs } from '../instructions/index.js';
import { findProgramDataAddress } from '../pdas.js';
import { LiteSVMBank, type Processed } from '../litesvm/bank.js';
import { LiteSVMProvider } from '../litesvm/provider.js';
import { programToDeploy, shippedProgram, startClock, warpClock, withUpgradeAuthority } from './program.js';
import { withMintExtensions, type MintExtension } from './tokenExtensions.js';

export { mintExtension, type MintExtension } from './tokenExtensions.js';

export interface TestWorldOptions {
  /** The program's `.so`. Default: the build shipped in this package. */
  programPath?: string;
  programId?: PublicKey;
  /**
   * The program's upgrade authority, which initialize_config requires the
   * admin to be. Default: `world.admin`; null: none.
   */
  upgradeAuthority?: PublicKey | null;
  /** Initializes the config (default: the specification's defaults, `world.operator` as operator); false: leave it to the test. */
  config?: Partial<InitializeConfigArgs> | false;
  /** Decimals of the USDC-like mint (default 6). */
  decimals?: number;
  /**
   * The token program of the world's mint: 'token' (classic SPL Token, the
   * default) or 'token-2022'; `mintExtensions` implies 'token-2022'.
   */
  tokenProgram?: TokenProgramName;
  /** Token-2022 extensions of the world's mint (`mintExtension.*`). */
  mintExtensions?: readonly MintExtension[];
  /** The clock's unix time at the start (default: the real time now; LiteSVM's own clock would start at 0). */
  startTime?: bigint;
}

/**
 * An embedded LiteSVM with job_escrow deployed under the upgradeable loader,
 * a USDC-like mint whose authority is `mintAuthority`, a treasury token
 * account, funded `admin` and `operator` wallets and (by default) the config.
 */
export class TestWorld {
  readonly svm: LiteSVM;
  readonly bank: LiteSVMBank;
  readonly programId: PublicKey;
  readonly admin = Keypair.generate();
  readonly operator = Keypair.generate();
  readonly mintAuthority = Keypair.generate();
  readonly mint = Keypair.generate().publicKey;
  readonly treasury: PublicKey;
  /** The token program of the world's mint (its owner): what the config records. */
  readonly tokenProgram: PublicKey;

  constructor({ programPath = shippedProgram(), programId = JOB_ESCROW_PROGRAM_ID, upgradeAuthority, config = {}, decimals = USDC_DECIMALS, startTime, tokenProgram, mintExtensions = [] }: TestWorldOptions = {}) {
    this.programId = programId;
    this.tokenProgram = new PublicKey(tokenProgramAddress(tokenProgram ?? (mintExtensions.length ? 'token-2022' : 'token')));
    this.svm = new LiteSVM();
    startClock(this.svm, startTime);
    this.bank = LiteSVMBank.of(this.svm);
    this.svm.addProgramFromFile(programId.toBase58() as Parameters<LiteSVM['addProgramFromFile']>[0], programToDeploy(programPath));
    this.setUpgradeAuthority(upgradeAuthority === undefined ? this.admin.publicKey : upgradeAuthority);
    this.airdrop(this.admin.publicKey);
    this.airdrop(this.operator.publicKey);
    this.createMint(this.mint, decimals, this.tokenProgram, mintExtensions);
    this.treasury = this.createTokenAccount(Keypair.generate().publicKey);
    if (config) this.initializeConfig(config);
  }

  airdrop(to: PublicKey, sol = 10): void {
    this.bank.airdrop(to, BigInt(Math.round(sol * LAMPORTS_PER_SOL)));
  }

  /** A funded wallet (10 SOL), holding `usdc` base units in its USDC associated token account when given. */
  wallet({ sol = 10, usdc }: { sol?: number; usdc?: bigint } = {}): Keypair {
    const kp = Keypair.generate();
    this.airdrop(kp.publicKey, sol);
    if (usdc !== undefined) this.createTokenAccount(kp.publicKey, usdc);
    return kp;
  }

  /** The USDC associated token account of `owner` (what `wallet({ usdc })` fills, and where the client sends by default). */
  usdcAddress(owner: PublicKey): PublicKey {
    return getAssociatedTokenAddressSync(this.mint, owner, true, this.tokenProgram);
  }

  /** A provider whose wallet is `signer`, on this world's bank. */
  provider(signer: Keypair): LiteSVMProvider {
    return new LiteSVMProvider(this.bank, signer);
  }

  /** A JobEscrowClient signing with `signer`. */
  client(signer: Keypair, options: JobEscrowClientOptions = {}): JobEscrowClient {
    return new JobEscrowClient(this.provider(signer), { programId: this.programId, ...options });
  }

  /** Writes `authority` (or none) as the program's upgrade authority into its ProgramData account (option byte 12, key at 13..45). */
  setUpgradeAuthority(authority: PublicKey | null): void {
    const address = findProgramDataAddress({ programId: this.programId });
    const account = this.bank.account(address);
    if (!account) throw new Error('ProgramData account missing');
    this.bank.setAccount(address, { ...account, data: Buffer.from(withUpgradeAuthority(account.data, authority?.toBytes() ?? null)) });
  }

  /**
   * Writes an initialized mint at `address` whose authority is
   * `mintAuthority`, under `programId` (default: the world's token program),
   * with Token-2022 `extensions` when given.
   */
  createMint(address: PublicKey, decimals: number, programId = this.tokenProgram, extensions: readonly MintExtension[] = []): void {
    const data = Buffer.alloc(MINT_SIZE);
    MintLayout.encode(
      { mintAuthorityOption: 1, mintAuthority: this.mintAuthority.publicKey, supply: 0n, decimals, isInitialized: true, freezeAuthorityOption: 0, freezeAuthority: PublicKey.default },
      data,
    );
    this.setRaw(address, withMintExtensions(data, extensions), programId);
  }

  /**
   * Writes an initialized token account of `mint` (default: the world's
   * mint) holding `amount`, at `address` (default: the owner's ATA), under
   * `tokenProgram` (default: the world's; a Token-2022 account without
   * extensions has the classic 165 bytes).
   */
  createTokenAccount(
    owner: PublicKey,
    amount = 0n,
    opts: { mint?: PublicKey; address?: PublicKey; delegate?: PublicKey; closeAuthority?: PublicKey; tokenProgram?: PublicKey } = {},
  ): PublicKey {
    const mint = opts.mint ?? this.mint;
    const tokenProgram = opts.tokenProgram ?? this.tokenProgram;
    const at = opts.address ?? getAssociatedTokenAddressSync(mint, owner, true, tokenProgram);
    const data = Buffer.alloc(ACCOUNT_SIZE);
    AccountLayout.encode(
      {
        mint,
        owner,
        amount,
        delegateOption: opts.delegate ? 1 : 0,
        delegate: opts.delegate ?? PublicKey.default,
        state: 1,
        isNativeOption: 0,
        isNative: 0n,
        delegatedAmount: 0n,
        closeAuthorityOption: opts.closeAuthority ? 1 : 0,
        closeAuthority: opts.closeAuthority ?? PublicKey.default,
      },
      data,
    );
    this.setRaw(at, data, tokenProgram);
    return at;
  }

  /** Writes a rent-exempt account holding `data`, owned by `owner`. */
  setRaw(address: PublicKey, data: Uint8Array, owner: PublicKey): void {
    this.bank.setAccount(address, { lamports: this.bank.rentExemptMinimum(data.length), data, owner });
  }

  /** The account at `address`, or null. */
  account(address: PublicKey): AccountInfo<Buffer> | null {
    return this.bank.account(address);
  }

  lamports(address: PublicKey): bigint {
    return this.bank.lamports(address);
  }

  /** Token amount of the token account at `address`. @throws when there is none. */
  tokenBalance(address: PublicKey): bigint {
    const account = this.account(address);
    if (!account) throw new Error(`no token account at ${address.toBase58()}`);
    return AccountLayout.decode(account.data.subarray(0, ACCOUNT_SIZE)).amount;
  }

  /** Moves the bank clock forward by `seconds`. */
  warp(seconds: bigint | number): void {
    warpClock(this.svm, seconds);
  }

  /** Unix time of the bank's clock. */
  now(): bigint {
    return this.svm.getClock().unixTimestamp;
  }

  /**
   * Signs with `signers` (the first pays) and executes `ixs`.
   * @throws JobEscrowError for the program's custom errors, SendTransactionError otherwise.
   */
  send(ixs: TransactionInstruction | TransactionInstruction[], signers: Keypair[]): Processed {
    const tx = new Transaction().add(...(Array.isArray(ixs) ? ixs : [ixs]));
    tx.recentBlockhash = this.svm.latestBlockhash();
    tx.feePayer = signers[0].publicKey;
    tx.sign(...signers);
    try {
      return this.bank.process(tx);
    } catch (err) {
      throw translateError(err, this.programId);
    }
  }

  /** Initializes the config with the specification's defaults unless overridden; `world.operator` operates. */
  initializeConfig(args: Partial<InitializeConfigArgs> = {}): Processed {
    return this.send(
      getInitializeConfigInstruction(
        { admin: this.admin.publicKey, mint: this.mint, treasury: this.treasury },
        { operator: this.operator.publicKey, ...args },
        { programId: this.programId },
      ),
      [this.admin],
    );
  }
}

/** A ready world (see TestWorld). */
export function createTestWorld(options: TestWorldOptions = {}): TestWorld {
  return new TestWorld(options);
}
