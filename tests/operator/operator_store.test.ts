// The operator's store, on both engines (SQLite, and a real Postgres started
// by tests/shared/postgres.ts): numbered migrations from every earlier
// schema, a newer or unversioned database refused with a message, leases
// with fencing tokens, webhook claims that two processes never share, and
// the replay store's one-claim rule under concurrency.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newReplayState, type HistoryEntry } from '../../sdk/src/history.js';
import { LeaseLostError, SCHEMA_VERSION, openStore, type OperatorStore } from '../../sdk/src/operator/index.js';
import { POSTGRES_MIGRATIONS, migratePostgres } from '../../sdk/src/operator/store/postgres.js';
import { SQLITE_MIGRATIONS, migrateSqlite } from '../../sdk/src/operator/store/sqlite.js';
import { startPostgres, type TestPostgres } from '../shared/postgres.js';

let postgres: TestPostgres;
let dir: string;
let databases = 0;
beforeAll(async () => {
  postgres = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'operator-store-'));
}, 120_000);
afterAll(async () => {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Each engine: a new empty database's address, and how to bring a raw one to schema `version` with the migrations themselves. */
const engines = {
  sqlite: {
    fresh: async () => join(dir, `store-${++databases}.sqlite`),
    migrateTo: async (where: string, version: number) => {
      const db = new Database(where);
      migrateSqlite(db, where, version);
      db.close();
    },
    exec: async (where: string, sql: string) => {
      const db = new Database(where);
      db.exec(sql);
      db.close();
    },
  },
  postgres: {
    fresh: async () => postgres.database(`store_${++databases}`),
    migrateTo: async (where: string, version: number) => {
      const pool = new pg.Pool({ connectionString: where });
      await migratePostgres(pool, where, version);
      await pool.end();
    },
    exec: async (where: string, sql: string) => {
      const c = new pg.Client({ connectionString: where });
      await c.connect();
      await c.query(sql);
      await c.end();
    },
  },
};

const entry = (position: number, kind: HistoryEntry['kind']): HistoryEntry =>
  ({ id: `sig:${position}`, signature: 'sig', position, blockTime: 1_700_000_000 + position, kind, jobId: null, credits: 10n, usdc: 100_000n, availableAfter: 90n, lockedAfter: 0n }) as unknown as HistoryEntry;

describe.each(Object.keys(engines) as (keyof typeof engines)[])('the operator store on %s', (name) => {
  const engine = engines[name];

  it('has one migration per schema version on both engines', () => {
    expect(SQLITE_MIGRATIONS).toHaveLength(SCHEMA_VERSION);
    expect(POSTGRES_MIGRATIONS).toHaveLength(SCHEMA_VERSION);
  });

  it.each(Array.from({ length: SCHEMA_VERSION }, (_, v) => v))('a database at schema %i upgrades to the current one, its rows kept', async (version) => {
    const where = await engine.fresh();
    await engine.migrateTo(where, version);
    if (version >= 1) {
      await engine.exec(where, `INSERT INTO accounts (credit_account, owner, vault, state) VALUES ('C1', 'O1', 'V1', '${JSON.stringify({ vaultAmount: '5', fees: '0', locked: '0', jobLocks: [] })}')`);
    }
    const store = await openStore(where);
    try {
      expect(store.migrated).toEqual({ from: version, to: SCHEMA_VERSION });
      if (version >= 1) expect((await store.account('O1'))?.state.vaultAmount).toBe(5n);
      // Every table of the current schema works.
      await store.addAccount({ creditAccount: 'C2', owner: 'O2', vault: 'V2', state: newReplayState() });
      const account = (await store.account('O2'))!;
      await store.recordTransaction(account, { signature: 'sig', slot: 7, entries: [entry(0, 'purchase')] }, { creditCursor: 'sig', vaultCursor: null, state: account.state, low: false }, [{ id: 'h1', type: 'credit.topup', body: '{}' }]);
      expect((await store.entries('O2')).map((e) => e.id)).toEqual(['sig:0']);
      expect(await store.lastTopUpAt('O2')).toBe(1_700_000_000);
      expect(await store.webhookBacklog()).toBe(1);
      await store.recordRefund({ creditAccount: 'C2', jobId: 9n, signature: 's', expiresAt: 10n, refundedAtMs: 11 });
      expect(await store.refunds()).toEqual([{ creditAccount: 'C2', jobId: '9', signature: 's', expiresAt: 10, refundedAtMs: 11 }]);
      expect(await store.takeLease('crank', 'a', 5_000)).toMatchObject({ holder: 'a', token: 1 });
    } finally {
      await store.close();
    }
    // And it opens again as it is.
    const again = await openStore(where);
    expect(again.migrated).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    await again.close();
  });

  it('lists entries by slot, newest first: an older transaction backfilled after a newer one is listed behind it, and `before` pages the same way', async () => {
    const store = await openStore(await engine.fresh());
    try {
      await store.addAccount({ creditAccount: 'CB', owner: 'OB', vault: 'VB', state: newReplayState() });
      const write = async (signature: string, slot: number, positions: number) => {
        const account = (await store.account('OB'))!;
        const entries = Array.from({ length: positions }, (_, i) => ({ ...entry(i, 'purchase'), id: `${signature}:${i}`, signature }) as HistoryEntry);
        await store.recordTransaction(account, { signature, slot, entries }, { creditCursor: signature, vaultCursor: null, state: account.state, low: false }, []);
      };
      // Streamed: slots 30 and 10; then a gap's backfill brings slot 20, indexed last.
      await write('s30', 30, 1);
      await write('s10', 10, 2);
      await write('s20', 20, 2);
      const ids = async (before?: string) => (await store.entries('OB', { limit: 2, before })).map((e) => e.id);
      expect((await store.entries('OB')).map((e) => e.id)).toEqual(['s30:0', 's20:1', 's20:0', 's10:1', 's10:0']);
      expect(await ids()).toEqual(['s30:0', 's20:1']);
      expect(await ids('s20:1')).toEqual(['s20:0', 's10:1']);
      expect(await ids('s20')).toEqual(['s10:1', 's10:0']);
    } finally {
      await store.close();
    }
  });

  it('a database written by a newer operator is refused with a clear error, and left as it was', async () => {
    const where = await engine.fresh();
    await engine.migrateTo(where, SCHEMA_VERSION);
    await engine.exec(where, name === 'sqlite' ? `PRAGMA user_version = ${SCHEMA_VERSION + 1}` : `INSERT INTO schema_migrations (version) VALUES (${SCHEMA_VERSION + 1})`);
    await expect(openStore(where)).rejects.toThrow(new RegExp(`written by a newer operator \\(schema ${SCHEMA_VERSION + 1}; this one knows ${SCHEMA_VERSION}\\): upgrade the operator`));
    await expect(openStore(where)).rejects.toThrow(/newer operator/);
  });

  it('a database with tables but no schema version is refused, not overwritten', async () => {
    const where = await engine.fresh();
    await engine.exec(where, 'CREATE TABLE entries (signature TEXT NOT NULL, position INTEGER NOT NULL)');
    await expect(openStore(where)).rejects.toThrow(/holds tables but no operator schema version/);
  });

  describe('leases', () => {
    let store: OperatorStore;
    beforeAll(async () => {
      store = await openStore(await engine.fresh());
    });
    afterAll(async () => store?.close());

    it('one holder at a time; renewing keeps the token; a lapsed lease passes to another with the next token', async () => {
      const a = await store.takeLease('indexer', 'a', 300);
      expect(a).toMatchObject({ role: 'indexer', holder: 'a', token: 1 });
      expect(await store.takeLease('indexer', 'b', 300)).toBeNull();
      expect(await store.leaseHolder('indexer')).toMatchObject({ holder: 'a', token: 1 });
      expect(await store.takeLease('indexer', 'a', 300)).toMatchObject({ holder: 'a', token: 1 });
      await new Promise((r) => setTimeout(r, 400));
      expect(await store.leaseHolder('indexer')).toBeNull();
      const b = await store.takeLease('indexer', 'b', 5_000);
      expect(b).toMatchObject({ holder: 'b', token: 2 });
      expect(await store.takeLease('indexer', 'a', 5_000)).toBeNull();
      // The roles are independent.
      expect(await store.takeLease('webhooks', 'a', 5_000)).toMatchObject({ holder: 'a', token: 1 });
      // A released lease is free at once.
      await store.releaseLease('indexer', 'b');
      expect(await store.takeLease('indexer', 'a', 5_000)).toMatchObject({ holder: 'a', token: 3 });
    });

    it('a write fenced by a stale token is refused and changes nothing', async () => {
      await store.addAccount({ creditAccount: 'CF', owner: 'OF', vault: 'VF', state: newReplayState() });
      const account = (await store.account('OF'))!;
      const stale = (await store.takeLease('crank', 'old', 200))!;
      await new Promise((r) => setTimeout(r, 300));
      expect(await store.takeLease('crank', 'new', 5_000)).toMatchObject({ token: stale.token + 1 });
      const write = (fence = stale) =>
        store.recordTransaction(account, { signature: 'fenced', slot: 1, entries: [entry(0, 'deposit')] }, { creditCursor: 'fenced', vaultCursor: null, state: account.state, low: false }, [{ id: 'hf', type: 'credit.topup', body: '{}' }], fence);
      await expect(write()).rejects.toThrow(LeaseLostError);
      expect(await store.entries('OF')).toEqual([]);
      expect((await store.account('OF'))!.creditCursor).toBeNull();
      await write((await store.leaseHolder('crank'))!);
      expect((await store.entries('OF')).map((e) => e.signature)).toEqual(['fenced']);
    });
  });

  it('two senders claiming at once never get the same webhook row; a lapsed claim is handed out again; a failure is retried later', async () => {
    const store = await openStore(await engine.fresh());
    const other = await openStore(store.engine === 'sqlite' ? (store.where as string) : await postgresUrlOf(store));
    try {
      await store.addAccount({ creditAccount: 'CW', owner: 'OW', vault: 'VW', state: newReplayState() });
      const account = (await store.account('OW'))!;
      const hooks = Array.from({ length: 30 }, (_, i) => ({ id: `w${i}`, type: 'job.locked', body: String(i) }));
      await store.recordTransaction(account, { signature: 'w', slot: 1, entries: [] }, { creditCursor: 'w', vaultCursor: null, state: account.state, low: false }, hooks);
      const now = Date.now();
      const [x, y] = await Promise.all([store.claimWebhooks('x', { now, limit: 20, claimMs: 1_000 }), other.claimWebhooks('y', { now, limit: 20, claimMs: 1_000 })]);
      const ids = [...x, ...y].map((r) => r.id);
      expect(ids).toHaveLength(30);
      expect(new Set(ids).size).toBe(30);
      expect(await store.claimWebhooks('z', { now, claimMs: 1_000 })).toEqual([]);
      // x delivers one and fails one; its other claims lapse and go to z, the failed one only once due again.
      await store.webhookDelivered(x[0].id);
      await store.webhookFailed(x[1].id, 'x', 'HTTP 503', now + 10_000);
      const later = await store.claimWebhooks('z', { now: now + 1_001, limit: 100, claimMs: 60_000 });
      expect(later.map((r) => r.id).sort()).toEqual(ids.filter((id) => id !== x[0].id && id !== x[1].id).sort());
      expect((await store.claimWebhooks('z', { now: now + 10_001, limit: 100, claimMs: 1_000 })).map((r) => [r.id, r.attempts])).toEqual([[x[1].id, 1]]);
      expect(await store.webhookBacklog()).toBe(29);
    } finally {
      await other.close();
      await store.close();
    }
  });

  it('the replay store: of 20 concurrent claims of one key across two connections, exactly one wins', async () => {
    const store = await openStore(await engine.fresh());
    const other = await openStore(store.engine === 'sqlite' ? (store.where as string) : await postgresUrlOf(store));
    try {
      const until = Date.now() + 60_000;
      const won = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).replayStore().claim('key', until)));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(await store.replayStore().claim('key', until)).toBe(false);
      expect(await other.replayStore({ now: () => until + 1 }).claim('key', until + 60_000)).toBe(true); // expired: claimable again
    } finally {
      await other.close();
      await store.close();
    }
  });
});

/** The URL a Postgres store was opened with (its pool's, password included). */
async function postgresUrlOf(store: OperatorStore): Promise<string> {
  return ((store as unknown as { pool: pg.Pool }).pool as unknown as { options: { connectionString: string } }).options.connectionString;
}
