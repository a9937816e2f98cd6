// Lifecycle helpers: a configured world whose users, jobs and workers each
// come from one call that sends one instruction through the SDK's builders.
import { Keypair, PublicKey } from '@solana/web3.js';
import {
  availableCredits,
  decodeConfig,
  decodeCreditAccount,
  decodeJob,
  findConfigPda,
  findCreditAccountPda,
  findJobPda,
  findVaultAddress,
  getExpirePromoInstruction,
  getGrantCreditsInstruction,
  getLockInstruction,
  getOpenCreditAccountInstruction,
  getPurchaseInstruction,
  getRefundInstruction,
  getSettleInstruction,
  type CreditAccount,
  type InitializeConfigArgs,
  type Job,
} from '../../sdk/src/index.js';
import { TestEnv, type Sent } from './env.js';

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

export interface LockOptions {
  jobId?: bigint;
  tier?: number;
  maxOutputTokens?: number;
  authority?: Keypair;
  rentPayer?: Keypair;
  job?: PublicKey;
}

let nextJobId = 1n;

/** A world with the config initialized (the specification's defaults unless overridden). */
export class Escrow extends TestEnv {
  constructor(args: Partial<InitializeConfigArgs> = {}) {
    super(args);
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
    return this.send(getPurchaseInstruction({ owner: u.wallet.publicKey, mint: this.mint, source: u.usdc }, { credits }), [signer]);
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

  /** The operator's USDC account, funded with $1,000,000 on first use: the source of grants. */
  get operatorUsdc(): PublicKey {
    const at = this.usdcAddress(this.operator.publicKey);
    if (!this.account(at)) this.createTokenAccount(this.operator.publicKey, 1_000_000_000_000n);
    return at;
  }

  /** The operator grants `credits` promotional credits to `u`, expiring at `expiresAt` (0 = never). */
  grant(u: User, credits: bigint, expiresAt = 0n, { operator = this.operator, source = this.operatorUsdc } = {}): Sent {
    return this.send(
      getGrantCreditsInstruction({ operator: operator.publicKey, creditAccount: u.credit, mint: this.mint, source }, { credits, expiresAt }),
      [operator],
    );
  }

  /** expire_promo signed by `authority` (the owner gives the promo up; anyone once it expired). */
  expirePromo(u: User, authority: Keypair = u.wallet): Sent {
    return this.send(getExpirePromoInstruction({ authority: authority.publicKey, creditAccount: u.credit, mint: this.mint, treasury: this.treasury }), [authority]);
  }

  /** Available credits of `u`, from account bytes (the SDK's one formula, at the config's price). */
  available(u: User): bigint {
    const c = this.credit(u);
    const { pricePerCredit } = decodeConfig(this.data(findConfigPda()[0])!);
    return availableCredits({ vaultAmount: this.tokenBalance(u.vault), feesAccrued: c.feesAccrued, locked: c.locked, pricePerCredit });
  }
}
