// Lifecycle helpers: a configured world whose users, jobs and workers each
// come from one call that sends one instruction through the SDK's builders.
import { Keypair, PublicKey } from '@solana/web3.js';
import {
  availableCredits,
  decodeConfig,
  JOB_SLOTS_OFFSET,
  JOB_SLOT_LEN,
  decodeCreditAccount,
  findConfigPda,
  findCreditAccountPda,
  findOpenJob,
  findVaultAddress,
  getAddJobSlotsInstruction,
  getExpirePromoInstruction,
  getGrantCreditsInstruction,
  getLockInstruction,
  getOpenCreditAccountInstruction,
  getPurchaseInstruction,
  getRefundInstruction,
  getSettleInstruction,
  type CreditAccount,
  type InitializeConfigArgs,
  type OpenJob,
} from '../../sdk/src/index.js';
import { TestEnv, type MintOptions, type Sent } from './env.js';

/** A wallet with a USDC account and (usually) an open credit account. */
export interface User {
  wallet: Keypair;
  usdc: PublicKey;
  credit: PublicKey;
  vault: PublicKey;
}

/** A job locked in one of `credit`'s slots. */
export interface LockedJob {
  credit: PublicKey;
  jobId: bigint;
  sent: Sent;
}

export interface LockOptions {
  jobId?: bigint;
  tier?: number;
  maxOutputTokens?: number;
  authority?: Keypair;
}

let nextJobId = 1n;

/** A world with the config initialized (the specification's defaults unless overridden), on a classic or Token-2022 mint (`mint`). */
export class Escrow extends TestEnv {
  constructor(args: Partial<InitializeConfigArgs> = {}, mint: MintOptions = {}) {
    super(args, undefined, mint);
  }

  /** The builders' `mint` and `tokenProgram`: the world's mint under its own program. */
  get token(): { mint: PublicKey; tokenProgram: PublicKey } {
    return { mint: this.mint, tokenProgram: this.tokenProgram };
  }

  /** A funded wallet holding `usdc` base units, with its credit account opened unless `open` is false. */
  user({ usdc = 1_000_000_000n, open = true, jobSlots }: { usdc?: bigint; open?: boolean; jobSlots?: number } = {}): User {
    const wallet = this.wallet();
    const usdcAccount = this.createTokenAccount(wallet.publicKey, usdc);
    const [credit] = findCreditAccountPda(wallet.publicKey);
    if (open) {
      this.send(getOpenCreditAccountInstruction({ payer: wallet.publicKey, owner: wallet.publicKey, ...this.token }, { jobSlots }), [wallet]);
    }
    return { wallet, usdc: usdcAccount, credit, vault: findVaultAddress(credit, this.mint, { tokenProgram: this.tokenProgram }) };
  }

  /** A user who bought `credits` credits. */
  funded(credits: bigint, opts: { jobSlots?: number } = {}): User {
    const u = this.user(opts);
    this.purchase(u, credits);
    return u;
  }

  purchase(u: User, credits: bigint, signer = u.wallet): Sent {
    return this.send(getPurchaseInstruction({ owner: u.wallet.publicKey, ...this.token, source: u.usdc }, { credits }), [signer]);
  }

  /** Locks a job in a free slot of `u`'s credit account; the authority (default: the operator) is the only signer. */
  lock(u: User, o: LockOptions = {}): LockedJob {
    const jobId = o.jobId ?? nextJobId++;
    const authority = o.authority ?? this.operator;
    const ix = getLockInstruction(
      { authority: authority.publicKey, creditAccount: u.credit, ...this.token },
      { jobId, tier: o.tier ?? 1, maxOutputTokens: o.maxOutputTokens ?? 1_500 },
    );
    return { credit: u.credit, jobId, sent: this.send(ix, [authority]) };
  }

  /** A worker wallet and its USDC account. */
  worker(): { wallet: PublicKey; usdc: PublicKey } {
    const wallet = Keypair.generate().publicKey;
    return { wallet, usdc: this.createTokenAccount(wallet) };
  }

  /** Settles job `job.jobId` of `u`'s credit account. */
  settle(
    u: User,
    job: { jobId: bigint },
    { outputTokens = 1_000, bps = 8_000, provider = this.worker().usdc, operator = this.operator } = {},
  ): Sent {
    return this.send(
      getSettleInstruction(
        { operator: operator.publicKey, creditAccount: u.credit, ...this.token, providerTokenAccount: provider },
        { jobId: job.jobId, outputTokens, providerShareBps: bps },
      ),
      [operator],
    );
  }

  /** Refunds job `job.jobId` of `u`'s credit account, signed by `authority` (default: the operator). */
  refund(u: User, job: { jobId: bigint }, authority = this.operator): Sent {
    return this.send(getRefundInstruction({ authority: authority.publicKey, creditAccount: u.credit }, { jobId: job.jobId }), [authority]);
  }

  /** add_job_slots: the owner pays for `count` more slots. */
  addJobSlots(u: User, count: number, owner = u.wallet): Sent {
    return this.send(getAddJobSlotsInstruction({ owner: owner.publicKey, creditAccount: u.credit }, { count }), [owner]);
  }

  credit(u: User): CreditAccount {
    return decodeCreditAccount(this.data(u.credit)!);
  }

  /** The job `jobId` in flight in `u`'s credit account, or undefined. */
  job(u: User, job: { jobId: bigint }): OpenJob | undefined {
    return findOpenJob(this.credit(u), job.jobId);
  }

  /** The 57 bytes of slot `i` of `u`'s credit account. */
  slotBytes(u: User, i: number): Buffer {
    const start = JOB_SLOTS_OFFSET + JOB_SLOT_LEN * i;
    return this.data(u.credit)!.subarray(start, start + JOB_SLOT_LEN);
  }

  /** The operator's USDC account, funded with $1,000,000 on first use: the source of grants. */
  get operatorUsdc(): PublicKey {
    const at = this.usdcAddress(this.operator.publicKey);
    if (!this.account(at)) this.createTokenAccount(this.operator.publicKey, 1_000_000_000_000n);
    return at;
  }

  /** The operator grants `credits` promotional credits to `u`, expiring at `expiresAt` (0 = never). */
  grant(u: User, credits: bigint, expiresAt = 0n, { operator = this.operator, source = this.operatorUsdc } = {}): Sent {
    return this.send(
      getGrantCreditsInstruction({ operator: operator.publicKey, creditAccount: u.credit, ...this.token, source }, { credits, expiresAt }),
      [operator],
    );
  }

  /** expire_promo signed by `authority` (the owner gives the promo up; anyone once it expired). */
  expirePromo(u: User, authority: Keypair = u.wallet): Sent {
    return this.send(getExpirePromoInstruction({ authority: authority.publicKey, creditAccount: u.credit, ...this.token, treasury: this.treasury }), [authority]);
  }

  /** Available credits of `u`, from account bytes (the SDK's one formula, at the config's price). */
  available(u: User): bigint {
    const c = this.credit(u);
    const { pricePerCredit } = decodeConfig(this.data(findConfigPda()[0])!);
    return availableCredits({ vaultAmount: this.tokenBalance(u.vault), feesAccrued: c.feesAccrued, locked: c.locked, pricePerCredit });
  }
}
