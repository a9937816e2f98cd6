export const U64_MAX = (1n << 64n) - 1n;

/**
 * An unsigned integer checked against its width: a safe-integer number or a
 * bigint. The SDKs' argument checks (BN is converted before this) go here.
 * @throws RangeError naming `field` for a non-integer, a negative value or one that does not fit `bits` bits.
 */
export function toUnsignedBigint(value: number | bigint, field: string, bits: 8 | 16 | 32 | 64): bigint {
  let big: bigint;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${field} must be a whole number, got ${value}`);
    big = BigInt(value);
  } else if (typeof value === 'bigint') big = value;
  else throw new RangeError(`${field} must be a number, bigint or BN, got ${typeof value}`);
  if (big < 0n) throw new RangeError(`${field} cannot be negative, got ${big}`);
  const max = bits === 64 ? U64_MAX : (1n << BigInt(bits)) - 1n;
  if (big > max) throw new RangeError(`${field} must be at most ${max} (u${bits}), got ${big}`);
  return big;
}
