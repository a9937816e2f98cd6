import type { PublicKey } from '@solana/web3.js';
import { IDL, type JobEscrowIdl } from './idl.js';
import { JOB_ESCROW_PROGRAM_ID } from './constants.js';

type IdlError = JobEscrowIdl['errors'][number];

/** A custom error code of the program (a literal union: 6000 | 6001 | …). */
export type JobEscrowErrorCode = IdlError['code'];
/** A custom error name of the program. */
export type JobEscrowErrorName = IdlError['name'];

/**
 * Error codes by name, literal-typed from the IDL: `JobEscrowErrorCode.Paused`
 * is `6014`; a misspelt name does not compile.
 */
export const JobEscrowErrorCode = Object.freeze(Object.fromEntries(IDL.errors.map((e) => [e.name, e.code]))) as {
  readonly [E in IdlError as E['name']]: E['code'];
};

/** Every custom error of the program, by code (from the IDL). */
export const PROGRAM_ERRORS: ReadonlyMap<number, { name: JobEscrowErrorName; msg: string }> = new Map(
  IDL.errors.map((e) => [e.code, { name: e.name, msg: e.msg }]),
);

// A brand shared by every copy of this module (the ESM and the CJS build of
// the package can both be loaded in one process): `instanceof` and
// isJobEscrowError recognise an error made by either.
const BRAND = Symbol.for('@job-escrow/sdk:JobEscrowError');

/** A transaction rejected by the job_escrow program with one of its custom errors. */
export class JobEscrowError extends Error {
  readonly code: JobEscrowErrorCode;
  readonly logs: string[];
  readonly [BRAND] = true;

  /** @throws RangeError for a code the program does not have. */
  constructor(code: number, logs: string[] = []) {
    const known = PROGRAM_ERRORS.get(code);
    if (!known) throw new RangeError(`${code} is not a job_escrow error code`);
    super(`${known.name} (${code}): ${known.msg}`);
    this.name = known.name;
    this.code = code as JobEscrowErrorCode;
    this.logs = logs;
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }
}

/**
 * True when `err` is a JobEscrowError (from either build of the SDK) and, if
 * `code` is given, has that code.
 * @throws RangeError when `code` is not one of the program's error codes.
 */
export function isJobEscrowError(err: unknown, code?: JobEscrowErrorCode): err is JobEscrowError {
  if (code !== undefined && !PROGRAM_ERRORS.has(code)) throw new RangeError(`${code} is not a job_escrow error code`);
  return err instanceof JobEscrowError && (code === undefined || err.code === code);
}

/**
 * The custom error code of the program that failed, from transaction logs
 * ("Program <id> failed: custom program error: 0x1770"); with `programId`,
 * only that program's failure counts.
 */
export function errorCodeFromLogs(logs: readonly string[], programId?: PublicKey): number | undefined {
  // "Program <id> failed: custom program error: 0x…" in logs; a bare
  // "custom program error: 0x…" in an error message names no program.
  // The first failure logged is the innermost: the program that raised the
  // error. Each caller up the CPI stack then fails with the same code, so
  // with `programId` the code counts only when that program raised it: a
  // Token program failure under job_escrow is not a job_escrow error.
  const pattern = /(?:Program (\w+) failed: )?custom program error: 0x([0-9a-f]+)/i;
  for (const line of logs) {
    const m = pattern.exec(line);
    if (!m) continue;
    if (programId && m[1] !== programId.toBase58()) return undefined;
    return parseInt(m[2], 16);
  }
  return undefined;
}

/** A fetch or a client call found no account (or one the program does not own) where one was needed. */
export class AccountNotFoundError extends Error {
  name = 'AccountNotFoundError';
  constructor(
    readonly kind: 'Config' | 'CreditAccount',
    readonly address: PublicKey,
    message = `no ${kind} account at ${address.toBase58()}`,
  ) {
    super(message);
  }
}

/** The wallet's token account holds less USDC than the transaction moves. */
export class InsufficientFundsError extends Error {
  name = 'InsufficientFundsError';
  constructor(
    readonly source: PublicKey,
    readonly balance: bigint,
    readonly needed: bigint,
  ) {
    super(`not enough USDC: ${source.toBase58()} holds ${balance} base units, the purchase needs ${needed}`);
  }
}

/** Logs carried by the errors of web3.js (SendTransactionError), Anchor, bankrun and the LiteSVM provider. */
export function logsOf(err: unknown): string[] {
  const e = err as { logs?: unknown; transactionLogs?: unknown };
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
export function translateError(err: unknown, programId: PublicKey = JOB_ESCROW_PROGRAM_ID): unknown {
  if (err instanceof JobEscrowError) return err;
  const logs = logsOf(err);
  // With logs, only a failure raised by `programId` itself; without (an error message alone), the bare code.
  const code = logs.length ? errorCodeFromLogs(logs, programId) : errorCodeFromLogs([String((err as Error)?.message ?? '')]);
  return code !== undefined && PROGRAM_ERRORS.has(code) ? new JobEscrowError(code, logs) : err;
}
