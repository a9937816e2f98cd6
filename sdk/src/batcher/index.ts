// JobBatcher: coalesces the lock (and, separately, the settle) requests of
// concurrent callers, such as the x402 paywall's requests of many wallets,
// into the SDK's batched path (lockMany / settleMany: lock_batch and
// settle_batch, many jobs of many credit accounts per transaction). A
// request waits at most `maxWaitMs` for others to join it (or less, once
// `maxJobs` are waiting), and each caller gets its own job's outcome, never
// another's: a job the program rejects is retried alone when it failed with
// others, so one wallet's bad job never fails another wallet's request.
import type { JobEscrowClient } from '../client.js';

type LockMany = JobEscrowClient['lockMany'];
type SettleMany = JobEscrowClient['settleMany'];
/** One lock request of lockMany: `{ owner, jobId, tier, maxOutputTokens }`. */
export type BatchedLock = Parameters<LockMany>[0][number];
/** One settle request of settleMany: `{ owner, jobId, outputTokens, providerShareBps?, providerTokenAccount }`. */
export type BatchedSettle = Parameters<SettleMany>[0][number];
/** What lockMany / settleMany report per job: `done`, `already-locked` or `rejected` (with the program's code when it gave one). */
export type BatchedOutcome = Awaited<ReturnType<LockMany>>['outcomes'][number];
/** lockMany / settleMany options (authority, payers, lookup tables, maxInFlight). */
export type BatcherSendOptions = NonNullable<Parameters<LockMany>[1]>;

/**
 * Default bounded wait: long enough for the requests of a burst (each
 * verified and priced on its own first) to share a transaction, short next
 * to a confirmation. Measured (bench/jobs.ts, 50 concurrent x402 requests):
 * 20 ms left 21 transactions, 100 ms 4.
 */
export const DEFAULT_BATCH_WAIT_MS = 100;
/** Default jobs per flush: about what one lock_batch / settle_batch transaction holds across distinct wallets (spec section 8). */
export const DEFAULT_BATCH_MAX_JOBS = 28;

export interface JobBatcherOptions {
  client: JobEscrowClient;
  /** How long the first waiting request waits for others (default 100 ms; 0: every request is sent at once, alone). */
  maxWaitMs?: number;
  /** Requests per flush at most: a full queue is sent at once (default 28). */
  maxJobs?: number;
  /** Passed to lockMany / settleMany (authority, payers, lookupTables, maxInFlight). */
  send?: BatcherSendOptions;
}

interface Waiting<R> {
  request: R;
  resolve(outcome: BatchedOutcome): void;
  reject(err: unknown): void;
}

/** One queue: requests wait for a flush, each flush is one lockMany or settleMany call. */
class Queue<R> {
  private waiting: Waiting<R>[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly sendMany: (requests: R[]) => Promise<BatchedOutcome[]>,
    private readonly maxWaitMs: number,
    private readonly maxJobs: number,
  ) {}

  add(request: R): Promise<BatchedOutcome> {
    return new Promise<BatchedOutcome>((resolve, reject) => {
      this.waiting.push({ request, resolve, reject });
      if (this.maxWaitMs <= 0 || this.waiting.length >= this.maxJobs) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
    });
  }

  /** Sends whatever waits now; resolves when every flush started so far has answered. */
  async drain(): Promise<void> {
    this.flush();
    await Promise.all([...this.inFlight]);
  }

  get pending(): number {
    return this.waiting.length;
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.waiting.length) {
      const group = this.waiting.splice(0, this.maxJobs);
      const run = this.send(group).finally(() => this.inFlight.delete(run));
      this.inFlight.add(run);
    }
  }

  private async send(group: Waiting<R>[]): Promise<void> {
    let outcomes: BatchedOutcome[];
    try {
      outcomes = await this.sendMany(group.map((w) => w.request));
    } catch (err) {
      // Nothing was learned about any job (an RPC failure, no signer…): every caller gets the error.
      for (const w of group) w.reject(err);
      return;
    }
    // One bad job rejects its whole instruction: jobs rejected together (two or more) may have been rejected
    // for another's fault, so each is tried once more on its own, and only that answer is final.
    const rejected = outcomes.flatMap((o, i) => (o?.status === 'rejected' ? [i] : []));
    if (group.length > 1 && rejected.length > 1) {
      await Promise.all(
        rejected.map(async (i) => {
          try {
            const [alone] = await this.sendMany([group[i].request]);
            if (alone) outcomes[i] = alone;
          } catch {
            // Keep the first answer: it is the job's outcome as far as anyone knows.
          }
        }),
      );
    }
    group.forEach((w, i) => {
      const outcome = outcomes[i];
      if (outcome) w.resolve(outcome);
      else w.reject(new Error('the batch returned no outcome for this job'));
    });
  }
}

/**
 * Locks and settles jobs of many callers through lockMany / settleMany,
 * each caller awaiting only its own outcome. Share one per operator wallet
 * (the paywall and the operator service take one), so concurrent requests
 * of every wallet fill the same transactions.
 */
export class JobBatcher {
  readonly maxWaitMs: number;
  readonly maxJobs: number;
  private readonly locks: Queue<BatchedLock>;
  private readonly settles: Queue<BatchedSettle>;

  constructor(o: JobBatcherOptions) {
    this.maxWaitMs = o.maxWaitMs ?? DEFAULT_BATCH_WAIT_MS;
    this.maxJobs = o.maxJobs ?? DEFAULT_BATCH_MAX_JOBS;
    if (!Number.isFinite(this.maxWaitMs) || this.maxWaitMs < 0) throw new RangeError(`maxWaitMs must be a number of milliseconds ≥ 0, got ${o.maxWaitMs}`);
    if (!Number.isInteger(this.maxJobs) || this.maxJobs < 1) throw new RangeError(`maxJobs must be a whole number ≥ 1, got ${o.maxJobs}`);
    const { client, send } = o;
    this.locks = new Queue((r) => client.lockMany(r, send).then((b) => b.outcomes), this.maxWaitMs, this.maxJobs);
    this.settles = new Queue((r) => client.settleMany(r, send).then((b) => b.outcomes), this.maxWaitMs, this.maxJobs);
  }

  /**
   * Locks one job in the next lock batch.
   * @returns its outcome: `done` (with the signature), `already-locked` (the id is in flight in that account) or `rejected` (with the program's `code` when it gave one).
   * @throws whatever lockMany threw (nothing is known about the job then: an RPC failure, for one).
   */
  lock(request: BatchedLock): Promise<BatchedOutcome> {
    return this.locks.add(request);
  }

  /** Settles one job in the next settle batch (see lock). */
  settle(request: BatchedSettle): Promise<BatchedOutcome> {
    return this.settles.add(request);
  }

  /** Requests waiting for their flush. */
  get pending(): { locks: number; settles: number } {
    return { locks: this.locks.pending, settles: this.settles.pending };
  }

  /** Sends whatever waits and resolves once every batch sent so far has answered (call before shutting down). */
  async flush(): Promise<void> {
    await Promise.all([this.locks.drain(), this.settles.drain()]);
  }
}
