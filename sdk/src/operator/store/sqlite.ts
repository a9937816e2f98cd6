// The SQLite engine (better-sqlite3): the embedded default. One operator
// process per file: the crank's lease keeps a second process on the file
// from cranking (it says why and serves the API only), and SQLite's single
// writer serializes the rest. Migrations are numbered by `user_version`.
import Database from 'better-sqlite3';
import type { HistoryEntry, ReplayState } from '../../history.js';
import type { ReplayStore } from '../../x402/replayStore.js';
import { LeaseLostError, type IndexedAccount, type Lease, type LeaseRole, type OperatorStore, type OutboxRow, type RefundRecord, type StoredEntry } from './types.js';
import { SCHEMA_VERSION, checkMigrations, entryParams, newerSchemaError, unversionedError, parseBefore, ENTRY_ORDER, stateToText, toAccount, toEntry, toLease, type AccountRow, type EntryRow, type LeaseRow } from './rows.js';

/** Migration N is MIGRATIONS[N - 1]; a file at user_version k gets k+1 … SCHEMA_VERSION in one transaction. */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE accounts (
     credit_account TEXT PRIMARY KEY,
     owner TEXT NOT NULL UNIQUE,
     vault TEXT NOT NULL,
     credit_cursor TEXT,
     vault_cursor TEXT,
     state TEXT NOT NULL,
     low INTEGER NOT NULL DEFAULT 1
   );
   CREATE TABLE entries (
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
   CREATE INDEX entries_by_owner ON entries (owner, seq);
   CREATE TABLE outbox (
     id TEXT PRIMARY KEY,
     type TEXT NOT NULL,
     body TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     delivered_at INTEGER,
     last_error TEXT
   );
   CREATE INDEX outbox_due ON outbox (delivered_at, next_attempt_at);
   CREATE TABLE refunds (
     job TEXT PRIMARY KEY,
     signature TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     refunded_at_ms INTEGER NOT NULL
   );
   CREATE TABLE replay (
     key TEXT PRIMARY KEY,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX replay_by_expiry ON replay (expires_at);`,
  // Job slots replaced the Job accounts that keyed refunds: those rows name accounts that no longer exist.
  `DROP TABLE refunds;
   CREATE TABLE refunds (
     credit_account TEXT NOT NULL,
     job_id TEXT NOT NULL,
     signature TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     refunded_at_ms INTEGER NOT NULL,
     PRIMARY KEY (credit_account, job_id, expires_at)
   );`,
  `CREATE TABLE leases (
     role TEXT PRIMARY KEY,
     holder TEXT NOT NULL,
     token INTEGER NOT NULL,
     expires_at_ms INTEGER NOT NULL
   );
   ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
   ALTER TABLE outbox ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0;`,
];
checkMigrations('SQLite', SQLITE_MIGRATIONS);

/** How long a statement waits for another process's write lock before failing (SQLite busy_timeout). */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * Brings `db` to `to` (default the current schema) with the numbered
 * migrations, in one write transaction; refuses a newer file. Returns the
 * version found. Exported for the migration tests, which stop at each
 * earlier version.
 */
export function migrateSqlite(db: Database.Database, where: string, to = SCHEMA_VERSION): number {
  return db.transaction(() => {
    const found = db.pragma('user_version', { simple: true }) as number;
    if (found > SCHEMA_VERSION) throw newerSchemaError(where, found);
    if (found === 0 && (db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n > 0) throw unversionedError(where);
    for (let v = found + 1; v <= to; v++) db.exec(SQLITE_MIGRATIONS[v - 1]);
    if (to > found) db.pragma(`user_version = ${to}`);
    return found;
  }).immediate();
}

export class SqliteStore implements OperatorStore {
  readonly engine = 'sqlite';

  private constructor(
    readonly db: Database.Database,
    readonly where: string,
    readonly migrated: { from: number; to: number },
  ) {}

  static open(path: string): SqliteStore {
    // A second process on the file (an API replica sharing the replay store) waits for the write lock instead of failing with SQLITE_BUSY.
    const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      const from = migrateSqlite(db, path);
      return new SqliteStore(db, path, { from, to: SCHEMA_VERSION });
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }

  async addAccount(a: { creditAccount: string; owner: string; vault: string; state: ReplayState }): Promise<void> {
    this.db.prepare('INSERT OR IGNORE INTO accounts (credit_account, owner, vault, state) VALUES (?, ?, ?, ?)').run(a.creditAccount, a.owner, a.vault, stateToText(a.state));
  }

  async accounts(): Promise<IndexedAccount[]> {
    return (this.db.prepare('SELECT * FROM accounts ORDER BY credit_account').all() as AccountRow[]).map(toAccount);
  }

  async account(owner: string): Promise<IndexedAccount | null> {
    const row = this.db.prepare('SELECT * FROM accounts WHERE owner = ?').get(owner) as AccountRow | undefined;
    return row ? toAccount(row) : null;
  }

  async recordTransaction(
    account: IndexedAccount,
    tx: { signature: string; slot: number; entries: HistoryEntry[] },
    after: { creditCursor: string | null; vaultCursor: string | null; state: ReplayState; low: boolean },
    webhooks: { id: string; type: string; body: string }[],
    fence?: Lease,
  ): Promise<void> {
    const insertEntry = this.db.prepare(
      `INSERT OR IGNORE INTO entries (signature, position, slot, block_time, owner, kind, job_id, credits, usdc, available_after, locked_after, seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM entries))`,
    );
    const insertHook = this.db.prepare('INSERT OR IGNORE INTO outbox (id, type, body, next_attempt_at) VALUES (?, ?, ?, ?)');
    const now = Date.now();
    this.db.transaction(() => {
      if (fence && !this.db.prepare('SELECT 1 FROM leases WHERE role = ? AND holder = ? AND token = ? AND expires_at_ms > ?').get(fence.role, fence.holder, fence.token, now)) {
        throw new LeaseLostError(fence.role);
      }
      for (const e of tx.entries) insertEntry.run(...entryParams(account.owner, tx, e));
      for (const h of webhooks) insertHook.run(h.id, h.type, h.body, now);
      this.db
        .prepare('UPDATE accounts SET credit_cursor = ?, vault_cursor = ?, state = ?, low = ? WHERE credit_account = ?')
        .run(after.creditCursor, after.vaultCursor, stateToText(after.state), after.low ? 1 : 0, account.creditAccount);
    }).immediate();
  }

  async entries(owner: string, { limit = 50, before }: { limit?: number; before?: string } = {}): Promise<StoredEntry[]> {
    const cursor = before === undefined ? null : parseBefore(before);
    const rows = !cursor
      ? this.db.prepare(`SELECT * FROM entries WHERE owner = ? ${ENTRY_ORDER} LIMIT ?`).all(owner, limit)
      : cursor.position === null
        ? this.db
            .prepare(`SELECT * FROM entries WHERE owner = ? AND (slot, seq) < (SELECT slot, MIN(seq) FROM entries WHERE owner = ? AND signature = ?) ${ENTRY_ORDER} LIMIT ?`)
            .all(owner, owner, cursor.signature, limit)
        : this.db
            .prepare(`SELECT * FROM entries WHERE owner = ? AND (slot, seq) < (SELECT slot, seq FROM entries WHERE owner = ? AND signature = ? AND position = ?) ${ENTRY_ORDER} LIMIT ?`)
            .all(owner, owner, cursor.signature, cursor.position, limit);
    return (rows as EntryRow[]).map(toEntry);
  }

  async lastTopUpAt(owner: string): Promise<number | null> {
    return (this.db.prepare("SELECT MAX(block_time) AS t FROM entries WHERE owner = ? AND kind IN ('purchase', 'deposit')").get(owner) as { t: number | null }).t;
  }

  async countEntries(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM entries').get() as { n: number }).n;
  }

  async claimWebhooks(holder: string, { now, limit = 20, claimMs }: { now: number; limit?: number; claimMs: number }): Promise<OutboxRow[]> {
    const rows = this.db
      .prepare(
        `UPDATE outbox SET claimed_by = ?, claimed_until = ?
         WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ? AND claimed_until <= ? ORDER BY rowid LIMIT ?)
         RETURNING rowid AS seq, id, type, body, attempts`,
      )
      .all(holder, now + claimMs, now, now, limit) as (OutboxRow & { seq: number })[];
    return rows.sort((a, b) => a.seq - b.seq).map(({ id, type, body, attempts }) => ({ id, type, body, attempts }));
  }

  async webhookDelivered(id: string, now = Date.now()): Promise<void> {
    this.db.prepare('UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL, claimed_by = NULL, claimed_until = 0 WHERE id = ? AND delivered_at IS NULL').run(now, id);
  }

  async webhookFailed(id: string, holder: string, error: string, nextAttemptAt: number): Promise<void> {
    this.db
      .prepare('UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, claimed_by = NULL, claimed_until = 0 WHERE id = ? AND claimed_by = ? AND delivered_at IS NULL')
      .run(nextAttemptAt, error.slice(0, 500), id, holder);
  }

  async webhookBacklog(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL').get() as { n: number }).n;
  }

  async recordRefund(r: { creditAccount: string; jobId: bigint; signature: string; expiresAt: bigint; refundedAtMs: number }): Promise<void> {
    this.db
      .prepare('INSERT OR IGNORE INTO refunds (credit_account, job_id, signature, expires_at, refunded_at_ms) VALUES (?, ?, ?, ?, ?)')
      .run(r.creditAccount, r.jobId.toString(), r.signature, Number(r.expiresAt), r.refundedAtMs);
  }

  async refunds(): Promise<RefundRecord[]> {
    return this.db
      .prepare('SELECT credit_account AS creditAccount, job_id AS jobId, signature, expires_at AS expiresAt, refunded_at_ms AS refundedAtMs FROM refunds ORDER BY rowid')
      .all() as RefundRecord[];
  }

  async takeLease(role: LeaseRole, holder: string, ttlMs: number): Promise<Lease | null> {
    const now = Date.now();
    const row = this.db
      .prepare(
        `INSERT INTO leases (role, holder, token, expires_at_ms) VALUES (?, ?, 1, ?)
         ON CONFLICT (role) DO UPDATE SET
           token = CASE WHEN leases.holder = excluded.holder THEN leases.token ELSE leases.token + 1 END,
           holder = excluded.holder,
           expires_at_ms = excluded.expires_at_ms
         WHERE leases.holder = excluded.holder OR leases.expires_at_ms <= ?
         RETURNING role, holder, token, expires_at_ms`,
      )
      .get(role, holder, now + ttlMs, now) as LeaseRow | undefined;
    return row ? toLease(row) : null;
  }

  async releaseLease(role: LeaseRole, holder: string): Promise<void> {
    this.db.prepare('UPDATE leases SET expires_at_ms = 0 WHERE role = ? AND holder = ?').run(role, holder);
  }

  async leaseHolder(role: LeaseRole): Promise<Lease | null> {
    const row = this.db.prepare('SELECT * FROM leases WHERE role = ? AND expires_at_ms > ?').get(role, Date.now()) as LeaseRow | undefined;
    return row ? toLease(row) : null;
  }

  replayStore({ now = Date.now }: { now?: () => number } = {}): ReplayStore {
    const prune = this.db.prepare('DELETE FROM replay WHERE expires_at <= ?');
    // A key whose earlier claim has expired may be claimed again.
    const insert = this.db.prepare('INSERT INTO replay (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE replay.expires_at <= ?');
    const claim = this.db.transaction((key: string, expiresAtMs: number, at: number) => {
      prune.run(at);
      return insert.run(key, expiresAtMs, at).changes === 1;
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
