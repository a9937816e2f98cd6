// The Postgres engine (pg): several operator processes on one database.
// Every process serves the API; the crank, the indexer and the webhook
// sender each run in the one process holding that role's lease (a row of
// `leases` judged by the database's clock, with a fencing token); webhook
// rows are claimed with FOR UPDATE SKIP LOCKED so two senders never take
// the same row. Migrations are numbered in `schema_migrations`, applied
// under an advisory lock so replicas starting together apply each once.
import pg from 'pg';
import type { HistoryEntry, ReplayState } from '../../history.js';
import type { ReplayStore } from '../../x402/replayStore.js';
import { LeaseLostError, type IndexedAccount, type Lease, type LeaseRole, type OperatorStore, type OutboxRow, type RefundRecord, type StoredEntry } from './types.js';
import { SCHEMA_VERSION, checkMigrations, entryParams, newerSchemaError, redactUrl, unversionedError, parseBefore, ENTRY_ORDER, stateToText, toAccount, toEntry, toLease, type AccountRow, type EntryRow, type LeaseRow } from './rows.js';

/** Migration N is POSTGRES_MIGRATIONS[N - 1], numbered as SQLite's. */
export const POSTGRES_MIGRATIONS: readonly string[] = [
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
     slot BIGINT NOT NULL,
     block_time BIGINT,
     owner TEXT NOT NULL,
     kind TEXT NOT NULL,
     job_id TEXT,
     credits TEXT NOT NULL,
     usdc TEXT NOT NULL,
     available_after TEXT NOT NULL,
     locked_after TEXT NOT NULL,
     seq BIGSERIAL NOT NULL,
     PRIMARY KEY (signature, position)
   );
   CREATE INDEX entries_by_owner ON entries (owner, seq);
   CREATE TABLE outbox (
     seq BIGSERIAL NOT NULL,
     id TEXT PRIMARY KEY,
     type TEXT NOT NULL,
     body TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at BIGINT NOT NULL,
     delivered_at BIGINT,
     last_error TEXT
   );
   CREATE INDEX outbox_due ON outbox (delivered_at, next_attempt_at);
   CREATE TABLE refunds (
     job TEXT PRIMARY KEY,
     signature TEXT NOT NULL,
     expires_at BIGINT NOT NULL,
     refunded_at_ms BIGINT NOT NULL
   );
   CREATE TABLE replay (
     key TEXT PRIMARY KEY,
     expires_at BIGINT NOT NULL
   );
   CREATE INDEX replay_by_expiry ON replay (expires_at);`,
  `DROP TABLE refunds;
   CREATE TABLE refunds (
     seq BIGSERIAL NOT NULL,
     credit_account TEXT NOT NULL,
     job_id TEXT NOT NULL,
     signature TEXT NOT NULL,
     expires_at BIGINT NOT NULL,
     refunded_at_ms BIGINT NOT NULL,
     PRIMARY KEY (credit_account, job_id, expires_at)
   );`,
  `CREATE TABLE leases (
     role TEXT PRIMARY KEY,
     holder TEXT NOT NULL,
     token BIGINT NOT NULL,
     expires_at_ms BIGINT NOT NULL
   );
   ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
   ALTER TABLE outbox ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;`,
];
checkMigrations('Postgres', POSTGRES_MIGRATIONS);

/** The database's clock in unix ms: every replica judges leases by it. */
const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';
/** Key of the advisory lock migrations run under. */
const MIGRATION_LOCK = 0x6a6f6265; // "jobe"

/**
 * Brings the database to `to` (default the current schema) with the
 * numbered migrations in one transaction, under an advisory lock; refuses
 * a newer database. Returns the version found (0: new).
 */
export async function migratePostgres(pool: pg.Pool, where: string, to = SCHEMA_VERSION): Promise<number> {
  return inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const tables = Number((await c.query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('accounts', 'entries', 'outbox', 'schema_migrations')")).rows[0].n);
    const versioned = Number((await c.query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'")).rows[0].n);
    if (tables > 0 && !versioned) throw unversionedError(where);
    await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const found = Number((await c.query('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations')).rows[0].v);
    if (found > SCHEMA_VERSION) throw newerSchemaError(where, found);
    for (let v = found + 1; v <= to; v++) {
      await c.query(POSTGRES_MIGRATIONS[v - 1]);
      await c.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v]);
    }
    return found;
  });
}

/** Runs `fn` in one transaction on one connection of `pool`, rolled back if it throws. */
async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const result = await fn(c);
    await c.query('COMMIT');
    return result;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

export interface PostgresStoreOptions {
  /** Connections this process keeps at most (default 10). */
  maxConnections?: number;
  /** How long open() keeps trying to reach the database (default 30 s: a replica may start while Postgres restarts). */
  connectTimeoutMs?: number;
  /** Where a dropped idle connection is reported (it is replaced on the next query). */
  onError?: (err: Error) => void;
}

export class PostgresStore implements OperatorStore {
  readonly engine = 'postgres';

  private constructor(
    readonly pool: pg.Pool,
    readonly where: string,
    readonly migrated: { from: number; to: number },
  ) {}

  static async open(url: string, o: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const where = redactUrl(url);
    const pool = new pg.Pool({ connectionString: url, max: o.maxConnections ?? 10, connectionTimeoutMillis: 5_000 });
    // An idle connection dropped by a database restart: without a listener, the error would end the process.
    pool.on('error', (err) => o.onError?.(err));
    const deadline = Date.now() + (o.connectTimeoutMs ?? 30_000);
    for (;;) {
      try {
        const from = await migratePostgres(pool, where);
        return new PostgresStore(pool, where, { from, to: SCHEMA_VERSION });
      } catch (err) {
        const unreachable = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|starting up|shutting down|terminat|timeout/i.test(String((err as Error)?.message ?? err));
        if (!unreachable || Date.now() > deadline) {
          await pool.end().catch(() => undefined);
          throw err;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  async addAccount(a: { creditAccount: string; owner: string; vault: string; state: ReplayState }): Promise<void> {
    await this.pool.query('INSERT INTO accounts (credit_account, owner, vault, state) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [a.creditAccount, a.owner, a.vault, stateToText(a.state)]);
  }

  async accounts(): Promise<IndexedAccount[]> {
    return (await this.rows<AccountRow>('SELECT * FROM accounts ORDER BY credit_account')).map(toAccount);
  }

  async account(owner: string): Promise<IndexedAccount | null> {
    const [row] = await this.rows<AccountRow>('SELECT * FROM accounts WHERE owner = $1', [owner]);
    return row ? toAccount(row) : null;
  }

  async recordTransaction(
    account: IndexedAccount,
    tx: { signature: string; slot: number; entries: HistoryEntry[] },
    after: { creditCursor: string | null; vaultCursor: string | null; state: ReplayState; low: boolean },
    webhooks: { id: string; type: string; body: string }[],
    fence?: Lease,
  ): Promise<void> {
    const now = Date.now();
    await inTransaction(this.pool, async (c) => {
      // FOR SHARE: a takeover waits for this transaction, so no write of the old holder lands after it.
      if (fence && !(await c.query(`SELECT 1 FROM leases WHERE role = $1 AND holder = $2 AND token = $3 AND expires_at_ms > ${NOW_MS} FOR SHARE`, [fence.role, fence.holder, fence.token])).rowCount) {
        throw new LeaseLostError(fence.role);
      }
      for (const e of tx.entries) {
        await c.query(
          `INSERT INTO entries (signature, position, slot, block_time, owner, kind, job_id, credits, usdc, available_after, locked_after)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
          [...entryParams(account.owner, tx, e)],
        );
      }
      for (const h of webhooks) await c.query('INSERT INTO outbox (id, type, body, next_attempt_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [h.id, h.type, h.body, now]);
      await c.query('UPDATE accounts SET credit_cursor = $1, vault_cursor = $2, state = $3, low = $4 WHERE credit_account = $5', [
        after.creditCursor,
        after.vaultCursor,
        stateToText(after.state),
        after.low ? 1 : 0,
        account.creditAccount,
      ]);
    });
  }

  async entries(owner: string, { limit = 50, before }: { limit?: number; before?: string } = {}): Promise<StoredEntry[]> {
    const cursor = before === undefined ? null : parseBefore(before);
    const rows = !cursor
      ? await this.rows<EntryRow>(`SELECT * FROM entries WHERE owner = $1 ${ENTRY_ORDER} LIMIT $2`, [owner, limit])
      : cursor.position === null
        ? await this.rows<EntryRow>(
            `SELECT * FROM entries WHERE owner = $1 AND (slot, seq) < (SELECT slot, MIN(seq) FROM entries WHERE owner = $1 AND signature = $2 GROUP BY slot) ${ENTRY_ORDER} LIMIT $3`,
            [owner, cursor.signature, limit],
          )
        : await this.rows<EntryRow>(
            `SELECT * FROM entries WHERE owner = $1 AND (slot, seq) < (SELECT slot, seq FROM entries WHERE owner = $1 AND signature = $2 AND position = $3) ${ENTRY_ORDER} LIMIT $4`,
            [owner, cursor.signature, cursor.position, limit],
          );
    return rows.map(toEntry);
  }

  async lastTopUpAt(owner: string): Promise<number | null> {
    const [row] = await this.rows<{ t: string | null }>("SELECT MAX(block_time) AS t FROM entries WHERE owner = $1 AND kind IN ('purchase', 'deposit')", [owner]);
    return row.t === null ? null : Number(row.t);
  }

  async countEntries(): Promise<number> {
    return Number((await this.rows<{ n: string }>('SELECT COUNT(*) AS n FROM entries'))[0].n);
  }

  async claimWebhooks(holder: string, { now, limit = 20, claimMs }: { now: number; limit?: number; claimMs: number }): Promise<OutboxRow[]> {
    const rows = await this.rows<OutboxRow & { seq: string }>(
      `UPDATE outbox SET claimed_by = $1, claimed_until = $2
       WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= $3 AND claimed_until <= $3 ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING seq, id, type, body, attempts`,
      [holder, now + claimMs, now, limit],
    );
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map(({ id, type, body, attempts }) => ({ id, type, body, attempts }));
  }

  async webhookDelivered(id: string, now = Date.now()): Promise<void> {
    await this.pool.query('UPDATE outbox SET delivered_at = $1, attempts = attempts + 1, last_error = NULL, claimed_by = NULL, claimed_until = 0 WHERE id = $2 AND delivered_at IS NULL', [now, id]);
  }

  async webhookFailed(id: string, holder: string, error: string, nextAttemptAt: number): Promise<void> {
    await this.pool.query(
      'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2, claimed_by = NULL, claimed_until = 0 WHERE id = $3 AND claimed_by = $4 AND delivered_at IS NULL',
      [nextAttemptAt, error.slice(0, 500), id, holder],
    );
  }

  async webhookBacklog(): Promise<number> {
    return Number((await this.rows<{ n: string }>('SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL'))[0].n);
  }

  async recordRefund(r: { creditAccount: string; jobId: bigint; signature: string; expiresAt: bigint; refundedAtMs: number }): Promise<void> {
    await this.pool.query('INSERT INTO refunds (credit_account, job_id, signature, expires_at, refunded_at_ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
      r.creditAccount,
      r.jobId.toString(),
      r.signature,
      Number(r.expiresAt),
      r.refundedAtMs,
    ]);
  }

  async refunds(): Promise<RefundRecord[]> {
    const rows = await this.rows<{ credit_account: string; job_id: string; signature: string; expires_at: string; refunded_at_ms: string }>('SELECT * FROM refunds ORDER BY seq');
    return rows.map((r) => ({ creditAccount: r.credit_account, jobId: r.job_id, signature: r.signature, expiresAt: Number(r.expires_at), refundedAtMs: Number(r.refunded_at_ms) }));
  }

  async takeLease(role: LeaseRole, holder: string, ttlMs: number): Promise<Lease | null> {
    const [row] = await this.rows<LeaseRow>(
      `INSERT INTO leases (role, holder, token, expires_at_ms) VALUES ($1, $2, 1, ${NOW_MS} + $3)
       ON CONFLICT (role) DO UPDATE SET
         token = CASE WHEN leases.holder = excluded.holder THEN leases.token ELSE leases.token + 1 END,
         holder = excluded.holder,
         expires_at_ms = excluded.expires_at_ms
       WHERE leases.holder = excluded.holder OR leases.expires_at_ms <= ${NOW_MS}
       RETURNING role, holder, token, expires_at_ms`,
      [role, holder, ttlMs],
    );
    return row ? toLease(row) : null;
  }

  async releaseLease(role: LeaseRole, holder: string): Promise<void> {
    await this.pool.query('UPDATE leases SET expires_at_ms = 0 WHERE role = $1 AND holder = $2', [role, holder]);
  }

  async leaseHolder(role: LeaseRole): Promise<Lease | null> {
    const [row] = await this.rows<LeaseRow>(`SELECT * FROM leases WHERE role = $1 AND expires_at_ms > ${NOW_MS}`, [role]);
    return row ? toLease(row) : null;
  }

  replayStore({ now = Date.now }: { now?: () => number } = {}): ReplayStore {
    return {
      claim: async (key, expiresAtMs) => {
        const at = now();
        if (expiresAtMs <= at) return false;
        // One statement: of several replicas claiming one key, exactly one inserts it (or takes over an expired claim).
        const claimed = await this.pool.query(
          'INSERT INTO replay (key, expires_at) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE replay.expires_at <= $3',
          [key, Math.ceil(expiresAtMs), at],
        );
        // Expired keys are pruned now and then, not on every claim.
        if (Math.random() < 0.01) await this.pool.query('DELETE FROM replay WHERE expires_at <= $1', [at]);
        return claimed.rowCount === 1;
      },
    };
  }
}
