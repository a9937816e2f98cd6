// The operator's embedded SQLite database (better-sqlite3): the account
// index, its cursors, and the webhook outbox. Every transaction's entries,
// the account's cursor and replay state, and the webhooks they cause are
// written in one SQLite transaction, so a crash leaves either all of them or
// none, and a restart resumes at the cursor with no gap and no duplicate.
// It also holds the x402 paywall's replay store (`replayStore()`), which
// several processes may share on one file.
import Database from 'better-sqlite3';
import { eventId, type HistoryEntry, type HistoryKind, type ReplayState } from '../history.js';
import type { ReplayStore } from '../x402/replayStore.js';

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

/**
 * The schema version this code writes (SQLite `user_version`). A file of
 * another version is refused with a message: numbered migrations come with
 * the multi-process store. 2: refunds are keyed by credit account and job id
 * (job slots replaced the Job accounts whose address keyed them in 1).
 */
export const SCHEMA_VERSION = 2;

const SCHEMA = `
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
CREATE TABLE IF NOT EXISTS accounts (
  credit_account TEXT PRIMARY KEY,
  owner TEXT NOT NULL UNIQUE,
  vault TEXT NOT NULL,
  credit_cursor TEXT,
  vault_cursor TEXT,
  state TEXT NOT NULL,
  low INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS entries (
  signature TEXT NOT NULL,
  position INTEGER NOT NULL,
  slot INTEGER NOT NULL,
  block_time INTEGER,
  owner TEXT NOT NULL,
  kind TEXT NOT NULL,
  job_id TEXT,
  credits TEXT NOT NULL,
  usdc TEXT NOT NULL,
  available_after TEXT NOT NULL,
  locked_after TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (signature, position)
);
CREATE INDEX IF NOT EXISTS entries_by_owner ON entries (owner, seq);
CREATE TABLE IF NOT EXISTS outbox (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  delivered_at INTEGER,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (delivered_at, next_attempt_at);
CREATE TABLE IF NOT EXISTS refunds (
  credit_account TEXT NOT NULL,
  job_id TEXT NOT NULL,
  signature TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  refunded_at_ms INTEGER NOT NULL,
  PRIMARY KEY (credit_account, job_id, expires_at)
);
CREATE TABLE IF NOT EXISTS replay (
  key TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS replay_by_expiry ON replay (expires_at);
`;

/** How long a statement waits for another process's write lock before failing (SQLite busy_timeout). */
const BUSY_TIMEOUT_MS = 5_000;

const stateToText = (s: ReplayState) =>
  JSON.stringify({ vaultAmount: String(s.vaultAmount), fees: String(s.fees), locked: String(s.locked), jobLocks: [...s.jobLocks].map(([k, v]) => [String(k), String(v)]) });
const stateFromText = (t: string): ReplayState => {
  const o = JSON.parse(t) as { vaultAmount: string; fees: string; locked: string; jobLocks: [string, string][] };
  return { vaultAmount: BigInt(o.vaultAmount), fees: BigInt(o.fees), locked: BigInt(o.locked), jobLocks: new Map(o.jobLocks.map(([k, v]) => [BigInt(k), BigInt(v)])) };
};

type AccountRow = { credit_account: string; owner: string; vault: string; credit_cursor: string | null; vault_cursor: string | null; state: string; low: number };
type EntryRow = {
  signature: string;
  position: number;
  slot: number;
  block_time: number | null;
  owner: string;
  kind: string;
  job_id: string | null;
  credits: string;
  usdc: string;
  available_after: string;
  locked_after: string;
};

const toAccount = (r: AccountRow): IndexedAccount => ({
  creditAccount: r.credit_account,
  owner: r.owner,
  vault: r.vault,
  creditCursor: r.credit_cursor,
  vaultCursor: r.vault_cursor,
  state: stateFromText(r.state),
  low: r.low === 1,
});
const toEntry = (r: EntryRow): StoredEntry => ({
  id: eventId(r.signature, r.position),
  signature: r.signature,
  position: r.position,
  slot: r.slot,
  blockTime: r.block_time,
  owner: r.owner,
  kind: r.kind as HistoryKind,
  jobId: r.job_id,
  credits: BigInt(r.credits),
  usdc: BigInt(r.usdc),
  availableAfter: BigInt(r.available_after),
  lockedAfter: BigInt(r.locked_after),
});

