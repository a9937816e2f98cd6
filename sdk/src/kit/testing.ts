// The Kit test kit (`@job-escrow/kit/testing`): the same ready LiteSVM
// world as `@job-escrow/sdk/testing`, with Kit types only (Address,
// KeyPairSigner, Kit instructions), for projects that use no web3.js:
//
//   const world = await createKitTestWorld();
//   const alice = await world.wallet({ usdc: 10_000_000n });
//   await world.send([await getPurchaseInstructionAsync({ ... })], alice);
//
// Node only (LiteSVM is a native module). Token accounts are written with
// @solana-program/token's codecs (a dependency of litesvm 1.x).
import {
  AccountState,
  findAssociatedTokenPda,
  getMintEncoder,
  getTokenDecoder,
  getTokenEncoder,
} from '@solana-program/token';
import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  generateKeyPairSigner,
  getAddressEncoder,
  getProgramDerivedAddress,
  lamports,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM,
  SolanaError,
  type Address,
  type GetAccountInfoApi,
  type GetMultipleAccountsApi,
  type Instruction,
  type KeyPairSigner,
  type Rpc,
} from '@solana/kit';
import { FailedTransactionMetadata, LiteSVM, type TransactionMetadata } from 'litesvm';
import { instructionFailure } from '../litesvm/failure.js';
import { BPF_LOADER_UPGRADEABLE_ADDRESS, DEFAULTS, PROGRAM_ADDRESS, USDC_DECIMALS } from '../core/constants.js';
import { tokenProgramAddress, type TokenProgramName } from '../core/tokenProgram.js';
import { withMintExtensions, type MintExtension } from '../testing/tokenExtensions.js';

export { mintExtension, type MintExtension } from '../testing/tokenExtensions.js';
import { programToDeploy, shippedProgram, startClock, warpClock, withUpgradeAuthority } from '../testing/program.js';
import { getInitializeConfigInstructionAsync, type InitializeConfigAsyncInput } from './generated/index.js';

export interface KitTestWorldOptions {
  /** The program's `.so`. Default: the build shipped in this package. */
  programPath?: string;
  programAddress?: Address;
  /** Initializes the config (default: the specification's defaults, `world.operator` as operator); false: leave it to the test. */
  config?: Partial<Omit<InitializeConfigAsyncInput, 'admin' | 'mint' | 'treasury'>> | false;
  /** Decimals of the USDC-like mint (default 6). */
  decimals?: number;
  /** The token program of the world's mint: 'token' (classic SPL Token, the default) or 'token-2022'; `mintExtensions` implies 'token-2022'. */
  tokenProgram?: TokenProgramName;
  /** Token-2022 extensions of the world's mint (`mintExtension.*` of `@job-escrow/sdk/testing`). */
  mintExtensions?: readonly MintExtension[];
  /** The clock's unix time at the start (default: the real time now; LiteSVM's own clock would start at 0). */
  startTime?: bigint;
}

/** What a transaction that executed reports. */
export interface KitProcessed {
  logs: string[];
  computeUnits: bigint;
}

/**
 * A transaction the runtime refused. For a custom program error, `cause` is
 * the SolanaError Kit's RPC path raises (SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM,
 * context `{ code, index }`), so `isJobEscrowError(err.cause, message, code)`
 * works here as it does against a cluster.
 */
export class KitTransactionFailed extends Error {
  name = 'KitTransactionFailed';
  constructor(
    message: string,
    readonly logs: string[],
    readonly code: number | undefined,
    override readonly cause: SolanaError | undefined,
  ) {
    super(message);
  }
}

const SOL = 1_000_000_000n;

/**
 * An embedded LiteSVM with job_escrow deployed under the upgradeable loader
 * (upgrade authority: `admin`), a USDC-like mint, a treasury token account,
 * funded `admin` and `operator` signers and (by default) the config.
 */
export class KitTestWorld {
  readonly svm = new LiteSVM();

