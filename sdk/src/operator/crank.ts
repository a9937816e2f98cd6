// The crank: keeps every open Job in memory (a program-account subscription
// for changes, a getProgramAccounts reconcile for whatever a dropped
// websocket missed) and refunds each as soon as the cluster clock passes its
// expires_at, in transactions of up to 8. Failures are retried on the next
// tick; a job that is already gone is dropped.
import bs58 from 'bs58';
import type { PublicKey } from '@solana/web3.js';
import { decodeJob } from '../accounts/index.js';
import { BATCH_REFUNDS, type JobEscrowClient } from '../client.js';
import { accountDiscriminator } from '../codec.js';
import { COMPUTE_UNITS } from '../constants.js';
import { JobEscrowErrorCode, isJobEscrowError } from '../errors.js';
import { getRefundInstruction } from '../instructions/index.js';

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
}

export class Crank {
  private readonly jobs = new Map<string, OpenJob>();
  /** cluster unix time − local unix time, measured at the last clock read. */
  private clockOffset = 0;
  private subscription: number | null = null;

  constructor(
    private readonly client: JobEscrowClient,
    private readonly events: CrankEvents = {},
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
    const now = await this.readClock();
    const due = this.due(now);
    let refunded = 0;
    for (let i = 0; i < due.length; i += BATCH_REFUNDS) refunded += await this.refund(due.slice(i, i + BATCH_REFUNDS));
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

  /** One transaction for the batch; when it fails, each job alone, so one bad job does not hold the others. */
  private async refund(batch: OpenJob[]): Promise<number> {
    try {
      const signature = await this.send(batch);
      for (const j of batch) this.done(j, signature);
      return batch.length;
    } catch (err) {
      if (batch.length === 1) return this.failed(batch[0], err);
      let refunded = 0;
      for (const j of batch) {
        try {
          this.done(j, await this.send([j]));
          refunded++;
        } catch (e) {
          this.failed(j, e);
        }
      }
      return refunded;
    }
  }

  private send(batch: OpenJob[]): Promise<string> {
    const ixs = batch.map((j) =>
      getRefundInstruction({ authority: this.client.wallet, creditAccount: j.creditAccount, job: j.address, rentPayer: j.rentPayer }, { programId: this.client.programId }),
    );
    return this.client.send(ixs, COMPUTE_UNITS.refund * batch.length);
  }

  private done(j: OpenJob, signature: string): void {
    this.jobs.delete(j.address.toBase58());
    this.events.onRefunded?.(j.address, j.expiresAt, signature, this.clusterNow() - Number(j.expiresAt));
  }

  /** A job that no longer exists (refunded or settled by someone else) is dropped; anything else is retried on the next tick. */
  private failed(j: OpenJob, err: unknown): number {
    if (isJobEscrowError(err, JobEscrowErrorCode.InvalidAccountOwner) || isJobEscrowError(err, JobEscrowErrorCode.InvalidAccountData) || /AccountNotFound|account.*not.*found/i.test(String(err))) {
      this.jobs.delete(j.address.toBase58());
    } else {
      this.events.onError?.(err);
    }
    return 0;
  }
}