export class OperatorDb {
  readonly db: Database.Database;

  constructor(path: string) {
    // A second process on the file (an API replica sharing the replay store) waits for the write lock instead of failing with SQLITE_BUSY.
    this.db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    const version = this.db.pragma('user_version', { simple: true }) as number;
    const tables = (this.db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
    if (version !== SCHEMA_VERSION && (tables > 0 || version > SCHEMA_VERSION)) {
      this.db.close();
      throw new Error(
        version > SCHEMA_VERSION
          ? `${path} was written by a newer operator (schema ${version}; this one knows ${SCHEMA_VERSION}): upgrade the operator`
          : `${path} was written by an older operator (schema ${version}, before job slots): the index is rebuilt from the chain, so move the file away and start again`,
      );
    }
    this.db.exec(SCHEMA);
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }

  close(): void {
    this.db.close();
  }

  /** Registers an account to index (no-op when known). */
  addAccount(a: { creditAccount: string; owner: string; vault: string; state: ReplayState }): void {
    this.db
      .prepare('INSERT OR IGNORE INTO accounts (credit_account, owner, vault, state) VALUES (?, ?, ?, ?)')
      .run(a.creditAccount, a.owner, a.vault, stateToText(a.state));
  }

  accounts(): IndexedAccount[] {
    return (this.db.prepare('SELECT * FROM accounts').all() as AccountRow[]).map(toAccount);
  }

  account(owner: string): IndexedAccount | null {
    const row = this.db.prepare('SELECT * FROM accounts WHERE owner = ?').get(owner) as AccountRow | undefined;
    return row ? toAccount(row) : null;
  }

  /**
   * Records one transaction of `account`: its entries, the cursors after it,
   * the replay state and low flag after it, and `webhooks`, atomically.
   * Entries already stored (same signature and transaction-wide position)
   * are skipped, and so are their webhooks (ids are stable).
   */
  recordTransaction(
    account: IndexedAccount,
    tx: { signature: string; slot: number; entries: HistoryEntry[] },
    after: { creditCursor: string | null; vaultCursor: string | null; state: ReplayState; low: boolean },
    webhooks: { id: string; type: string; body: string }[],
    now = Date.now(),
  ): void {
    const insertEntry = this.db.prepare(
      `INSERT OR IGNORE INTO entries (signature, position, slot, block_time, owner, kind, job_id, credits, usdc, available_after, locked_after, seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM entries))`,
    );
    const insertHook = this.db.prepare('INSERT OR IGNORE INTO outbox (id, type, body, next_attempt_at) VALUES (?, ?, ?, ?)');
    const updateAccount = this.db.prepare('UPDATE accounts SET credit_cursor = ?, vault_cursor = ?, state = ?, low = ? WHERE credit_account = ?');
    this.db.transaction(() => {
      for (const e of tx.entries) {
        insertEntry.run(tx.signature, e.position, tx.slot, e.blockTime, account.owner, e.kind, e.jobId?.toString() ?? null, String(e.credits), String(e.usdc), String(e.availableAfter), String(e.lockedAfter));
      }
      for (const h of webhooks) insertHook.run(h.id, h.type, h.body, now);
      updateAccount.run(after.creditCursor, after.vaultCursor, stateToText(after.state), after.low ? 1 : 0, account.creditAccount);
    })();
  }

  /** Moves an account's cursors without entries (signatures that made none). */
  advanceCursors(account: IndexedAccount, creditCursor: string | null, vaultCursor: string | null): void {
    this.db.prepare('UPDATE accounts SET credit_cursor = ?, vault_cursor = ? WHERE credit_account = ?').run(creditCursor, vaultCursor, account.creditAccount);
  }

  /**
   * `owner`'s entries, newest first; with `before`, only those older than
   * that entry (its id, `<signature>:<position>`, so a page may end inside a
   * transaction and the next one goes on from there), or than every entry
   * of a transaction (a bare signature).
   */
  entries(owner: string, { limit = 50, before }: { limit?: number; before?: string } = {}): StoredEntry[] {
    const [signature, position] = before?.split(':') ?? [];
    const rows = !before
      ? this.db.prepare('SELECT * FROM entries WHERE owner = ? ORDER BY seq DESC LIMIT ?').all(owner, limit)
      : position === undefined
        ? this.db
            .prepare('SELECT * FROM entries WHERE owner = ? AND seq < (SELECT MIN(seq) FROM entries WHERE owner = ? AND signature = ?) ORDER BY seq DESC LIMIT ?')
            .all(owner, owner, signature, limit)
        : this.db
            .prepare('SELECT * FROM entries WHERE owner = ? AND seq < (SELECT seq FROM entries WHERE owner = ? AND signature = ? AND position = ?) ORDER BY seq DESC LIMIT ?')
            .all(owner, owner, signature, Number(position), limit);
    return (rows as EntryRow[]).map(toEntry);
  }

  /** Unix seconds of `owner`'s last purchase or deposit, or null. */
  lastTopUpAt(owner: string): number | null {
    const row = this.db.prepare("SELECT MAX(block_time) AS t FROM entries WHERE owner = ? AND kind IN ('purchase', 'deposit')").get(owner) as { t: number | null };
    return row.t;
  }

  countEntries(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM entries').get() as { n: number }).n;
  }

  /** Webhooks due for an attempt at `now` (ms), oldest first. */
  dueWebhooks(now: number, limit = 20): OutboxRow[] {
    return this.db
      .prepare('SELECT id, type, body, attempts FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY rowid LIMIT ?')
      .all(now, limit) as OutboxRow[];
  }

  webhookDelivered(id: string, now = Date.now()): void {
    this.db.prepare('UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?').run(now, id);
  }

  webhookFailed(id: string, error: string, nextAttemptAt: number): void {
    this.db.prepare('UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?').run(nextAttemptAt, error.slice(0, 500), id);
  }

  webhookBacklog(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL').get() as { n: number }).n;
  }

  /**
   * Records the crank's refund of job `jobId` of `creditAccount` (a job id
   * may be locked again once refunded: each lock, told apart by its
   * expires_at, is recorded once).
   */
  recordRefund(r: { creditAccount: string; jobId: bigint; signature: string; expiresAt: bigint; refundedAtMs: number }): void {
    this.db
      .prepare('INSERT OR IGNORE INTO refunds (credit_account, job_id, signature, expires_at, refunded_at_ms) VALUES (?, ?, ?, ?, ?)')
      .run(r.creditAccount, r.jobId.toString(), r.signature, Number(r.expiresAt), r.refundedAtMs);
  }

  /** The crank's refunds, oldest first (job ids as decimal strings). */
  refunds(): { creditAccount: string; jobId: string; signature: string; expiresAt: number; refundedAtMs: number }[] {
    return this.db
      .prepare('SELECT credit_account AS creditAccount, job_id AS jobId, signature, expires_at AS expiresAt, refunded_at_ms AS refundedAtMs FROM refunds ORDER BY rowid')
      .all() as never[];
  }

  /**
   * The x402 paywall's replay store on this database (table `replay`):
   * `claim` deletes expired keys and inserts the key in one write
   * transaction, true iff the row was inserted. SQLite serializes writers,
   * so every process with this file open (API replicas, a restarted one)
   * sees one set of claims: `createCreditPaywall({ …, replayStore: db.replayStore() })`.
   * `now` is the clock expiry is judged by (default Date.now).
   */
  replayStore({ now = Date.now }: { now?: () => number } = {}): ReplayStore {
    const prune = this.db.prepare('DELETE FROM replay WHERE expires_at <= ?');
    const insert = this.db.prepare('INSERT OR IGNORE INTO replay (key, expires_at) VALUES (?, ?)');
    const claim = this.db.transaction((key: string, expiresAtMs: number, at: number) => {
      prune.run(at);
      return insert.run(key, expiresAtMs).changes === 1;
    });
    return {
      // IMMEDIATE: the write lock is taken at BEGIN (waiting up to busy_timeout), never upgraded from a read lock, which SQLite may refuse at once.
      claim: async (key, expiresAtMs) => {
        const at = now();
        return expiresAtMs > at && claim.immediate(key, Math.ceil(expiresAtMs), at);
      },
    };
  }
}
