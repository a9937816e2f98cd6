import type { Provider } from '@coral-xyz/anchor';
import { TOKEN_PROGRAM_ID, getAssociatedTokenAddressSync } from '@solana/spl-token';
import {
  ComputeBudgetProgram,
  PublicKey,
  SYSVAR_CLOCK_PUBKEY,
  Transaction,
  TransactionExpiredBlockheightExceededError,
  type GetProgramAccountsFilter,
  type TransactionInstruction,
} from '@solana/web3.js';
import { summarizeBalance, tokenAccountAmount, type BalanceSummary } from './core/balances.js';
import { readI64 } from './bytes.js';
import { decodeCreditAccount, decodeJob, fetchConfig, fetchJob, readAccountInfo, readAccountInfos, fetchCreditAccount, fetchMaybeCreditAccount, fetchMaybeJob, type Config, type CreditAccount, type Job } from './accounts/index.js';
import { COMPUTE_UNITS, JOB_ESCROW_PROGRAM_ID, type Tier } from './constants.js';
import { AccountNotFoundError, InsufficientFundsError, JobEscrowError, JobEscrowErrorCode, errorCodeFromLogs, isJobEscrowError, logsOf, translateError } from './errors.js';
import { toUnsigned, type Amount } from './idl.js';
import { accountDiscriminator } from './codec.js';
import bs58 from 'bs58';
import { fetchHistory, type HistoryEntry } from './history.js';
import {
  WITHDRAW_ALL,
  getAcceptAdminInstruction,
  getNominateAdminInstruction,
  getUpdateConfigInstruction,
  type UpdateConfigArgs,
  getCloseCreditAccountInstruction,
  getCollectFeesInstruction,
  getLockInstruction,
  getOpenCreditAccountInstruction,
  getPurchaseInstruction,
  getRefundInstruction,
  getSetSpendingLimitInstruction,
  getSettleInstruction,
  getWithdrawInstruction,
  getExpirePromoInstruction,
  getGrantCreditsInstruction,
  type SpendingLimits,
} from './instructions/index.js';
import { findCreditAccountPda, findJobPda, findVaultAddress } from './pdas.js';
import { quote } from './core/pricing.js';
import { lockMany, refundMany, settleMany, type BatchOptions, type BatchResult, type LockRequest, type RefundRequest, type SettleRequest } from './batch/jobs.js';

/** Whose credit account a call is about; the provider's wallet when omitted. */
export interface OwnerParam {
  owner?: PublicKey;
}

export interface JobEscrowClientOptions {
  programId?: PublicKey;
  /** Priority fee in micro-lamports per compute unit (ComputeBudget SetComputeUnitPrice); none by default. */
  priorityFeeMicroLamports?: number;
}

/** What every write returns: the signature and the addresses it used. */
export interface Sent {
  signature: string;
  creditAccount: PublicKey;
  vault: PublicKey;
}

export interface Balance extends BalanceSummary {
  /** Unix seconds of the last purchase or deposit, from history (null when none, or not requested with `withLastTopUp`). */
  lastTopUpAt: number | null;
  creditAccount: PublicKey;
  vault: PublicKey;
}

/** Refunds per transaction when cranking expired jobs (refundExpired and the operator's crank). */
export const BATCH_REFUNDS = 8;

/**
 * The high-level client. Built from any Anchor `Provider` (AnchorProvider
 * over RPC, anchor-bankrun's BankrunProvider, the SDK's LiteSVMProvider);
 * the provider's wallet signs: the owner for purchase/withdraw/…, the
 * operator for lock/settle/refund.
 */
export class JobEscrowClient {
  readonly programId: PublicKey;
  private configCache?: { config: Config; at: number };

  constructor(
    readonly provider: Provider,
    private readonly options: JobEscrowClientOptions = {},
  ) {
    this.programId = options.programId ?? JOB_ESCROW_PROGRAM_ID;
  }

  get connection() {
    return this.provider.connection;
  }

  /** The provider's wallet. */
  get wallet(): PublicKey {
    const key = this.provider.publicKey ?? this.provider.wallet?.publicKey;
    if (!key) throw new Error('the provider has no wallet');
    return key;
  }

