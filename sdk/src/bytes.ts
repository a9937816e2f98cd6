// Little-endian integers in plain Uint8Arrays: no Buffer, so the modules that
// use them run in a browser as they are.
import { toUnsigned, type Amount } from './idl.js';

const view = (data: Uint8Array) => new DataView(data.buffer, data.byteOffset, data.byteLength);

/** A u64 as 8 little-endian bytes (PDA seeds). @throws RangeError naming `field`. */
export function u64Bytes(value: Amount, field = 'amount'): Uint8Array {
  const out = new Uint8Array(8);
  view(out).setBigUint64(0, toUnsigned(value, field, 64), true);
  return out;
}

/** The u64 at `offset`. */
export function readU64(data: Uint8Array, offset: number): bigint {
  return view(data).getBigUint64(offset, true);
}

/** The i64 at `offset`. */
export function readI64(data: Uint8Array, offset: number): bigint {
  return view(data).getBigInt64(offset, true);
}
