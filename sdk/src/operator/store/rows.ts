// What both engines share: the schema version, the row shapes and their
// conversions, and the refusal of a store written by a newer operator.
import { eventId, type HistoryEntry, type HistoryKind, type ReplayState } from '../../history.js';
import type { IndexedAccount, Lease, LeaseRole, StoredEntry } from './types.js';

/**
 * The schema version this code writes: each engine lists this many numbered
 * migrations (1 the first schema; 2 refunds keyed by credit account and job
 * id, as job slots replaced the Job accounts; 3 leases and webhook claims).
 */
export const SCHEMA_VERSION = 3;

export function checkMigrations(engine: string, migrations: readonly string[]): void {
  if (migrations.length !== SCHEMA_VERSION) throw new Error(`${engine}: ${migrations.length} migrations for schema ${SCHEMA_VERSION}`);
}

export function newerSchemaError(where: string, found: number): Error {
  return new Error(`${where} was written by a newer operator (schema ${found}; this one knows ${SCHEMA_VERSION}): upgrade the operator, or point it at another database`);
}

/** A database with tables but no schema version: not one this operator's migrations wrote. */
export function unversionedError(where: string): Error {
  return new Error(`${where} holds tables but no operator schema version (an operator from before 1.0, or another program's database): the index is rebuilt from the chain, so move it away (or point --db elsewhere) and start again`);
}

export const stateToText = (s: ReplayState) =>
  JSON.stringify({ vaultAmount: String(s.vaultAmount), fees: String(s.fees), locked: String(s.locked), jobLocks: [...s.jobLocks].map(([k, v]) => [String(k), String(v)]) });
const stateFromText = (t: string): ReplayState => {
  const o = JSON.parse(t) as { vaultAmount: string; fees: string; locked: string; jobLocks: [string, string][] };
  return { vaultAmount: BigInt(o.vaultAmount), fees: BigInt(o.fees), locked: BigInt(o.locked), jobLocks: new Map(o.jobLocks.map(([k, v]) => [BigInt(k), BigInt(v)])) };
};

export type AccountRow = { credit_account: string; owner: string; vault: string; credit_cursor: string | null; vault_cursor: string | null; state: string; low: number };
export type EntryRow = {
  signature: string;
  position: number;
  slot: number | string;
  block_time: number | string | null;
  owner: string;
  kind: string;
  job_id: string | null;
  credits: string;
  usdc: string;
  available_after: string;
  locked_after: string;
};
export type LeaseRow = { role: string; holder: string; token: number | string; expires_at_ms: number | string };

export const toAccount = (r: AccountRow): IndexedAccount => ({
  creditAccount: r.credit_account,
  owner: r.owner,
  vault: r.vault,
  creditCursor: r.credit_cursor,
  vaultCursor: r.vault_cursor,
  state: stateFromText(r.state),
  low: Number(r.low) === 1,
});

export const toEntry = (r: EntryRow): StoredEntry => ({
  id: eventId(r.signature, r.position),
  signature: r.signature,
  position: Number(r.position),
  slot: Number(r.slot),
  blockTime: r.block_time === null ? null : Number(r.block_time),
  owner: r.owner,
  kind: r.kind as HistoryKind,
  jobId: r.job_id,
  credits: BigInt(r.credits),
  usdc: BigInt(r.usdc),
  availableAfter: BigInt(r.available_after),
  lockedAfter: BigInt(r.locked_after),
});

export const toLease = (r: LeaseRow): Lease => ({ role: r.role as LeaseRole, holder: r.holder, token: Number(r.token), expiresAtMs: Number(r.expires_at_ms) });

/** An entry's columns in insert order: signature, position, slot, block_time, owner, kind, job_id, credits, usdc, available_after, locked_after. */
export const entryParams = (owner: string, tx: { signature: string; slot: number }, e: HistoryEntry) =>
  [tx.signature, e.position, tx.slot, e.blockTime, owner, e.kind, e.jobId?.toString() ?? null, String(e.credits), String(e.usdc), String(e.availableAfter), String(e.lockedAfter)] as const;

/**
 * How an account's entries are listed, newest first: by the slot their
 * transaction landed in, then by when they were indexed. The slot comes
 * first because an older transaction backfilled after a gap in the stream is
 * indexed after newer ones it must still be listed behind; `before` cursors
 * compare the same pair.
 */
export const ENTRY_ORDER = 'ORDER BY slot DESC, seq DESC';

/** Splits a `before` cursor: an entry id `<signature>:<position>` or a bare signature. */
export function parseBefore(before: string): { signature: string; position: number | null } {
  const [signature, position] = before.split(':');
  return { signature, position: position === undefined ? null : Number(position) };
}

/** A Postgres URL with its password masked, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
