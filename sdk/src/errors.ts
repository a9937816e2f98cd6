import type { PublicKey } from '@solana/web3.js';
import { IDL } from './idl.js';

/** Every custom error of the program, by code (from the IDL). */
export const PROGRAM_ERRORS: ReadonlyMap<number, { name: string; msg: string }> = new Map(
  (IDL.errors ?? []).map((e) => [e.code, { name: e.name, msg: e.msg ?? e.name }]),
);

/** Error names as a const-like object: `JobEscrowErrorCode.Paused === 6014`. */
export const JobEscrowErrorCode: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries([...PROGRAM_ERRORS].map(([code, { name }]) => [name, code])),
);

/** A transaction rejected by the job_escrow program with one of its custom errors. */
export class JobEscrowError extends Error {
  readonly code: number;
  readonly logs: string[];
  constructor(code: number, logs: string[] = []) {
    const known = PROGRAM_ERRORS.get(code);
    super(known ? `${known.name} (${code}): ${known.msg}` : `unknown program error ${code}`);
    this.name = known?.name ?? 'JobEscrowError';
    this.code = code;
    this.logs = logs;
  }
}

/** True when `err` is a JobEscrowError, and has `code` if given. */
export function isJobEscrowError(err: unknown, code?: number): err is JobEscrowError {
  return err instanceof JobEscrowError && (code === undefined || err.code === code);
}

/**
 * Finds the program's custom error code in transaction logs
 * ("Program <id> failed: custom program error: 0x1770").
 */
export function errorCodeFromLogs(logs: readonly string[]): number | undefined {
  for (const line of logs) {
    const m = /custom program error: 0x([0-9a-f]+)/i.exec(line);
    if (m) return parseInt(m[1], 16);
  }
  return undefined;
}

/** A fetch* helper found no account (or one the program does not own) at the address. */
export class AccountNotFoundError extends Error {
  constructor(
    readonly kind: string,
    readonly address: PublicKey,
  ) {
    super(`no ${kind} account at ${address.toBase58()}`);
    this.name = 'AccountNotFoundError';
  }
}

/** Logs carried by the errors of web3.js (SendTransactionError), Anchor, bankrun and the LiteSVM provider. */
function logsOf(err: unknown): string[] {
  const e = err as { logs?: unknown; transactionLogs?: unknown; transactionMessage?: string; message?: string };
  for (const candidate of [e?.logs, e?.transactionLogs]) {
    if (Array.isArray(candidate)) return candidate.map(String);
  }
  return [];
}

/**
 * Turns whatever a provider threw into a JobEscrowError when the program
 * rejected the transaction with one of its custom errors; returns anything
 * else unchanged.
 */
export function translateError(err: unknown): unknown {
  if (err instanceof JobEscrowError) return err;
  const logs = logsOf(err);
  const code = errorCodeFromLogs(logs) ?? errorCodeFromLogs([String((err as Error)?.message ?? '')]);
  return code !== undefined && PROGRAM_ERRORS.has(code) ? new JobEscrowError(code, logs) : err;
}
