import { BorshCoder, type Idl } from '@coral-xyz/anchor';
import BN from 'bn.js';
import idlJson from '../../idl/job_escrow.json' with { type: 'json' };

/** The program's Anchor IDL (idl/job_escrow.json). */
export const IDL = idlJson as Idl;

/** Anchor's Borsh coder for the IDL: instructions, accounts, events. */
export const coder = new BorshCoder(IDL);

/** An amount in: a JS number (a safe integer), a bigint or a BN. */
export type Amount = number | bigint | BN;

/**
 * The one place where amounts cross into Anchor's BN world.
 * @throws RangeError for a negative or non-integer number.
 */
export function toBN(value: Amount): BN {
  if (BN.isBN(value)) return value as BN;
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`amount ${value} is not a safe integer`);
  }
  const big = BigInt(value);
  if (big < 0n) throw new RangeError(`amount ${value} is negative`);
  return new BN(big.toString());
}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Converts what Anchor's coder returns (snake_case keys, BN numbers) to the
 * SDK's shape: camelCase keys and bigint for every u64/i64.
 */
export function fromAnchor<T>(value: unknown): T {
  if (BN.isBN(value)) return BigInt((value as BN).toString()) as T;
  if (Array.isArray(value)) return value.map((v) => fromAnchor(v)) as T;
  if (value && typeof value === 'object' && value.constructor === Object) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [camel(k), fromAnchor(v)])) as T;
  }
  return value as T;
}
