// The operator store's interface (OperatorStore), which both engines
// implement, and the records it holds; ./index.ts says which engine is
// which and opens one.
import type { HistoryEntry, HistoryKind, ReplayState } from '../../history.js';
import type { ReplayStore } from '../../x402/replayStore.js';

export interface IndexedAccount {
  creditAccount: string;
  owner: string;
  vault: string;
  /** Last signature ingested per address (getSignaturesForAddress `until`). */
  creditCursor: string | null;
  vaultCursor: string | null;
  state: ReplayState;
  /** Below the credit.low threshold at the last entry (a new account starts below: credit.low fires on a downward crossing). */
  low: boolean;
}

export interface StoredEntry {
  /** `<signature>:<position>` (eventId): unique per event. */
  id: string;
  signature: string;
  /** Transaction-wide (HistoryEntry.position). */
  position: number;
  slot: number;
  blockTime: number | null;
  owner: string;
  kind: HistoryKind;
  jobId: string | null;
  credits: bigint;
  usdc: bigint;
  availableAfter: bigint;
  lockedAfter: bigint;
}

export interface OutboxRow {
  id: string;
  type: string;
  body: string;
  attempts: number;
}

export interface RefundRecord {
  creditAccount: string;
  /** Decimal string. */
  jobId: string;
  signature: string;
  expiresAt: number;
  refundedAtMs: number;
}

/** The roles one process at a time may run; each has its own lease. */
export type LeaseRole = 'crank' | 'indexer' | 'webhooks';
export const LEASE_ROLES: readonly LeaseRole[] = ['crank', 'indexer', 'webhooks'];

/**
 * A held lease: `token` (the fencing token) grows by one each time the lease
 * changes hands, so a write fenced by a stale token is refused.
 */
export interface Lease {
  role: LeaseRole;
  holder: string;
  token: number;
  /** When it lapses unless renewed, unix ms by the store's clock. */
  expiresAtMs: number;
}

/** Thrown by a fenced write whose lease has lapsed or changed hands. */
export class LeaseLostError extends Error {
  constructor(readonly role: LeaseRole) {
    super(`the ${role} lease was lost: another process holds it now`);
    this.name = 'LeaseLostError';
  }
}

export interface OperatorStore {
  readonly engine: 'sqlite' | 'postgres';
  /** Where it is, for messages (a file path, or a Postgres URL without its password). */
  readonly where: string;
  /** The schema version found when opened (0: a new store) and the one it is at now. */
  readonly migrated: { from: number; to: number };
  close(): Promise<void>;

  /** Registers an account to index (no-op when known). */
  addAccount(a: { creditAccount: string; owner: string; vault: string; state: ReplayState }): Promise<void>;
  accounts(): Promise<IndexedAccount[]>;
  account(owner: string): Promise<IndexedAccount | null>;
  /**
   * Records one transaction of `account`: its entries, the cursors after
   * it, the replay state and low flag after it, and `webhooks`, atomically.
   * Entries already stored (same signature and transaction-wide position)
   * are skipped, and so are their webhooks (ids are stable). With `fence`,
   * the write happens only while that lease is still held with that token
   * (LeaseLostError otherwise).
   */
  recordTransaction(
    account: IndexedAccount,
    tx: { signature: string; slot: number; entries: HistoryEntry[] },
    after: { creditCursor: string | null; vaultCursor: string | null; state: ReplayState; low: boolean },
    webhooks: { id: string; type: string; body: string }[],
    fence?: Lease,
  ): Promise<void>;
  /**
   * `owner`'s entries, newest first (by slot, then by indexing order:
   * ENTRY_ORDER); with `before`, only those older than
   * that entry (its id, `<signature>:<position>`, so a page may end inside
   * a transaction and the next one goes on from there), or than every entry
   * of a transaction (a bare signature).
   */
  entries(owner: string, page?: { limit?: number; before?: string }): Promise<StoredEntry[]>;
  /** Unix seconds of `owner`'s last purchase or deposit, or null. */
  lastTopUpAt(owner: string): Promise<number | null>;
  countEntries(): Promise<number>;

  /**
   * Claims up to `limit` webhooks due at `now` (ms), oldest first, for
   * `holder` until `now + claimMs`: a row claimed by one process is not
   * handed to another until its claim lapses (a sender that died), so two
   * processes never send the same row at once.
   */
  claimWebhooks(holder: string, o: { now: number; limit?: number; claimMs: number }): Promise<OutboxRow[]>;
  /** Marks `id` delivered, whoever holds its claim now (delivered is delivered). */
  webhookDelivered(id: string, now?: number): Promise<void>;
  webhookFailed(id: string, holder: string, error: string, nextAttemptAt: number): Promise<void>;
  webhookBacklog(): Promise<number>;

  /**
   * Records the crank's refund of job `jobId` of `creditAccount` (a job id
   * may be locked again once refunded: each lock, told apart by its
   * expires_at, is recorded once).
   */
  recordRefund(r: { creditAccount: string; jobId: bigint; signature: string; expiresAt: bigint; refundedAtMs: number }): Promise<void>;
  /** The crank's refunds, oldest first. */
  refunds(): Promise<RefundRecord[]>;

  /**
   * Takes `role`'s lease for `holder`, or renews it: held until `ttlMs`
   * from now unless renewed. Null while another holder's lease is unexpired.
   * The token grows by one whenever the holder changes.
   */
  takeLease(role: LeaseRole, holder: string, ttlMs: number): Promise<Lease | null>;
  /** Gives `role`'s lease up at once if `holder` has it (a clean stop: the next holder need not wait it out). */
  releaseLease(role: LeaseRole, holder: string): Promise<void>;
  /** Who holds `role` now (null: nobody, or lapsed). */
  leaseHolder(role: LeaseRole): Promise<Lease | null>;

  /**
   * The x402 paywall's replay store on this database: `claim` prunes
   * expired keys and inserts the key atomically, true iff it was inserted,
   * so every process on the store (API replicas, a restarted one) sees one
   * set of claims. `now`: the clock expiry is judged by (default Date.now).
   */
  replayStore(o?: { now?: () => number }): ReplayStore;
}

