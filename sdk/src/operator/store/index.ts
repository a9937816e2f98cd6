// The operator's store: one interface (OperatorStore, ./types.ts), two
// engines, and openStore, which picks one by the address it is given:
//   - SQLite (./sqlite.ts, better-sqlite3): the embedded default, one
//     operator process on one file (demo, a single machine, no setup).
//   - Postgres (./postgres.ts, pg): several operator processes on one
//     database, each serving the API, the crank, the indexer and the
//     webhook sender each run by one of them at a time under a lease.
// Every query the operator makes goes through the interface; the SQL that
// differs lives once per engine, in that engine's file, with its numbered
// migrations (./rows.ts has what both share).
import type { OperatorStore } from './types.js';

export * from './types.js';
export { SCHEMA_VERSION, redactUrl } from './rows.js';

/** The default SQLite file. */
export const DEFAULT_STORE = 'job-escrow-operator.sqlite';

/** `postgres://…` or `postgresql://…`: a Postgres database; anything else is a SQLite file (`:memory:` for none). */
export function isPostgresUrl(where: string): boolean {
  return /^postgres(ql)?:\/\//i.test(where);
}

/**
 * Opens the store `where` names (a Postgres URL or a SQLite path), applying
 * its migrations. Each engine's driver is loaded only when used: SQLite
 * needs better-sqlite3, Postgres needs pg.
 */
export async function openStore(where: string = DEFAULT_STORE): Promise<OperatorStore> {
  if (isPostgresUrl(where)) {
    const { PostgresStore } = await import('./postgres.js');
    return PostgresStore.open(where);
  }
  const { SqliteStore } = await import('./sqlite.js');
  return SqliteStore.open(where);
}
