// Shared LiteSVM harness: loads target/deploy/job_escrow.so (refusing a stale
// one), funds wallets, makes a USDC-like mint and token accounts, and sends
// transactions with a helper that throws the program's error with its logs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ACCOUNT_SIZE,
  AccountLayout,
  MINT_SIZE,
  MintLayout,
  TOKEN_PROGRAM_ID,
  getAssociatedTokenAddressSync,
} from '@solana/spl-token';
import { Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction, type TransactionInstruction } from '@solana/web3.js';
import { FailedTransactionMetadata, LiteSVM } from 'litesvm';
import {
  JOB_ESCROW_PROGRAM_ID,
  JobEscrowError,
  decodeCreditAccount,
  decodeJob,
  errorCodeFromLogs,
  findCreditAccountPda,
  findJobPda,
  findProgramDataAddress,
  findVaultAddress,
  getInitializeConfigInstruction,
  getLockInstruction,
  getOpenCreditAccountInstruction,
  getPurchaseInstruction,
  getRefundInstruction,
  getSettleInstruction,
  parseEvents,
  type CreditAccount,
  type InitializeConfigArgs,
  type Job,
  type JobEscrowEvent,
} from '../sdk/src/index.js';

/** A wallet with a USDC account and (usually) an open credit account. */
export interface User {
  wallet: Keypair;
  usdc: PublicKey;
  credit: PublicKey;
  vault: PublicKey;
}

export interface LockedJob {
  address: PublicKey;
  jobId: bigint;
  rentPayer: Keypair;
  sent: Sent;
}

/** The repository root: the first directory upwards holding programs/job_escrow (this file may run bundled from target/). */
export const ROOT = (() => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'programs/job_escrow/Cargo.toml'))) return dir;
  }
  throw new Error('repository root not found');
})();
export const PROGRAM_PATH = join(ROOT, 'target/deploy/job_escrow.so');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((e) => newestMtime(join(path, e))));
}

/** Refuses to run against a missing or stale build of the program. */
export function assertProgramIsFresh(): void {
  let built: number;
  try {
    built = statSync(PROGRAM_PATH).mtimeMs;
  } catch {
    throw new Error(`${PROGRAM_PATH} is missing: run \`npm run build:program\``);
  }
  const sources = newestMtime(join(ROOT, 'programs/job_escrow/src'));
  if (sources > built) throw new Error(`${PROGRAM_PATH} is older than its sources: run \`npm run build:program\``);
}

/** A transaction that failed for a reason other than a job_escrow custom error. */
export class TransactionFailed extends Error {
  constructor(
    message: string,
    readonly logs: string[],
  ) {
    super(message);
  }
}

export interface Sent {
  logs: string[];
  computeUnits: number;
  events: JobEscrowEvent[];
}

/**
 * Compute units the job_escrow program used itself: its consumption minus
 * what each program it invoked directly consumed (nested invocations are
 * inside those numbers) and minus the 1,000-unit base charge of each CPI.
 */
export function ownComputeUnits(logs: string[], programId = JOB_ESCROW_PROGRAM_ID): number {
  const id = programId.toBase58();
  const depths: number[] = [];
  let own = 0;
  let invoked = 0;
  let cpis = 0;
  for (const line of logs) {
    const invoke = /^Program \w+ invoke \[(\d+)\]$/.exec(line);
    if (invoke) {
      depths.push(Number(invoke[1]));
      if (Number(invoke[1]) === 2) cpis += 1;
      continue;
    }
    const consumed = /^Program (\w+) consumed (\d+) of/.exec(line);
    if (consumed) {
      const depth = depths[depths.length - 1];
      if (depth === 1 && consumed[1] === id) own += Number(consumed[2]);
      if (depth === 2) invoked += Number(consumed[2]);
      continue;
    }
    if (/^Program \w+ (success|failed)/.test(line)) depths.pop();
  }
  return own - invoked - 1000 * cpis;
}

export class TestEnv {
  readonly svm: LiteSVM;
  readonly admin = Keypair.generate();
  readonly operator = Keypair.generate();
  readonly mintAuthority = Keypair.generate();
  readonly mint = Keypair.generate().publicKey;
  readonly treasury: PublicKey;

  constructor() {
    assertProgramIsFresh();
    this.svm = new LiteSVM();
    this.svm.addProgramFromFile(JOB_ESCROW_PROGRAM_ID, PROGRAM_PATH);
    this.setUpgradeAuthority(this.admin.publicKey);
    this.airdrop(this.admin.publicKey);
    this.airdrop(this.operator.publicKey);
    this.createMint(this.mint, 6);
    this.treasury = this.createTokenAccount(Keypair.generate().publicKey);
  }