  private constructor(
    readonly programAddress: Address,
    readonly admin: KeyPairSigner,
    readonly operator: KeyPairSigner,
    readonly mint: Address,
    readonly treasury: Address,
    /** The token program of the world's mint (its owner): what the config records. */
    readonly tokenProgram: Address,
  ) {}

  static async create({
    programPath = shippedProgram(),
    programAddress = PROGRAM_ADDRESS as Address,
    config = {},
    decimals = USDC_DECIMALS,
    tokenProgram: tokenProgramName,
    mintExtensions = [],
    startTime,
  }: KitTestWorldOptions = {}): Promise<KitTestWorld> {
    const tokenProgram = tokenProgramAddress(tokenProgramName ?? (mintExtensions.length ? 'token-2022' : 'token')) as Address;
    const [admin, operator, mint, treasuryOwner] = await Promise.all([1, 2, 3, 4].map(() => generateKeyPairSigner()));
    const [treasury] = await findAssociatedTokenPda({ owner: treasuryOwner.address, mint: mint.address, tokenProgram });
    const world = new KitTestWorld(programAddress, admin, operator, mint.address, treasury, tokenProgram);
    startClock(world.svm, startTime);
    world.svm.addProgramFromFile(programAddress, programToDeploy(programPath));
    const [programData] = await getProgramDerivedAddress({
      programAddress: BPF_LOADER_UPGRADEABLE_ADDRESS as Address,
      seeds: [getAddressEncoder().encode(programAddress)],
    });
    const deployed = world.svm.getAccount(programData);
    if (!deployed.exists) throw new Error('ProgramData account missing');
    world.svm.setAccount({ ...deployed, data: withUpgradeAuthority(deployed.data, getAddressEncoder().encode(admin.address) as Uint8Array) });
    world.airdrop(admin.address);
    world.airdrop(operator.address);
    world.setRaw(
      mint.address,
      withMintExtensions(getMintEncoder().encode({ mintAuthority: admin.address, supply: 0n, decimals, isInitialized: true, freezeAuthority: null }) as Uint8Array, mintExtensions),
      tokenProgram,
    );
    world.writeTokenAccount(treasury, treasuryOwner.address, 0n);
    if (config) {
      await world.send(
        [
          await getInitializeConfigInstructionAsync(
            {
              admin,
              mint: mint.address,
              treasury,
              programData,
              operator: operator.address,
              pricePerCredit: DEFAULTS.pricePerCredit,
              minPurchaseCredits: DEFAULTS.minPurchaseCredits,
              jobTimeoutSecs: DEFAULTS.jobTimeoutSecs,
              providerShareBpsMin: DEFAULTS.providerShareBpsMin,
              providerShareBpsMax: DEFAULTS.providerShareBpsMax,
              tiers: [...DEFAULTS.tiers],
              maxOutputTokensPerJob: DEFAULTS.maxOutputTokensPerJob,
              ...config,
            },
            { programAddress },
          ),
        ],
        admin,
      );
    }
    return world;
  }

  airdrop(to: Address, sol = 10n): void {
    const result = this.svm.airdrop(to, lamports(sol * SOL));
    if (result instanceof FailedTransactionMetadata) throw new Error(`airdrop failed: ${result.toString()}`);
  }

  /** A funded signer (10 SOL) holding `usdc` base units in its USDC associated token account when given. */
  async wallet({ usdc }: { usdc?: bigint } = {}): Promise<KeyPairSigner> {
    const signer = await generateKeyPairSigner();
    this.airdrop(signer.address);
    if (usdc !== undefined) this.writeTokenAccount(await this.usdcAddress(signer.address), signer.address, usdc);
    return signer;
  }

  /** `owner`'s USDC associated token account. */
  async usdcAddress(owner: Address): Promise<Address> {
    const [ata] = await findAssociatedTokenPda({ owner, mint: this.mint, tokenProgram: this.tokenProgram });
    return ata;
  }