  /**
   * The Config, cached: `refresh` re-reads it, `maxAgeMs` re-reads it once
   * the cached copy is older (a long-running server follows update_config).
   * @throws AccountNotFoundError when not initialized.
   */
  async config({ refresh = false, maxAgeMs = Infinity }: { refresh?: boolean; maxAgeMs?: number } = {}): Promise<Config> {
    if (!this.configCache || refresh || Date.now() - this.configCache.at >= maxAgeMs) {
      this.configCache = { config: await fetchConfig(this.connection, { programId: this.programId }), at: Date.now() };
    }
    return this.configCache.config;
  }

  /** CreditAccount PDA and vault of `owner` (default: the wallet). */
  async addresses({ owner = this.wallet }: OwnerParam = {}): Promise<{ creditAccount: PublicKey; vault: PublicKey }> {
    const [creditAccount] = findCreditAccountPda(owner, { programId: this.programId });
    return { creditAccount, vault: findVaultAddress(creditAccount, (await this.config()).mint) };
  }

  /** `owner`'s CreditAccount (default: the wallet's), or null when it is not opened. */
  creditAccount({ owner = this.wallet }: OwnerParam = {}): Promise<CreditAccount | null> {
    return fetchMaybeCreditAccount(this.connection, owner, { programId: this.programId });
  }

