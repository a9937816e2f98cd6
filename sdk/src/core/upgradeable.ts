// The upgradeable BPF loader's (loader v3, BPFLoaderUpgradeab1e…) byte
// layouts the SDK reads and writes: the ProgramData account's header (where
// the upgrade authority is) and the data of its SetAuthority and
// SetAuthorityChecked instructions. The one home of these rules: the CLI,
// migrations/deploy.ts and both test worlds go through here. No Solana
// library types (keys are 32-byte arrays), like the rest of core/.
//
// The loader serializes its account states and instructions with bincode:
// an enum's variant is a u32 little-endian tag, an Option is one byte (0 or
// 1) then the value.
//   ProgramData: u32 tag 3 | u64 slot (4..12) | Option<Pubkey> authority:
//                option byte at 12, key at 13..45 | the program's bytes
//   Program:     u32 tag 2 | the ProgramData address (4..36)
//   SetAuthority (4):        [4, 0, 0, 0]; accounts: ProgramData (writable),
//                            current authority (signer), new authority
//                            (readonly, optional: omitted = immutable)
//   SetAuthorityChecked (7): [7, 0, 0, 0]; the same accounts, the new
//                            authority a signer too (not optional)
// The ProgramData address is the loader's PDA of seeds [program id].

/** UpgradeableLoaderState variant tags (u32 LE at byte 0). */
export const LOADER_STATE_PROGRAM = 2;
export const LOADER_STATE_PROGRAM_DATA = 3;
/** Byte offsets in a ProgramData account. */
export const PROGRAM_DATA_SLOT_OFFSET = 4;
export const PROGRAM_DATA_AUTHORITY_OPTION_OFFSET = 12;
export const PROGRAM_DATA_AUTHORITY_OFFSET = 13;
/** Bytes of a ProgramData account's header, before the program's own bytes. */
export const PROGRAM_DATA_HEADER_LEN = 45;
/** Byte offset of the ProgramData address in a Program account. */
export const PROGRAM_PROGRAM_DATA_OFFSET = 4;

/** UpgradeableLoaderInstruction variant tags (u32 LE: the whole instruction data of these two). */
export const LOADER_SET_AUTHORITY = 4;
export const LOADER_SET_AUTHORITY_CHECKED = 7;

const tagOf = (data: Uint8Array) => (data.length < 4 ? -1 : data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24));

/** A ProgramData account's header. */
export interface ProgramDataHeader {
  /** The slot the program was last deployed or upgraded in. */
  slot: bigint;
  /** The upgrade authority's 32 bytes, or null when the program is immutable. */
  authority: Uint8Array | null;
}

/**
 * The header of ProgramData account bytes, or null when `data` is not a
 * ProgramData account (too short, another tag, an option byte other than 0
 * or 1).
 */
export function decodeProgramDataHeader(data: Uint8Array): ProgramDataHeader | null {
  if (data.length < PROGRAM_DATA_HEADER_LEN || tagOf(data) !== LOADER_STATE_PROGRAM_DATA) return null;
  const option = data[PROGRAM_DATA_AUTHORITY_OPTION_OFFSET];
  if (option !== 0 && option !== 1) return null;
  let slot = 0n;
  for (let i = 7; i >= 0; i--) slot = (slot << 8n) | BigInt(data[PROGRAM_DATA_SLOT_OFFSET + i]);
  const authority = option === 1 ? data.slice(PROGRAM_DATA_AUTHORITY_OFFSET, PROGRAM_DATA_AUTHORITY_OFFSET + 32) : null;
  return { slot, authority };
}

/** The ProgramData address a Program account's bytes name, or null when they are not a Program account. */
export function decodeProgramAccount(data: Uint8Array): Uint8Array | null {
  if (data.length < PROGRAM_PROGRAM_DATA_OFFSET + 32 || tagOf(data) !== LOADER_STATE_PROGRAM) return null;
  return data.slice(PROGRAM_PROGRAM_DATA_OFFSET, PROGRAM_PROGRAM_DATA_OFFSET + 32);
}

/**
 * ProgramData bytes with `authority` (32 bytes) or none as the upgrade
 * authority: the option byte at 12, the key at 13..45 (zeroed for none, as
 * the loader leaves them). A copy; `programData` is not changed.
 */
export function withUpgradeAuthority(programData: Uint8Array, authority: Uint8Array | null): Uint8Array {
  if (authority && authority.length !== 32) throw new RangeError(`an upgrade authority is 32 bytes, got ${authority.length}`);
  const data = Uint8Array.from(programData);
  data[PROGRAM_DATA_AUTHORITY_OPTION_OFFSET] = authority ? 1 : 0;
  data.set(authority ?? new Uint8Array(32), PROGRAM_DATA_AUTHORITY_OFFSET);
  return data;
}

/** The instruction data of SetAuthority (`checked`: SetAuthorityChecked): the variant's u32 tag, nothing else. */
export function setAuthorityInstructionData(checked = false): Uint8Array {
  return Uint8Array.of(checked ? LOADER_SET_AUTHORITY_CHECKED : LOADER_SET_AUTHORITY, 0, 0, 0);
}
