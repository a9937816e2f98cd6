// The crank: keeps every open job in memory, read from the job slots of the
// CreditAccounts (a program-account subscription on the CreditAccount
// discriminator for changes, a getProgramAccounts reconcile for whatever a
// dropped websocket missed), and refunds each as soon as the cluster clock
// passes its expires_at, through the SDK's batch path (refundMany:
// refund_batch instructions, jobs of many accounts per transaction, several
// in flight, fee payers from the operator's PayerPool). A job is named by
// its credit account and job id. A job that fails is retried on the next
// tick; a job that is already gone (settled or refunded) is dropped.
import bs58 from 'bs58';
import type { PublicKey } from '@solana/web3.js';
import { decodeCreditAccount, openJobsOf } from '../accounts/index.js';
import type { BatchOptions } from '../batch/jobs.js';
import type { JobEscrowClient } from '../client.js';
import { accountDiscriminator } from '../codec.js';
import { JobEscrowErrorCode } from '../errors.js';

/** A job in flight, as the crank tracks it. */
export interface CrankJob {
  creditAccount: PublicKey;
  owner: PublicKey;
  jobId: bigint;
  expiresAt: bigint;
}

type RefundOutcome = Awaited<ReturnType<JobEscrowClient['refundMany']>>['outcomes'][number];

export interface CrankEvents {
  /** `latency`: seconds from the moment the cluster clock reached expires_at to the refund's confirmation. */
  onRefunded?: (job: CrankJob, signature: string, latency: number) => void;
  onError?: (err: unknown) => void;
  /** A due job found gone already (settled or refunded by someone else, or its account closed). */
  onGone?: (job: CrankJob, why: string) => void;
}

export class Crank {
  /** Open jobs by credit account (base58), then by job id. */
  private readonly accounts = new Map<string, Map<bigint, CrankJob>>();
  /** cluster unix time − local unix time, measured at the last clock read. */
  private clockOffset = 0;
  private subscription: number | null = null;

  constructor(
    private readonly client: JobEscrowClient,
    private readonly events: CrankEvents = {},
    /** Fee payers of the refund transactions (default the client's wallet) and the lookup tables they use. */
    private readonly send: Pick<BatchOptions, 'payers' | 'lookupTables'> = {},
  ) {}

  get openJobs(): number {
    let n = 0;
    for (const jobs of this.accounts.values()) n += jobs.size;
    return n;
  }

  /** Replaces the in-memory set with what getProgramAccounts reports, and re-reads the cluster clock. */
  async reconcile(): Promise<void> {
    const open = await this.client.openJobs();
    this.accounts.clear();
    for (const { owner, creditAccount, job } of open) this.jobsOf(creditAccount).set(job.jobId, { creditAccount, owner, jobId: job.jobId, expiresAt: job.expiresAt });
    await this.readClock();
  }

  /** Follows the CreditAccounts' job slots as jobs are locked, settled and refunded (and accounts closed); a no-op when already following. */
  subscribe(): void {
    if (this.subscription !== null) return;
    this.subscription = this.client.connection.onProgramAccountChange(
      this.client.programId,
      ({ accountId, accountInfo }) => {
        const key = accountId.toBase58();
        if (accountInfo.lamports === 0 || accountInfo.data.length === 0) {
          this.accounts.delete(key);
          return;
        }
        let credit: ReturnType<typeof decodeCreditAccount>;
        try {
          credit = decodeCreditAccount(accountInfo.data);
        } catch (err) {
          this.events.onError?.(new Error(`cannot decode the credit account ${key}: ${(err as Error)?.message ?? err}`));
          return;
        }
        const jobs = new Map<bigint, CrankJob>();
        for (const job of openJobsOf(credit)) jobs.set(job.jobId, { creditAccount: accountId, owner: credit.owner, jobId: job.jobId, expiresAt: job.expiresAt });
        if (jobs.size) this.accounts.set(key, jobs);
        else this.accounts.delete(key);
      },
      { commitment: 'confirmed', filters: [{ memcmp: { offset: 0, bytes: bs58.encode(accountDiscriminator('CreditAccount')) } }] },
    );
  }

  async unsubscribe(): Promise<void> {
    if (this.subscription !== null) await this.client.connection.removeProgramAccountChangeListener(this.subscription);
    this.subscription = null;
  }

  /** Refunds every job the cluster clock has passed; returns how many were refunded. */
  async tick(): Promise<number> {
    if (!this.due(this.localClusterTime()).length) return 0;
    const due = this.due(await this.readClock());
    if (!due.length) return 0;
    const { outcomes } = await this.client.refundMany(
      due.map((j) => ({ owner: j.owner, jobId: j.jobId })),
      this.send,
    );
    let refunded = 0;
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'done') {
        this.done(due[i], outcome.signature);
        refunded++;
      } else if (outcome.status === 'rejected') this.failed(due[i], outcome);
    });
    return refunded;
  }

  private jobsOf(creditAccount: PublicKey): Map<bigint, CrankJob> {
    const key = creditAccount.toBase58();
    let jobs = this.accounts.get(key);
    if (!jobs) this.accounts.set(key, (jobs = new Map()));
    return jobs;
  }

  private forget(j: CrankJob): void {
    const jobs = this.accounts.get(j.creditAccount.toBase58());
    // Only the job seen due: the same id locked again meanwhile (a new expires_at) stays tracked.
    if (jobs?.get(j.jobId)?.expiresAt === j.expiresAt) jobs.delete(j.jobId);
    if (jobs && !jobs.size) this.accounts.delete(j.creditAccount.toBase58());
  }

  private due(now: bigint): CrankJob[] {
    const due: CrankJob[] = [];
    for (const jobs of this.accounts.values()) for (const j of jobs.values()) if (j.expiresAt <= now) due.push(j);
    return due.sort((a, b) => (a.expiresAt < b.expiresAt ? -1 : a.expiresAt > b.expiresAt ? 1 : 0));
  }

  /** The cluster's unix time now, estimated from the last clock read (fractional seconds). */
  private clusterNow(): number {
    return Date.now() / 1000 + this.clockOffset;
  }

  private localClusterTime(): bigint {
    return BigInt(Math.floor(this.clusterNow()));
  }

  private async readClock(): Promise<bigint> {
    const now = await this.client.clusterTime();
    this.clockOffset = Number(now) - Date.now() / 1000;
    return now;
  }

  private done(j: CrankJob, signature: string): void {
    this.forget(j);
    this.events.onRefunded?.(j, signature, this.clusterNow() - Number(j.expiresAt));
  }

  /** A job that no longer exists (its slot freed by a settle or another refund, or its account closed) is dropped; anything else is retried on the next tick. */
  private failed(j: CrankJob, outcome: RefundOutcome & { status: 'rejected' }): void {
    const gone =
      outcome.code === JobEscrowErrorCode.JobNotFound ||
      outcome.code === JobEscrowErrorCode.InvalidAccountOwner ||
      outcome.code === JobEscrowErrorCode.InvalidAccountData ||
      /AccountNotFound|account.*not.*found|job.*not.*found/i.test(outcome.error);
    if (gone) {
      this.forget(j);
      this.events.onGone?.(j, outcome.error);
    } else {
      this.events.onError?.(new Error(`refund of job ${j.jobId} of ${j.creditAccount.toBase58()}: ${outcome.error}`));
    }
  }
}
