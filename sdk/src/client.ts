import type { Provider } from '@coral-xyz/anchor';
import { getAssociatedTokenAddressSync } from '@solana/spl-token';
import {
  ComputeBudgetProgram,
  PublicKey,
  Transaction,
  TransactionExpiredBlockheightExceededError,
  type GetProgramAccountsFilter,
  type TransactionInstruction,
} from '@solana/web3.js';
import { summarizeBalance, tokenAccountAmount, type BalanceSummary } from './core/balances.js';
import { decodeCreditAccount, findOpenJob, openJobsOf, readAccountInfo, readAccountInfos, fetchCreditAccount, fetchMaybeCreditAccount, type Config, type CreditAccount, type OpenJob } from './accounts/index.js';
import { COMPUTE_UNITS, JOB_ESCROW_PROGRAM_ID, type Tier } from './constants.js';
import { AccountNotFoundError, InsufficientFundsError, JobEscrowError, JobEscrowErrorCode, errorCodeFromLogs, isJobEscrowError, logsOf, translateError } from './errors.js';
import { toUnsigned, type Amount } from './idl.js';
import { accountDiscriminator } from './codec.js';
import bs58 from 'bs58';
import { fetchHistory, fetchLastTopUpAt, signaturesOf, type HistoryEntry } from './history.js';
import { parseEvents } from './events.js';
import {
  WITHDRAW_ALL,
  getAcceptAdminInstruction,
  getNominateAdminInstruction,
  getUpdateConfigInstruction,
  type UpdateConfigArgs,
  getCloseCreditAccountInstruction,
  getCollectFeesInstruction,
  getAddJobSlotsInstruction,
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
import { findCreditAccountPda, findVaultAddress } from './pdas.js';
import { EscrowContext } from './context.js';
import { quote } from './core/pricing.js';
import { lockMany, refundJobs, refundMany, settleMany, type BatchOptions, type BatchResult, type JobOutcome, type LockRequest, type RefundRequest, type SettleRequest } from './batch/jobs.js';

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

/**
 * The high-level client. Built from any Anchor `Provider` (AnchorProvider
 * over RPC, anchor-bankrun's BankrunProvider, the SDK's LiteSVMProvider);
 * the provider's wallet signs: the owner for purchase/withdraw/…, the
 * operator for lock/settle/refund.
 */
export class JobEscrowClient {
  /** The provider, program id, cached Config and clock this facade delegates to (what the batch path takes). */
  readonly context: EscrowContext;

  constructor(
    readonly provider: Provider,
    private readonly options: JobEscrowClientOptions = {},
  ) {
    this.context = new EscrowContext(provider, options.programId ?? JOB_ESCROW_PROGRAM_ID);
  }

  get programId(): PublicKey {
    return this.context.programId;
  }

  get connection() {
    return this.context.connection;
  }

  /** The provider's wallet. */
  get wallet(): PublicKey {
    return this.context.wallet;
  }

  /**
   * The Config, cached: `refresh` re-reads it, `maxAgeMs` re-reads it once
   * the cached copy is older (a long-running server follows update_config).
   * @throws AccountNotFoundError when not initialized.
   */
  config(options: { refresh?: boolean; maxAgeMs?: number } = {}): Promise<Config> {
    return this.context.config(options);
  }

  /** CreditAccount PDA and vault of `owner` (default: the wallet). */
  async addresses({ owner = this.wallet }: OwnerParam = {}): Promise<{ creditAccount: PublicKey; vault: PublicKey }> {
    const [creditAccount] = findCreditAccountPda(owner, { programId: this.programId });
    const { mint, tokenProgram } = await this.config();
    return { creditAccount, vault: findVaultAddress(creditAccount, mint, { tokenProgram }) };
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
        throw translateError(err, this.programId);
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
    const { mint, tokenProgram } = await this.config();
    const opened = !(await this.creditAccount({ owner }));
    const ixs = opened ? this.openInstructions({ owner, payer: owner, mint, tokenProgram, limits }) : [];
    ixs.push(
      getPurchaseInstruction({ owner, mint, tokenProgram, source: source ?? getAssociatedTokenAddressSync(mint, owner, false, tokenProgram) }, { credits }, { programId: this.programId }),
    );
    const units = COMPUTE_UNITS.purchase + (opened ? COMPUTE_UNITS.open_credit_account + (limits ? COMPUTE_UNITS.set_spending_limit : 0) : 0);
    return { ixs, units, opened };
  }

  /** open_credit_account, then set_spending_limit when `limits` are given (the owner must sign then). */
  private openInstructions({ owner, payer, mint, tokenProgram, limits, jobSlots }: { owner: PublicKey; payer: PublicKey; mint: PublicKey; tokenProgram: PublicKey; limits?: SpendingLimits; jobSlots?: number }): TransactionInstruction[] {
    const ixs = [getOpenCreditAccountInstruction({ payer, owner, mint, tokenProgram }, { jobSlots }, { programId: this.programId })];
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

  /** The token program's InsufficientFunds (custom error 1) as "not enough USDC" with the numbers; anything else unchanged. */
  private async explainTokenShortfall(err: unknown, { owner, credits, source }: { owner: PublicKey; credits: Amount; source?: PublicKey }): Promise<unknown> {
    if (err instanceof JobEscrowError) return err;
    const { mint, pricePerCredit, tokenProgram } = await this.config();
    if (errorCodeFromLogs(logsOf(err), tokenProgram) !== 1) return err;
    const from = source ?? getAssociatedTokenAddressSync(mint, owner, false, tokenProgram);
    const info = await readAccountInfo(this.connection, from);
    return new InsufficientFundsError(from, info ? tokenAccountAmount(info.data) : 0n, toUnsigned(credits, 'credits', 64) * pricePerCredit);
  }

  /**
   * Opens `owner`'s credit account (default: the wallet's; the wallet pays).
   * With `limits`, the spending limits are set in the same transaction,
   * which the owner must sign: so only for the wallet's own account.
   * `jobSlots`: jobs the account can hold in flight at once (default
   * DEFAULT_JOB_SLOTS, at most MAX_JOB_SLOTS; more later with addJobSlots).
   */
  async openCreditAccount({ owner = this.wallet, limits, jobSlots }: OwnerParam & { limits?: SpendingLimits; jobSlots?: number } = {}): Promise<Sent> {
    if (limits && !owner.equals(this.wallet)) throw new Error('spending limits can be set at opening only by the owner: open, then let the owner call setSpendingLimit');
    const { mint, tokenProgram } = await this.config();
    const units = COMPUTE_UNITS.open_credit_account + (limits ? COMPUTE_UNITS.set_spending_limit : 0);
    const signature = await this.send(this.openInstructions({ owner, payer: this.wallet, mint, tokenProgram, limits, jobSlots }), units);
    return { signature, ...(await this.addresses({ owner })) };
  }

  /**
   * Adds `count` job slots to the wallet's credit account (at most
   * MAX_JOB_SLOTS in all); the wallet pays the extra rent, returned at close.
   * @throws JobEscrowError TooManyJobSlots past the maximum, ZeroAmount for 0.
   */
  async addJobSlots({ count }: { count: number }): Promise<Sent> {
    const ix = getAddJobSlotsInstruction({ owner: this.wallet }, { count }, { programId: this.programId });
    return { signature: await this.send([ix], COMPUTE_UNITS.add_job_slots), ...(await this.addresses()) };
  }

  /**
   * Locks a job for `owner` (default: the wallet; the wallet is the operator
   * or the owner, signs alone and pays the fee) in a free job slot.
   * Idempotent: if this job id is already in flight with the same tier and
   * token limit it returns it with `alreadyLocked` and the signature of the
   * lock that created it when the account's recent history shows it
   * (undefined otherwise); with other parameters it throws JobAlreadyLocked.
   * @throws AccountNotFoundError when `owner` has no credit account.
   * @throws JobEscrowError JobAlreadyLocked (other parameters), NoFreeJobSlot, InsufficientCredits, …
   */
  async lock({ owner = this.wallet, jobId, tier, maxOutputTokens }: OwnerParam & { jobId: Amount; tier: Tier | number; maxOutputTokens: number }): Promise<
    Omit<Sent, 'signature'> & { signature: string | undefined; credits: bigint; alreadyLocked: boolean }
  > {
    const { mint, tokenProgram } = await this.config();
    const { creditAccount, vault } = await this.addresses({ owner });
    const inFlight = async (before: unknown) => {
      const account = await this.creditAccount({ owner });
      if (!account) throw new AccountNotFoundError('CreditAccount', creditAccount, `the credit account of ${owner.toBase58()} is not opened`);
      const open = findOpenJob(account, jobId);
      if (!open) return null;
      if (open.tier !== Number(tier) || open.maxOutputTokens !== maxOutputTokens) throw before ?? new JobEscrowError(JobEscrowErrorCode.JobAlreadyLocked);
      return { signature: await this.lockSignature(creditAccount, open), creditAccount, vault, credits: open.creditsLocked, alreadyLocked: true };
    };
    const existing = await inFlight(undefined);
    if (existing) return existing;
    const ix = getLockInstruction({ authority: this.wallet, creditAccount, mint, tokenProgram }, { jobId, tier, maxOutputTokens }, { programId: this.programId });
    let signature: string;
    try {
      signature = await this.send([ix], COMPUTE_UNITS.lock);
    } catch (err) {
      // Locked meanwhile (a retry of the same request): the same answer as above.
      if (isJobEscrowError(err, JobEscrowErrorCode.JobAlreadyLocked)) {
        const raced = await inFlight(err);
        if (raced) return raced;
      }
      throw err;
    }
    const locked = (await this.job({ owner, jobId }))?.creditsLocked ?? 0n;
    return { signature, creditAccount, vault, credits: locked, alreadyLocked: false };
  }

  /** The signature of the transaction that locked `job` in `creditAccount`, searched among the account's signatures around its lockedAt. */
  private async lockSignature(creditAccount: PublicKey, job: OpenJob): Promise<string | undefined> {
    try {
      const candidates = (await signaturesOf(this.connection, creditAccount, { limit: 1000 }))
        .reverse()
        .filter((s) => !('blockTime' in s) || s.blockTime == null || Math.abs(Number(s.blockTime) - Number(job.lockedAt)) <= 60)
        .slice(0, 20);
      for (const { signature } of candidates) {
        const tx = await this.connection.getTransaction(signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
        const found = parseEvents(tx?.meta?.logMessages ?? [], { programId: this.programId }).some(
          (e) => e.name === 'JobLocked' && (e.data.creditAccount as PublicKey).equals(creditAccount) && e.data.jobId === job.jobId,
        );
        if (found) return signature;
      }
    } catch {
      // The history is a convenience here: a provider without it answers undefined.
    }
    return undefined;
  }

  /**
   * Settles `owner`'s job `jobId` (the wallet is the operator): charges it,
   * pays the worker and frees its slot.
   * @throws JobEscrowError JobNotFound when the job is not in flight.
   */
  async settle({ owner = this.wallet, jobId, outputTokens, providerShareBps, providerTokenAccount }: OwnerParam & {
    jobId: Amount;
    outputTokens: number;
    providerShareBps?: number;
    /** The worker's USDC token account (owned by a wallet). */
    providerTokenAccount: PublicKey;
  }): Promise<Sent> {
    const config = await this.config();
    const { creditAccount, vault } = await this.addresses({ owner });
    const ix = getSettleInstruction(
      { operator: this.wallet, creditAccount, mint: config.mint, tokenProgram: config.tokenProgram, providerTokenAccount },
      { jobId, outputTokens, providerShareBps: providerShareBps ?? config.providerShareBpsMin },
      { programId: this.programId },
    );
    return { signature: await this.send([ix], COMPUTE_UNITS.settle), creditAccount, vault };
  }

  /**
   * Locks many jobs: packed into as few transactions as fit, several in
   * flight at once, one outcome per job (`done`, `already-locked` with the
   * same parameters, or `rejected` with the program's code; a rejected job
   * never fails the others). See sdk/src/batch.
   */
  lockMany(requests: LockRequest[], options?: BatchOptions): Promise<BatchResult> {
    return lockMany(this.context, requests, options);
  }

  /** Settles many jobs (see lockMany). */
  settleMany(requests: SettleRequest[], options?: BatchOptions): Promise<BatchResult> {
    return settleMany(this.context, requests, options);
  }

  /** Refunds many jobs (see lockMany). */
  refundMany(requests: RefundRequest[], options?: BatchOptions): Promise<BatchResult> {
    return refundMany(this.context, requests, options);
  }

  /**
   * Refunds `owner`'s job `jobId` (the operator at any time; anyone after expiry).
   * @throws JobEscrowError JobNotFound when the job is not in flight.
   */
  async refund({ owner = this.wallet, jobId }: OwnerParam & { jobId: Amount }): Promise<Sent> {
    const { creditAccount, vault } = await this.addresses({ owner });
    const ix = getRefundInstruction({ authority: this.wallet, creditAccount }, { jobId }, { programId: this.programId });
    return { signature: await this.send([ix], COMPUTE_UNITS.refund), creditAccount, vault };
  }

  /** `owner`'s job `jobId` while it is in flight (locked, not yet settled or refunded), else null. */
  async job({ owner = this.wallet, jobId }: OwnerParam & { jobId: Amount }): Promise<OpenJob | null> {
    const account = await this.creditAccount({ owner });
    return (account && findOpenJob(account, jobId)) ?? null;
  }

  /** Jobs in flight of `owner`, or of everyone when `owner` is not given, read with getProgramAccounts over the credit accounts. */
  async openJobs({ owner }: { owner?: PublicKey } = {}): Promise<{ owner: PublicKey; creditAccount: PublicKey; job: OpenJob }[]> {
    const filters: GetProgramAccountsFilter[] = [{ memcmp: { offset: 0, bytes: bs58.encode(accountDiscriminator('CreditAccount')) } }];
    if (owner) filters.push({ memcmp: { offset: 8, bytes: owner.toBase58() } });
    const found = await this.connection.getProgramAccounts(this.programId, { filters });
    return found.flatMap(({ pubkey, account }) => {
      const credit = decodeCreditAccount(account.data);
      return openJobsOf(credit).map((job) => ({ owner: credit.owner, creditAccount: pubkey, job }));
    });
  }

  /**
   * Finds every expired job (of `owner`, or of everyone) and refunds them
   * with refund_batch, as many per transaction as fit. Anyone may crank
   * this: the wallet's keypair signs (or `authority`), or the keys of
   * `payers`, each paying for its own transactions.
   */
  async refundExpired({ owner, onProgress, ...batch }: { owner?: PublicKey; onProgress?: (done: number, total: number) => void } & Omit<BatchOptions, 'onProgress'> = {}): Promise<{
    signatures: string[];
    jobs: { creditAccount: PublicKey; jobId: bigint }[];
    outcomes: JobOutcome[];
  }> {
    const now = await this.clusterTime();
    const expired = (await this.openJobs({ owner })).filter(({ job }) => job.expiresAt <= now);
    const { outcomes } = await refundJobs(
      this.context,
      expired.map(({ creditAccount, job }) => ({ creditAccount, jobId: job.jobId, expiresAt: job.expiresAt })),
      { ...batch, onProgress },
    );
    const signatures = [...new Set(outcomes.flatMap((r) => (r.status === 'done' ? [r.signature] : [])))];
    return { signatures, jobs: expired.map(({ creditAccount, job }) => ({ creditAccount, jobId: job.jobId })), outcomes };
  }

  /** The cluster's unix time, from the Clock sysvar account. */
  clusterTime(): Promise<bigint> {
    return this.context.clusterTime();
  }

  /** Withdraws `credits` (WITHDRAW_ALL: everything withdrawable) to `destination` (default: the wallet's USDC ATA). */
  async withdraw({ credits, destination }: { credits: Amount; destination?: PublicKey }): Promise<Sent> {
    const owner = this.wallet;
    const { mint, tokenProgram } = await this.config();
    const ix = getWithdrawInstruction(
      { owner, mint, tokenProgram, destination: destination ?? getAssociatedTokenAddressSync(mint, owner, false, tokenProgram) },
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
    const { mint, treasury, tokenProgram } = await this.config();
    const { creditAccount, vault } = await this.addresses({ owner });
    const ix = getCollectFeesInstruction({ creditAccount, mint, tokenProgram, treasury }, { programId: this.programId });
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
    const { mint, treasury, tokenProgram } = await this.config();
    const { creditAccount } = await this.addresses();
    const account = await fetchCreditAccount(this.connection, this.wallet, { programId: this.programId });
    const ixs: TransactionInstruction[] = [];
    let units = COMPUTE_UNITS.close_credit_account;
    if (account.promoCredits > 0n) {
      ixs.push(getExpirePromoInstruction({ authority: this.wallet, creditAccount, mint, tokenProgram, treasury }, { programId: this.programId }));
      units += COMPUTE_UNITS.expire_promo;
    }
    ixs.push(getCloseCreditAccountInstruction({ owner: this.wallet, mint, tokenProgram, rentPayer: account.rentPayer }, { programId: this.programId }));
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
    const { mint, tokenProgram } = await this.config();
    const { creditAccount, vault } = await this.addresses({ owner });
    const at = expiresIn !== undefined ? (await this.clusterTime()) + BigInt(toUnsigned(expiresIn, 'expiresIn', 32)) : BigInt(expiresAt?.toString() ?? 0);
    const ix = getGrantCreditsInstruction(
      { operator: this.wallet, creditAccount, mint, tokenProgram, source: source ?? getAssociatedTokenAddressSync(mint, this.wallet, false, tokenProgram) },
      { credits, expiresAt: at },
      { programId: this.programId },
    );
    return { signature: await this.send([ix], COMPUTE_UNITS.grant_credits), creditAccount, vault, expiresAt: at };
  }

  /** Returns `owner`'s unspent promotional credits to the treasury: the owner at any time, anyone once they expired. */
  async expirePromo({ owner = this.wallet }: OwnerParam = {}): Promise<Sent> {
    const { mint, treasury, tokenProgram } = await this.config();
    const { creditAccount, vault } = await this.addresses({ owner });
    const ix = getExpirePromoInstruction({ authority: this.wallet, creditAccount, mint, tokenProgram, treasury }, { programId: this.programId });
    return { signature: await this.send([ix], COMPUTE_UNITS.expire_promo), creditAccount, vault };
  }

  /**
   * Balance of `owner`'s credits (default: the wallet's): one RPC call
   * (getMultipleAccountsInfo of the credit account and the vault; the config
   * is cached, read once per client). `withLastTopUp` adds `lastTopUpAt`
   * (fetchLastTopUpAt): two more round trips, the vault's newest
   * signatures and their transactions in one batched request.
   * @throws AccountNotFoundError when `owner` has no credit account.
   */
  async getBalance({ owner = this.wallet, withLastTopUp = false }: OwnerParam & { withLastTopUp?: boolean } = {}): Promise<Balance> {
    const config = await this.config();
    const { creditAccount, vault } = await this.addresses({ owner });
    const [creditInfo, vaultInfo] = await readAccountInfos(this.connection, [creditAccount, vault]);
    const credit = creditInfo && creditInfo.owner.equals(this.programId) ? decodeCreditAccount(creditInfo.data) : null;
    if (!credit || !vaultInfo) throw new AccountNotFoundError('CreditAccount', creditAccount, `the credit account of ${owner.toBase58()} is not opened`);
    let lastTopUpAt: number | null = null;
    if (withLastTopUp) lastTopUpAt = await fetchLastTopUpAt(this.connection, owner, { mint: config.mint, tokenProgram: config.tokenProgram, programId: this.programId, pricePerCredit: config.pricePerCredit });
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
    return fetchHistory(this.connection, owner, { mint: config.mint, tokenProgram: config.tokenProgram, programId: this.programId, pricePerCredit: config.pricePerCredit });
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