  /**
   * Sends `ixs` with a compute-unit limit summed from COMPUTE_UNITS and the
   * optional priority fee, through the provider. If the blockhash expires
   * before confirmation it checks whether the transaction landed before
   * signing it again with a fresh one.
   * @throws JobEscrowError when the program rejects the transaction.
   */
  async send(ixs: TransactionInstruction[], units: number): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.provider.sendAndConfirm!(this.transaction(ixs, units));
      } catch (err) {
        if (err instanceof TransactionExpiredBlockheightExceededError && attempt < 2) {
          const status = await this.connection.getSignatureStatus(err.signature, { searchTransactionHistory: true });
          if (status.value?.confirmationStatus && !status.value.err) return err.signature;
          continue;
        }
        throw translateError(err);
      }
    }
  }

  /**
   * A transaction of `ixs` behind a `units` compute-unit limit and, when set,
   * the priority fee (no fee payer, blockhash or signature yet).
   */
  transaction(ixs: TransactionInstruction[], units: number): Transaction {
    const budget = [ComputeBudgetProgram.setComputeUnitLimit({ units })];
    if (this.options.priorityFeeMicroLamports) {
      budget.push(ComputeBudgetProgram.setComputeUnitPrice({ microLamports: this.options.priorityFeeMicroLamports }));
    }
    return new Transaction().add(...budget, ...ixs);
  }

  /**
   * The instructions that buy `credits` for `owner` from `source` (default:
   * the owner's USDC ATA), opening the credit account first when missing
   * (with `limits` set in the same transaction when given), and the compute
   * units they need. The owner signs and pays.
   */
  async purchaseInstructions({ owner, credits, source, limits }: { owner: PublicKey; credits: Amount; source?: PublicKey; limits?: SpendingLimits }) {
    const { mint } = await this.config();
    const opened = !(await this.creditAccount({ owner }));
    const ixs = opened ? this.openInstructions({ owner, payer: owner, mint, limits }) : [];
    ixs.push(
      getPurchaseInstruction({ owner, mint, source: source ?? getAssociatedTokenAddressSync(mint, owner) }, { credits }, { programId: this.programId }),
    );
    const units = COMPUTE_UNITS.purchase + (opened ? COMPUTE_UNITS.open_credit_account + (limits ? COMPUTE_UNITS.set_spending_limit : 0) : 0);
    return { ixs, units, opened };
  }

  /** open_credit_account, then set_spending_limit when `limits` are given (the owner must sign then). */
  private openInstructions({ owner, payer, mint, limits }: { owner: PublicKey; payer: PublicKey; mint: PublicKey; limits?: SpendingLimits }): TransactionInstruction[] {
    const ixs = [getOpenCreditAccountInstruction({ payer, owner, mint }, { programId: this.programId })];
    if (limits) ixs.push(getSetSpendingLimitInstruction({ owner }, limits, { programId: this.programId }));
    return ixs;
  }

  /**
   * Buys `credits` with USDC from `source` (default: the wallet's USDC ATA);
   * opens the wallet's credit account in the same transaction when missing.
   */
  async purchase({ credits, source, limits }: { credits: Amount; source?: PublicKey; limits?: SpendingLimits }): Promise<Sent & { opened: boolean }> {
    const owner = this.wallet;
    const { ixs, units, opened } = await this.purchaseInstructions({ owner, credits, source, limits });
    try {
      return { signature: await this.send(ixs, units), ...(await this.addresses()), opened };
    } catch (err) {
      throw await this.explainTokenShortfall(err, { owner, credits, source });
    }
  }

  /** The Token program's InsufficientFunds (custom error 1) as "not enough USDC" with the numbers; anything else unchanged. */
  private async explainTokenShortfall(err: unknown, { owner, credits, source }: { owner: PublicKey; credits: Amount; source?: PublicKey }): Promise<unknown> {
    if (err instanceof JobEscrowError || errorCodeFromLogs(logsOf(err), TOKEN_PROGRAM_ID) !== 1) return err;
    const { mint, pricePerCredit } = await this.config();
    const from = source ?? getAssociatedTokenAddressSync(mint, owner);
    const info = await readAccountInfo(this.connection, from);
    return new InsufficientFundsError(from, info ? tokenAccountAmount(info.data) : 0n, toUnsigned(credits, 'credits', 64) * pricePerCredit);
  }

  /**
   * Opens `owner`'s credit account (default: the wallet's; the wallet pays).
   * With `limits`, the spending limits are set in the same transaction,
   * which the owner must sign: so only for the wallet's own account.
   */
  async openCreditAccount({ owner = this.wallet, limits }: OwnerParam & { limits?: SpendingLimits } = {}): Promise<Sent> {
    if (limits && !owner.equals(this.wallet)) throw new Error('spending limits can be set at opening only by the owner: open, then let the owner call setSpendingLimit');
    const { mint } = await this.config();
    const units = COMPUTE_UNITS.open_credit_account + (limits ? COMPUTE_UNITS.set_spending_limit : 0);
    const signature = await this.send(this.openInstructions({ owner, payer: this.wallet, mint, limits }), units);
    return { signature, ...(await this.addresses({ owner })) };
  }

  /**
   * Locks a job for `owner` (default: the wallet; the wallet is the operator
   * or the owner, and pays the Job's rent). Idempotent: if this job id is
   * already locked with the same tier and token limit it returns the existing
   * Job with `alreadyLocked` and the signature of the lock that created it;
   * with other parameters it throws AlreadyInitialized.
   * @throws AccountNotFoundError when `owner` has no credit account.
   */
  async lock({ owner = this.wallet, jobId, tier, maxOutputTokens }: OwnerParam & { jobId: Amount; tier: Tier | number; maxOutputTokens: number }): Promise<
    Sent & { job: PublicKey; credits: bigint; alreadyLocked: boolean }
  > {
    const { mint } = await this.config();
    const { creditAccount, vault } = await this.addresses({ owner });
    const [job] = findJobPda(creditAccount, jobId, { programId: this.programId });
    const ix = getLockInstruction(
      { authority: this.wallet, rentPayer: this.wallet, creditAccount, mint },
      { jobId, tier, maxOutputTokens },
      { programId: this.programId },
    );
    try {
      const signature = await this.send([ix], COMPUTE_UNITS.lock);
      const locked = await fetchJob(this.connection, job, { programId: this.programId });
      return { signature, creditAccount, vault, job, credits: locked.creditsLocked, alreadyLocked: false };
    } catch (err) {
      if (isJobEscrowError(err, JobEscrowErrorCode.AlreadyInitialized)) {
        const existing = await fetchMaybeJob(this.connection, job, { programId: this.programId });
        if (existing && existing.tier === Number(tier) && existing.maxOutputTokens === maxOutputTokens) {
          const [first] = (await this.connection.getSignaturesForAddress(job, { limit: 1000 }, 'confirmed')).filter((s) => !s.err).slice(-1);
          return { signature: first.signature, creditAccount, vault, job, credits: existing.creditsLocked, alreadyLocked: true };
        }
      }
      if (isJobEscrowError(err, JobEscrowErrorCode.InvalidAccountOwner) && !(await this.creditAccount({ owner }))) {
        throw new AccountNotFoundError('CreditAccount', creditAccount, `the credit account of ${owner.toBase58()} is not opened`);
      }
      throw err;
    }
  }

  /** Settles `owner`'s job `jobId` (the wallet is the operator); the Job's rent goes back to its payer. */
  async settle({ owner = this.wallet, jobId, outputTokens, providerShareBps, providerTokenAccount }: OwnerParam & {
    jobId: Amount;
    outputTokens: number;
    providerShareBps?: number;
    /** The worker's USDC token account (owned by a wallet). */
    providerTokenAccount: PublicKey;
  }): Promise<Sent & { job: PublicKey }> {
    const config = await this.config();
    const { creditAccount, vault } = await this.addresses({ owner });
    const [job] = findJobPda(creditAccount, jobId, { programId: this.programId });
    const { rentPayer } = await this.jobOrThrow({ owner, jobId, job });
    const ix = getSettleInstruction(
      { operator: this.wallet, creditAccount, mint: config.mint, job, providerTokenAccount, rentPayer },
      { outputTokens, providerShareBps: providerShareBps ?? config.providerShareBpsMin },
      { programId: this.programId },
    );
    return { signature: await this.send([ix], COMPUTE_UNITS.settle), creditAccount, vault, job };
  }

  /**
   * Locks many jobs: packed into as few transactions as fit, several in
   * flight at once, one outcome per job (`done`, `already-locked` with the
   * same parameters, or `rejected` with the program's code; a rejected job
   * never fails the others). See sdk/src/batch.
   */
  lockMany(requests: LockRequest[], options?: BatchOptions): Promise<BatchResult> {
    return lockMany(this, requests, options);
  }

  /** Settles many jobs (see lockMany). */
  settleMany(requests: SettleRequest[], options?: BatchOptions): Promise<BatchResult> {
    return settleMany(this, requests, options);
  }

  /** Refunds many jobs (see lockMany). */
  refundMany(requests: RefundRequest[], options?: BatchOptions): Promise<BatchResult> {
    return refundMany(this, requests, options);
  }

  /** Refunds `owner`'s job `jobId` (the operator at any time; anyone after expiry). @throws AccountNotFoundError when the job is not locked. */
  async refund({ owner = this.wallet, jobId }: OwnerParam & { jobId: Amount }): Promise<Sent & { job: PublicKey }> {
    const { creditAccount, vault } = await this.addresses({ owner });
    const [job] = findJobPda(creditAccount, jobId, { programId: this.programId });
    const { rentPayer } = await this.jobOrThrow({ owner, jobId, job });
    const ix = getRefundInstruction({ authority: this.wallet, creditAccount, job, rentPayer }, { programId: this.programId });
    return { signature: await this.send([ix], COMPUTE_UNITS.refund), creditAccount, vault, job };
  }

  private async jobOrThrow({ owner, jobId, job }: { owner: PublicKey; jobId: Amount; job: PublicKey }): Promise<Job> {
    const found = await fetchMaybeJob(this.connection, job, { programId: this.programId });
    if (!found) throw new AccountNotFoundError('Job', job, `job ${jobId} of ${owner.toBase58()} not found (never locked, or already settled or refunded)`);
    return found;
  }

  /** Open jobs of `owner`, or of everyone when `owner` is not given, read with getProgramAccounts. */
  async openJobs({ owner }: { owner?: PublicKey } = {}): Promise<{ address: PublicKey; job: Job }[]> {
    const filters: GetProgramAccountsFilter[] = [{ memcmp: { offset: 0, bytes: bs58.encode(accountDiscriminator('Job')) } }];
    if (owner) filters.push({ memcmp: { offset: 8, bytes: (await this.addresses({ owner })).creditAccount.toBase58() } });
    const found = await this.connection.getProgramAccounts(this.programId, { filters });
    return found.map(({ pubkey, account }) => ({ address: pubkey, job: decodeJob(account.data) }));
  }

  /**
   * Finds every expired job (of `owner`, or of everyone) and refunds them in
   * transactions of up to 8 refunds. Anyone may crank this.
   */
  async refundExpired({ owner, onProgress }: { owner?: PublicKey; onProgress?: (done: number, total: number) => void } = {}): Promise<{
    signatures: string[];
    jobs: PublicKey[];
  }> {
    const now = await this.clusterTime();
    const expired = (await this.openJobs({ owner })).filter(({ job }) => job.expiresAt <= now);
    const signatures: string[] = [];
    for (let i = 0; i < expired.length; i += BATCH_REFUNDS) {
      const batch = expired.slice(i, i + BATCH_REFUNDS);
      const ixs = batch.map(({ address, job }) =>
        getRefundInstruction({ authority: this.wallet, creditAccount: job.creditAccount, job: address, rentPayer: job.rentPayer }, { programId: this.programId }),
      );
      signatures.push(await this.send(ixs, COMPUTE_UNITS.refund * batch.length));
      onProgress?.(i + batch.length, expired.length);
    }
    return { signatures, jobs: expired.map((e) => e.address) };
  }

  /** The cluster's unix time, from the Clock sysvar account. */
  async clusterTime(): Promise<bigint> {
    const clock = await readAccountInfo(this.connection, SYSVAR_CLOCK_PUBKEY);
    if (!clock) throw new Error('cannot read the Clock sysvar');
    return readI64(clock.data, 32);
  }

  /** Withdraws `credits` (WITHDRAW_ALL: everything withdrawable) to `destination` (default: the wallet's USDC ATA). */
  async withdraw({ credits, destination }: { credits: Amount; destination?: PublicKey }): Promise<Sent> {
    const owner = this.wallet;
    const { mint } = await this.config();
    const ix = getWithdrawInstruction(
      { owner, mint, destination: destination ?? getAssociatedTokenAddressSync(mint, owner) },
      { credits },
      { programId: this.programId },
    );
    return { signature: await this.send([ix], COMPUTE_UNITS.withdraw), ...(await this.addresses({ owner })) };
  }

  /** Withdraws everything withdrawable, dust included. */
  withdrawAll({ destination }: { destination?: PublicKey } = {}): Promise<Sent> {
    return this.withdraw({ credits: WITHDRAW_ALL, destination });
  }

  /**
   * Caps what jobs may take from the wallet's account: per job and per
   * 24-hour window (0 = no cap; an omitted daily limit is 0). A window opens
   * at the first lock 24 hours or more after the previous one opened; the
   * part of a lock that a job did not charge (all of it on refund) counts
   * again.
   */
  async setSpendingLimit(limits: SpendingLimits): Promise<Sent> {
    const ix = getSetSpendingLimitInstruction({ owner: this.wallet }, limits, { programId: this.programId });
    return { signature: await this.send([ix], COMPUTE_UNITS.set_spending_limit), ...(await this.addresses()) };
  }

  /** Credit accounts (everyone's) that owe the treasury fees, read with getProgramAccounts. */
  async accountsWithFees(): Promise<{ address: PublicKey; account: CreditAccount }[]> {
    const filters: GetProgramAccountsFilter[] = [{ memcmp: { offset: 0, bytes: bs58.encode(accountDiscriminator('CreditAccount')) } }];
    const found = await this.connection.getProgramAccounts(this.programId, { filters });
    return found.map(({ pubkey, account }) => ({ address: pubkey, account: decodeCreditAccount(account.data) })).filter(({ account }) => account.feesAccrued > 0n);
  }

  /** Admin: changes the config fields given (the rest stay); `paused: true` stops purchases and locks. */
  async updateConfig(args: UpdateConfigArgs): Promise<{ signature: string }> {
    const ix = getUpdateConfigInstruction({ admin: this.wallet }, args, { programId: this.programId });
    const signature = await this.send([ix], COMPUTE_UNITS.update_config);
    await this.config({ refresh: true });
    return { signature };
  }

  /** Admin: nominates `newAdmin`, who takes over by calling acceptAdmin. */
  async nominateAdmin({ newAdmin }: { newAdmin: PublicKey }): Promise<{ signature: string }> {
    const ix = getNominateAdminInstruction({ admin: this.wallet }, { newAdmin }, { programId: this.programId });
    return { signature: await this.send([ix], COMPUTE_UNITS.nominate_admin) };
  }

  /** The nominated admin (the wallet) takes over. */
  async acceptAdmin(): Promise<{ signature: string }> {
    const ix = getAcceptAdminInstruction({ newAdmin: this.wallet }, { programId: this.programId });
    const signature = await this.send([ix], COMPUTE_UNITS.accept_admin);
    await this.config({ refresh: true });
    return { signature };
  }

  /** Moves `owner`'s accrued fees to the treasury (anyone may send it). */
  async collectFees({ owner = this.wallet }: OwnerParam = {}): Promise<Sent> {
    const { mint, treasury } = await this.config();
    const { creditAccount, vault } = await this.addresses({ owner });
    const ix = getCollectFeesInstruction({ creditAccount, mint, treasury }, { programId: this.programId });
    return { signature: await this.send([ix], COMPUTE_UNITS.collect_fees), creditAccount, vault };
  }

  /**
   * Closes the wallet's empty credit account and vault; the rent returns to
   * the wallet that paid it (`rentPayer`), the rest to this wallet. Unspent
   * promotional credits are given up (to the treasury) first, in the same
   * transaction.
   * @throws AccountNotFoundError when the wallet has no credit account.
   */
  async closeCreditAccount(): Promise<Sent> {
    const { mint, treasury } = await this.config();
    const { creditAccount } = await this.addresses();
    const account = await fetchCreditAccount(this.connection, this.wallet, { programId: this.programId });
    const ixs: TransactionInstruction[] = [];
    let units = COMPUTE_UNITS.close_credit_account;
    if (account.promoCredits > 0n) {
      ixs.push(getExpirePromoInstruction({ authority: this.wallet, creditAccount, mint, treasury }, { programId: this.programId }));
      units += COMPUTE_UNITS.expire_promo;
    }
    ixs.push(getCloseCreditAccountInstruction({ owner: this.wallet, mint, rentPayer: account.rentPayer }, { programId: this.programId }));
    return { signature: await this.send(ixs, units), ...(await this.addresses()) };
  }

  /**
   * Grants `credits` promotional credits to `owner` (the wallet is the
   * operator and pays `credits * price` USDC from `source`, default its USDC
   * ATA). They expire at `expiresAt` (unix seconds) or `expiresIn` seconds
   * from the cluster's now; never when neither is given.
   */
  async grantCredits({ owner, credits, expiresAt, expiresIn, source }: { owner: PublicKey; credits: Amount; expiresAt?: Amount; expiresIn?: number; source?: PublicKey }): Promise<Sent & { expiresAt: bigint }> {
    if (expiresAt !== undefined && expiresIn !== undefined) throw new TypeError('give expiresAt or expiresIn, not both');
    const { mint } = await this.config();
    const { creditAccount, vault } = await this.addresses({ owner });
    const at = expiresIn !== undefined ? (await this.clusterTime()) + BigInt(toUnsigned(expiresIn, 'expiresIn', 32)) : BigInt(expiresAt?.toString() ?? 0);
    const ix = getGrantCreditsInstruction(
      { operator: this.wallet, creditAccount, mint, source: source ?? getAssociatedTokenAddressSync(mint, this.wallet) },
      { credits, expiresAt: at },
      { programId: this.programId },
    );
    return { signature: await this.send([ix], COMPUTE_UNITS.grant_credits), creditAccount, vault, expiresAt: at };
  }

  /** Returns `owner`'s unspent promotional credits to the treasury: the owner at any time, anyone once they expired. */
  async expirePromo({ owner = this.wallet }: OwnerParam = {}): Promise<Sent> {
    const { mint, treasury } = await this.config();
    const { creditAccount, vault } = await this.addresses({ owner });
    const ix = getExpirePromoInstruction({ authority: this.wallet, creditAccount, mint, treasury }, { programId: this.programId });
    return { signature: await this.send([ix], COMPUTE_UNITS.expire_promo), creditAccount, vault };
  }

  /**
   * Balance of `owner`'s credits (default: the wallet's): one RPC call
   * (getMultipleAccountsInfo of the credit account and the vault; the config
   * is cached). `withLastTopUp` adds `lastTopUpAt` from the history, which
   * costs one getTransaction per transaction of the account.
   * @throws AccountNotFoundError when `owner` has no credit account.
   */
  async getBalance({ owner = this.wallet, withLastTopUp = false }: OwnerParam & { withLastTopUp?: boolean } = {}): Promise<Balance> {
    const config = await this.config();
    const { creditAccount, vault } = await this.addresses({ owner });
    const [creditInfo, vaultInfo] = await readAccountInfos(this.connection, [creditAccount, vault]);
    const credit = creditInfo && creditInfo.owner.equals(this.programId) ? decodeCreditAccount(creditInfo.data) : null;
    if (!credit || !vaultInfo) throw new AccountNotFoundError('CreditAccount', creditAccount, `the credit account of ${owner.toBase58()} is not opened`);
    let lastTopUpAt: number | null = null;
    if (withLastTopUp) {
      const topUps = (await this.history({ owner })).filter((e) => e.kind === 'purchase' || e.kind === 'deposit');
      lastTopUpAt = topUps.at(-1)?.blockTime ?? null;
    }
    return {
      ...summarizeBalance(credit, tokenAccountAmount(vaultInfo.data), config.pricePerCredit),
      lastTopUpAt,
      creditAccount,
      vault,
    };
  }

  /**
   * The price in credits of a job of `tier` producing `outputTokens`, at the
   * tier prices the config holds now (re-read, so an update_config is seen).
   */
  async quote({ tier, outputTokens }: { tier: Tier | number; outputTokens: number | bigint }): Promise<bigint> {
    const { tiers } = await this.config({ refresh: true });
    return quote(tier, outputTokens, { tiers });
  }

  /** `owner`'s history, oldest first (see fetchHistory). */
  async history({ owner = this.wallet }: OwnerParam = {}): Promise<HistoryEntry[]> {
    const config = await this.config();
    return fetchHistory(this.connection, owner, { mint: config.mint, programId: this.programId, pricePerCredit: config.pricePerCredit });
  }

  /**
   * Calls `onLow` when `owner`'s available credits fall below `below`
   * (once per crossing), and `onChange` on every change, from account-change
   * subscriptions on the credit account and the vault; a failed balance read
   * goes to `onError`. Returns a function that unsubscribes.
   */
  async watchBalance({
    owner = this.wallet,
    below,
    onLow,
    onChange,
    onError = (err) => console.error('watchBalance:', err),
  }: OwnerParam & { below: Amount; onLow: (b: Balance) => void; onChange?: (b: Balance) => void; onError?: (err: unknown) => void }): Promise<() => Promise<void>> {
    const threshold = toUnsigned(below, 'below', 64);
    const { creditAccount, vault } = await this.addresses({ owner });
    let low = (await this.getBalance({ owner })).available < threshold;
    const check = async () => {
      const b = await this.getBalance({ owner });
      onChange?.(b);
      const nowLow = b.available < threshold;
      if (nowLow && !low) onLow(b);
      low = nowLow;
    };
    const ids = [creditAccount, vault].map((a) => this.connection.onAccountChange(a, () => check().catch(onError), { commitment: 'confirmed' }));
    return async () => {
      for (const id of ids) await this.connection.removeAccountChangeListener(id);
    };
  }
}