  airdrop(to: PublicKey, sol = 10): void {
    this.svm.airdrop(to, BigInt(sol * LAMPORTS_PER_SOL));
  }

  /** A funded wallet. */
  wallet(sol = 10): Keypair {
    const kp = Keypair.generate();
    this.airdrop(kp.publicKey, sol);
    return kp;
  }

  /**
   * LiteSVM deploys under the upgradeable loader with no upgrade authority;
   * this writes one (or none) into the ProgramData account (option byte 12,
   * key at 13..45).
   */
  setUpgradeAuthority(authority: PublicKey | null): void {
    const address = findProgramDataAddress();
    const account = this.svm.getAccount(address);
    if (!account) throw new Error('ProgramData account missing');
    const data = Buffer.from(account.data);
    data[12] = authority ? 1 : 0;
    (authority?.toBuffer() ?? Buffer.alloc(32)).copy(data, 13);
    this.svm.setAccount(address, { ...account, data });
  }

  createMint(address: PublicKey, decimals: number, programId = TOKEN_PROGRAM_ID): void {
    const data = Buffer.alloc(MINT_SIZE);
    MintLayout.encode(
      {
        mintAuthorityOption: 1,
        mintAuthority: this.mintAuthority.publicKey,
        supply: 0n,
        decimals,
        isInitialized: true,
        freezeAuthorityOption: 0,
        freezeAuthority: PublicKey.default,
      },
      data,
    );
    this.setRaw(address, data, programId);
  }

  /**
   * Writes an initialized token account of `mint` (default: the env's mint)
   * holding `amount`, at `address` (default: the owner's ATA).
   */
  createTokenAccount(
    owner: PublicKey,
    amount = 0n,
    opts: { mint?: PublicKey; address?: PublicKey; delegate?: PublicKey; closeAuthority?: PublicKey } = {},
  ): PublicKey {
    const mint = opts.mint ?? this.mint;
    const at = opts.address ?? getAssociatedTokenAddressSync(mint, owner, true);
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
    this.setRaw(at, data, TOKEN_PROGRAM_ID);
    return at;
  }

  setRaw(address: PublicKey, data: Buffer, owner: PublicKey): void {
    this.svm.setAccount(address, {
      lamports: Number(this.svm.minimumBalanceForRentExemption(BigInt(data.length))),
      data,
      owner,
      executable: false,
    });
  }

  tokenBalance(address: PublicKey): bigint {
    const account = this.svm.getAccount(address);
    if (!account) throw new Error(`no token account at ${address.toBase58()}`);
    return AccountLayout.decode(Buffer.from(account.data)).amount;
  }

  /** The account's bytes, or null when it does not exist. */
  data(address: PublicKey): Buffer | null {
    const account = this.svm.getAccount(address);
    return account && account.lamports > 0 ? Buffer.from(account.data) : null;
  }

  /**
   * Lamports, owner and bytes of each account, to prove a rejected
   * transaction changed nothing: `expect(env.snapshot(keys)).toEqual(before)`.
   */
  snapshot(addresses: PublicKey[]): unknown[] {
    return addresses.map((a) => {
      const acc = this.svm.getAccount(a);
      return acc ? { lamports: acc.lamports, owner: acc.owner.toBase58(), data: Buffer.from(acc.data).toString('hex') } : null;
    });
  }

  /** Moves the bank clock forward by `seconds`. */
  warp(seconds: bigint | number): void {
    const clock = this.svm.getClock();
    clock.unixTimestamp += BigInt(seconds);
    this.svm.setClock(clock);
  }

  /** Unix time of the bank's clock. */
  now(): bigint {
    return this.svm.getClock().unixTimestamp;
  }

  /**
   * Signs and sends; the first signer pays. Throws JobEscrowError (with the
   * logs) for the program's custom errors, TransactionFailed otherwise.
   */
  send(ixs: TransactionInstruction | TransactionInstruction[], signers: Keypair[]): Sent {
    const tx = new Transaction().add(...(Array.isArray(ixs) ? ixs : [ixs]));
    tx.recentBlockhash = this.svm.latestBlockhash();
    tx.feePayer = signers[0].publicKey;
    tx.sign(...signers);
    const result = this.svm.sendTransaction(tx);
    // A fresh blockhash lets the next identical transaction through.
    this.svm.expireBlockhash();
    if (result instanceof FailedTransactionMetadata) {
      const logs = result.meta().logs();
      const code = errorCodeFromLogs(logs);
      if (code !== undefined && code >= 6000) throw new JobEscrowError(code, logs);
      throw new TransactionFailed(result.toString(), logs);
    }
    const logs = result.logs();
    return { logs, computeUnits: Number(result.computeUnitsConsumed()), events: parseEvents(logs) };
  }

