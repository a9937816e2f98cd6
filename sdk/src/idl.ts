import BN from 'bn.js';
import { toUnsignedBigint } from './core/uint.js';
import { IDL as GENERATED, type JobEscrowIdl } from './generated/idl.js';

/** The program's Anchor IDL (idl/job_escrow.json), typed as a literal: instruction, account and error names are known to the compiler. */
export const IDL: JobEscrowIdl = GENERATED;
export type { JobEscrowIdl };

/** An amount in: a JS number (a safe integer), a bigint or a BN (Anchor's). */
export type Amount = number | bigint | BN;

/** An instruction's name, as the IDL spells it. */
export type InstructionName = JobEscrowIdl['instructions'][number]['name'];

/**
 * An unsigned integer argument checked against its width.
 * @throws RangeError naming `field` for a non-integer, a negative value or one that does not fit `bits` bits.
 */
export function toUnsigned(value: Amount, field: string, bits: 8 | 16 | 32 | 64): bigint {
  return toUnsignedBigint(BN.isBN(value) ? BigInt((value as BN).toString()) : (value as number | bigint), field, bits);
}

/** A u64 argument as a bigint. @throws RangeError naming `field` for a negative, fractional or over-u64 amount. */
export function toU64(value: Amount, field = 'amount'): bigint {
  return toUnsigned(value, field, 64);
}

/** A unix time in seconds (a non-negative i64). @throws RangeError naming `field`. */
export function toUnixTime(value: Amount, field: string): bigint {
  const t = toUnsigned(value, field, 64);
  if (t >= 1n << 63n) throw new RangeError(`${field} must be at most ${(1n << 63n) - 1n} (i64), got ${t}`);
  return t;
}

/** A u8/u16/u32 argument as a JS number. @throws RangeError naming `field`. */
export function toSmall(value: number, field: string, bits: 8 | 16 | 32): number {
  return Number(toUnsigned(value, field, bits));
}