  /** Writes an initialized token account of the world's mint holding `amount`. */
  writeTokenAccount(address: Address, owner: Address, amount: bigint): void {
    const data = getTokenEncoder().encode({
      mint: this.mint,
      owner,
      amount,
      delegate: null,
      state: AccountState.Initialized,
      isNative: null,
      delegatedAmount: 0n,
      closeAuthority: null,
    });
    this.setRaw(address, data as Uint8Array, this.tokenProgram);
  }

  /** Writes a rent-exempt account holding `data`, owned by `owner`. */
  setRaw(address: Address, data: Uint8Array, owner: Address): void {
    const size = BigInt(data.length);
    this.svm.setAccount({
      address,
      data,
      executable: false,
      lamports: lamports(this.svm.minimumBalanceForRentExemption(size)),
      programAddress: owner,
      space: size,
    });
  }

  /** Token amount of the token account at `address`. @throws when there is none. */
  tokenBalance(address: Address): bigint {
    const account = this.svm.getAccount(address);
    if (!account.exists) throw new Error(`no token account at ${address}`);
    return getTokenDecoder().decode(account.data.subarray(0, 165)).amount;
  }

  /** Moves the clock forward by `seconds`. */
  warp(seconds: bigint | number): void {
    warpClock(this.svm, seconds);
  }

  /** Unix time of the clock. */
  now(): bigint {
    return this.svm.getClock().unixTimestamp;
  }

  /**
   * The world's accounts as Kit's account-reading RPC methods
   * (getAccountInfo, getMultipleAccounts; base64), so the client's fetch
   * helpers (`fetchBalance`, `fetchConfig`, the generated `fetch…`) read
   * the world as they read a cluster.
   */
  readonly rpc = {
    getAccountInfo: (address: Address, _config?: unknown) => ({ send: async () => ({ context: { slot: this.svm.getClock().slot }, value: this.encodedAccount(address) }) }),
    getMultipleAccounts: (addresses: readonly Address[], _config?: unknown) => ({
      send: async () => ({ context: { slot: this.svm.getClock().slot }, value: addresses.map((a) => this.encodedAccount(a)) }),
    }),
  } as unknown as Rpc<GetAccountInfoApi & GetMultipleAccountsApi>;

  private encodedAccount(address: Address) {
    const account = this.svm.getAccount(address);
    if (!account.exists) return null;
    return {
      data: [Buffer.from(account.data).toString('base64'), 'base64'],
      executable: account.executable,
      lamports: account.lamports,
      owner: account.programAddress,
      space: BigInt(account.data.length),
      rentEpoch: 0n,
    };
  }

  /**
   * Executes `instructions` in one transaction paid by `feePayer`, signed by
   * every signer the instructions carry, then starts a new slot and blockhash.
   * @throws KitTransactionFailed when the runtime refuses it.
   */
  async send(instructions: Instruction[], feePayer: KeyPairSigner): Promise<KitProcessed> {
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(feePayer, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: this.svm.latestBlockhash(), lastValidBlockHeight: 0n }, m),
      (m) => appendTransactionMessageInstructions(instructions, m),
    );
    const result = this.svm.sendTransaction(await signTransactionMessageWithSigners(message));
    this.svm.expireBlockhash();
    this.svm.warpToSlot(this.svm.getClock().slot + 1n);
    if (result instanceof FailedTransactionMetadata) throw failure(result);
    return processed(result);
  }
}

function processed(result: TransactionMetadata): KitProcessed {
  return { logs: result.logs(), computeUnits: result.computeUnitsConsumed() };
}

function failure(result: FailedTransactionMetadata): KitTransactionFailed {
  const failed = instructionFailure(result);
  const code = failed?.code;
  const cause = code !== undefined ? new SolanaError(SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM, { code, index: failed!.index }) : undefined;
  return new KitTransactionFailed(`transaction failed: ${result.toString()}`, result.meta().logs(), code, cause);
}

/** A ready Kit world (see KitTestWorld). */
export function createKitTestWorld(options: KitTestWorldOptions = {}): Promise<KitTestWorld> {
  return KitTestWorld.create(options);
}
