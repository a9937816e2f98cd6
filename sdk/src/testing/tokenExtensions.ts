// Token-2022 mints with extensions for the test worlds (web3.js:
// ./world.ts; Kit: ../kit/testing.ts): the mint's 82 classic bytes, zero
// padding to 165, `AccountType::Mint` (1) at byte 165, then one TLV entry per
// extension (u16 LE type, u16 LE length, value), as spl-token-2022 lays them
// out. Keys are 32-byte arrays (no Solana library types), all zero for
// "none". The program's policy on each (docs/token-2022.md) is what the
// tests check.

/** A Token-2022 mint extension: its `ExtensionType` number and value bytes. */
export interface MintExtension {
  type: number;
  value: Uint8Array;
}

type Key = Uint8Array;
const NONE: Key = new Uint8Array(32);

function bytes(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const u16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
function u64(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n, true);
  return out;
}

/** Builders of the mint extensions (ExtensionType numbers from spl-token-2022). */
export const mintExtension = {
  /** 1: config authority, withdraw authority, withheld, older and newer fee {epoch, maximum, basis points}. */
  transferFeeConfig({ authority = NONE, withdrawAuthority = NONE, olderBps = 0, newerBps = 0, maximumFee = 0n }: { authority?: Key; withdrawAuthority?: Key; olderBps?: number; newerBps?: number; maximumFee?: bigint } = {}): MintExtension {
    const fee = (bps: number) => bytes(u64(0n), u64(maximumFee), u16(bps));
    return { type: 1, value: bytes(authority, withdrawAuthority, u64(0n), fee(olderBps), fee(newerBps)) };
  },
  /** 3: who may close the mint (only at zero supply). */
  mintCloseAuthority(authority: Key): MintExtension {
    return { type: 3, value: bytes(authority) };
  },
  /** 4: authority, auto-approve new accounts, auditor ElGamal key. */
  confidentialTransferMint(authority: Key = NONE): MintExtension {
    return { type: 4, value: bytes(authority, [0], NONE) };
  },
  /** 6: the state new accounts start in (1 Initialized, 2 Frozen). */
  defaultAccountState(state: 1 | 2): MintExtension {
    return { type: 6, value: bytes([state]) };
  },
  /** 9: tokens cannot move. */
  nonTransferable(): MintExtension {
    return { type: 9, value: new Uint8Array(0) };
  },
  /** 10: rate authority, initialization timestamp, pre-update average rate, last update timestamp, current rate. */
  interestBearingConfig(authority: Key = NONE): MintExtension {
    return { type: 10, value: bytes(authority, u64(0n), u16(0), u64(0n), u16(0)) };
  },
  /** 12: a delegate of every account of the mint. */
  permanentDelegate(delegate: Key): MintExtension {
    return { type: 12, value: bytes(delegate) };
  },
  /** 14: authority, hook program id. */
  transferHook({ authority = NONE, programId = NONE }: { authority?: Key; programId?: Key } = {}): MintExtension {
    return { type: 14, value: bytes(authority, programId) };
  },
  /** 18: authority, metadata address. */
  metadataPointer(authority: Key, metadataAddress: Key): MintExtension {
    return { type: 18, value: bytes(authority, metadataAddress) };
  },
  /** 20: authority, group address. */
  groupPointer(authority: Key, groupAddress: Key): MintExtension {
    return { type: 20, value: bytes(authority, groupAddress) };
  },
  /** 26: pause authority, paused. */
  pausable(authority: Key, paused = false): MintExtension {
    return { type: 26, value: bytes(authority, [paused ? 1 : 0]) };
  },
  /** Any type and value (an account extension on a mint, a type newer than the program). */
  raw(type: number, value: Uint8Array = new Uint8Array(0)): MintExtension {
    return { type, value };
  },
};

/** Where a Token-2022 account keeps its AccountType. */
const ACCOUNT_TYPE_OFFSET = 165;
/** A multisig's length, which Token-2022 never gives an account with extensions. */
const MULTISIG_LEN = 355;

/**
 * The bytes of a Token-2022 mint: `base` (the 82 classic bytes) alone when
 * there are no extensions, else padded, typed and followed by `extensions`.
 */
export function withMintExtensions(base: Uint8Array, extensions: readonly MintExtension[]): Uint8Array {
  if (!extensions.length) return base;
  const head = new Uint8Array(ACCOUNT_TYPE_OFFSET + 1);
  head.set(base);
  head[ACCOUNT_TYPE_OFFSET] = 1;
  const out = bytes(head, ...extensions.map((e) => bytes(u16(e.type), u16(e.value.length), e.value)));
  // spl-token-2022 grows an account that would be a multisig's length by one type's size.
  return out.length === MULTISIG_LEN ? bytes(out, [0, 0]) : out;
}