  /** Initializes the config with the specification's defaults unless overridden. */
  initializeConfig(args: Partial<InitializeConfigArgs> = {}): Sent {
    return this.send(
      getInitializeConfigInstruction(
        { admin: this.admin.publicKey, mint: this.mint, treasury: this.treasury },
        { operator: this.operator.publicKey, ...args },
      ),
      [this.admin],
    );
  }
}

export interface LockOptions {
  jobId?: bigint;
  tier?: number;
  maxOutputTokens?: number;
  authority?: Keypair;
  rentPayer?: Keypair;
  job?: PublicKey;
}

let nextJobId = 1n;

/** Lifecycle helpers on top of TestEnv; each sends one instruction through the SDK's builders. */
export class Escrow extends TestEnv {
  constructor(args: Partial<InitializeConfigArgs> = {}) {
    super();
    this.initializeConfig(args);
  }

  /** A funded wallet holding `usdc` base units, with its credit account opened unless `open` is false. */
  user({ usdc = 1_000_000_000n, open = true }: { usdc?: bigint; open?: boolean } = {}): User {
    const wallet = this.wallet();
    const usdcAccount = this.createTokenAccount(wallet.publicKey, usdc);
    const [credit] = findCreditAccountPda(wallet.publicKey);
    if (open) {
      this.send(getOpenCreditAccountInstruction({ payer: wallet.publicKey, owner: wallet.publicKey, mint: this.mint }), [wallet]);
    }
    return { wallet, usdc: usdcAccount, credit, vault: findVaultAddress(credit, this.mint) };
  }

  /** A user who bought `credits` credits. */
  funded(credits: bigint): User {
    const u = this.user();
    this.purchase(u, credits);
    return u;
  }

  purchase(u: User, credits: bigint, signer = u.wallet): Sent {
    return this.send(
      getPurchaseInstruction({ owner: u.wallet.publicKey, mint: this.mint, source: u.usdc }, { credits }),
      [signer],
    );
  }

  lock(u: User, o: LockOptions = {}): LockedJob {
    const jobId = o.jobId ?? nextJobId++;
    const authority = o.authority ?? this.operator;
    const rentPayer = o.rentPayer ?? authority;
    const address = o.job ?? findJobPda(u.credit, jobId)[0];
    const ix = getLockInstruction(
      { authority: authority.publicKey, rentPayer: rentPayer.publicKey, creditAccount: u.credit, mint: this.mint, job: address },
      { jobId, tier: o.tier ?? 1, maxOutputTokens: o.maxOutputTokens ?? 1_500 },
    );
    const signers = authority === rentPayer ? [authority] : [rentPayer, authority];
    return { address, jobId, rentPayer, sent: this.send(ix, signers) };
  }

  /** A worker wallet and its USDC account. */
  worker(): { wallet: PublicKey; usdc: PublicKey } {
    const wallet = Keypair.generate().publicKey;
    return { wallet, usdc: this.createTokenAccount(wallet) };
  }

  settle(
    u: User,
    job: LockedJob,
    { outputTokens = 1_000, bps = 8_000, provider = this.worker().usdc, operator = this.operator } = {},
  ): Sent {
    return this.send(
      getSettleInstruction(
        { operator: operator.publicKey, creditAccount: u.credit, mint: this.mint, job: job.address, providerTokenAccount: provider, rentPayer: job.rentPayer.publicKey },
        { outputTokens, providerShareBps: bps },
      ),
      [operator],
    );
  }

  refund(u: User, job: LockedJob, authority = this.operator): Sent {
    return this.send(
      getRefundInstruction({ authority: authority.publicKey, creditAccount: u.credit, job: job.address, rentPayer: job.rentPayer.publicKey }),
      [authority],
    );
  }

  credit(u: User): CreditAccount {
    return decodeCreditAccount(this.data(u.credit)!);
  }

  job(job: LockedJob): Job {
    return decodeJob(this.data(job.address)!);
  }

  /** `floor((vault - fees) / price) - locked`, from account bytes. */
  available(u: User, price = 10_000n): bigint {
    const c = this.credit(u);
    return (this.tokenBalance(u.vault) - c.feesAccrued) / price - c.locked;
  }

}

/** Runs `fn`, expecting the program to reject with `code`; returns the error. */
export function expectProgramError(fn: () => unknown, code: number): JobEscrowError {
  try {
    fn();
  } catch (err) {
    if (err instanceof JobEscrowError) {
      if (err.code !== code) throw new Error(`expected error ${code}, got ${err.message}\n${err.logs.join('\n')}`);
      return err;
    }
    throw err;
  }
  throw new Error(`expected error ${code}, but the transaction succeeded`);
}
