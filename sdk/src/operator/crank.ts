// The crank: keeps every open Job in memory (a program-account subscription
// for changes, a getProgramAccounts reconcile for whatever a dropped
// websocket missed) and refunds each as soon as the cluster clock passes its
// expires_at, through the SDK's batch path (refundJobs: packed transactions,
// several in flight, fee payers from the operator's PayerPool). A job that
// fails is retried on the next tick; a job that is already gone is dropped.
import bs58 from 'bs58';
import type { PublicKey } from '@solana/web3.js';
import { decodeJob } from '../accounts/index.js';
import { refundJobs, type JobOutcome } from '../batch/jobs.js';
import type { PayerPool } from '../batch/payerPool.js';
import type { JobEscrowClient } from '../client.js';
import { accountDiscriminator } from '../codec.js';
import { JobEscrowErrorCode } from '../errors.js';

interface OpenJob {
  address: PublicKey;
  creditAccount: PublicKey;
  rentPayer: PublicKey;
  expiresAt: bigint;
}

export interface CrankEvents {
  /** `latency`: seconds from the moment the cluster clock reached expires_at to the refund's confirmation. */
  onRefunded?: (job: PublicKey, expiresAt: bigint, signature: string, latency: number) => void;
  onError?: (err: unknown) => void;
  /** A due job found closed already (settled or refunded by someone else). */
  onGone?: (job: PublicKey, why: string) => void;
}

export class Crank {
  private readonly jobs = new Map<string, OpenJob>();
  /** cluster unix time − local unix time, measured at the last clock read. */
  private clockOffset = 0;
  private subscription: number | null = null;

  constructor(
    private readonly client: JobEscrowClient,
    private readonly events: CrankEvents = {},
    /** Fee payers of the refund transactions (default the client's wallet). */
    private readonly payers?: PayerPool,
  ) {}

  get openJobs(): number {
    return this.jobs.size;
  }

  /** Replaces the in-memory set with what getProgramAccounts reports, and re-reads the cluster clock. */
  async reconcile(): Promise<void> {
    const open = await this.client.openJobs();
    this.jobs.clear();
    for (const { address, job } of open) this.track(address, job);
    await this.readClock();
  }

  /** Follows Job accounts as they are created and closed. */
  subscribe(): void {
    this.subscription = this.client.connection.onProgramAccountChange(
      this.client.programId,
      ({ accountId, accountInfo }) => {
        if (accountInfo.lamports === 0 || accountInfo.data.length === 0) this.jobs.delete(accountId.toBase58());
        else this.track(accountId, decodeJob(accountInfo.data));
      },
      { commitment: 'confirmed', filters: [{ memcmp: { offset: 0, bytes: bs58.encode(accountDiscriminator('Job')) } }] },
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
    const { outcomes } = await refundJobs(
      this.client,
      due.map((j) => ({ job: j.address, creditAccount: j.creditAccount, rentPayer: j.rentPayer })),
      { payers: this.payers },
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

  private track(address: PublicKey, job: { creditAccount: PublicKey; rentPayer: PublicKey; expiresAt: bigint }): void {
    this.jobs.set(address.toBase58(), { address, creditAccount: job.creditAccount, rentPayer: job.rentPayer, expiresAt: job.expiresAt });
  }

  private due(now: bigint): OpenJob[] {
    return [...this.jobs.values()].filter((j) => j.expiresAt <= now).sort((a, b) => (a.expiresAt < b.expiresAt ? -1 : 1));
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

  private done(j: OpenJob, signature: string): void {
    this.jobs.delete(j.address.toBase58());
    this.events.onRefunded?.(j.address, j.expiresAt, signature, this.clusterNow() - Number(j.expiresAt));
  }

  /** A job that no longer exists (refunded or settled by someone else: its account is closed) is dropped; anything else is retried on the next tick. */
  private failed(j: OpenJob, outcome: JobOutcome & { status: 'rejected' }): void {
    if (outcome.code === JobEscrowErrorCode.InvalidAccountOwner || outcome.code === JobEscrowErrorCode.InvalidAccountData || /AccountNotFound|account.*not.*found/i.test(outcome.error)) {
      this.jobs.delete(j.address.toBase58());
      this.events.onGone?.(j.address, outcome.error);
    } else {
      this.events.onError?.(new Error(`refund of ${j.address.toBase58()}: ${outcome.error}`));
    }
  }
}
