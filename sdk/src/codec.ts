// The program's Borsh wire format, driven by the IDL and encoded by the
// `borsh` package (no Buffer, so it runs in a browser as it is): instruction
// data, account bytes and events. The IDL is the one description; this file
// only maps its types onto borsh's schema and its values onto the SDK's
// (PublicKey for pubkeys, bigint for 64-bit integers, camelCase keys).
import { PublicKey } from '@solana/web3.js';
import { deserialize, serialize, type Schema } from 'borsh';
import { IDL, type InstructionName, type JobEscrowIdl } from './idl.js';

type IdlType = string | { option: IdlType } | { vec: IdlType } | { array: readonly [IdlType, number] } | { defined: { name: string } };
type Field = { readonly name: string; readonly type: unknown };

const TYPES = new Map<string, readonly Field[]>(IDL.types.map((t) => [t.name, t.type.fields as readonly Field[]]));

function fieldsOf(name: string): readonly Field[] {
  const fields = TYPES.get(name);
  if (!fields) throw new Error(`the IDL has no type ${name}`);
  return fields;
}

function schemaOf(type: IdlType): Schema {
  if (type === 'pubkey') return { array: { type: 'u8', len: 32 } };
  if (typeof type === 'string') return type as Schema;
  if ('option' in type) return { option: schemaOf(type.option) };
  // borsh's array without `len` is a Vec: a u32 LE count, then the items.
  if ('vec' in type) return { array: { type: schemaOf(type.vec) } };
  if ('array' in type) return { array: { type: schemaOf(type.array[0]), len: type.array[1] } };
  return structSchema(fieldsOf(type.defined.name));
}

function structSchema(fields: readonly Field[]): Schema {
  return { struct: Object.fromEntries(fields.map((f) => [f.name, schemaOf(f.type as IdlType)])) };
}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** SDK value → borsh value (pubkeys as bytes, structs by IDL field name). */
function toWire(type: IdlType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'pubkey') return (value as PublicKey).toBytes();
  if (typeof type === 'string') return value;
  if ('option' in type) return toWire(type.option, value);
  if ('vec' in type) return (value as unknown[]).map((v) => toWire(type.vec, v));
  if ('array' in type) return (value as unknown[]).map((v) => toWire(type.array[0], v));
  const v = value as Record<string, unknown>;
  return Object.fromEntries(fieldsOf(type.defined.name).map((f) => [f.name, toWire(f.type as IdlType, v[f.name] ?? v[camel(f.name)])]));
}

/** borsh value → SDK value (PublicKey, bigint for 64-bit, number below, camelCase keys). */
function fromWire(type: IdlType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'pubkey') return new PublicKey(Uint8Array.from(value as number[]));
  if (typeof type === 'string') return value;
  if ('option' in type) return fromWire(type.option, value);
  if ('vec' in type) return (value as unknown[]).map((v) => fromWire(type.vec, v));
  if ('array' in type) return (value as unknown[]).map((v) => fromWire(type.array[0], v));
  return fromFields(fieldsOf(type.defined.name), value as Record<string, unknown>);
}

function fromFields(fields: readonly Field[], value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [camel(f.name), fromWire(f.type as IdlType, value[f.name])]));
}

function startsWith(data: Uint8Array, prefix: readonly number[]): boolean {
  return data.length >= prefix.length && prefix.every((b, i) => data[i] === b);
}

/** Instruction data: the 8-byte discriminator, then the arguments in IDL order (keys by the IDL's snake_case names). */
export function encodeInstructionData(name: InstructionName, args: Record<string, unknown>): Uint8Array {
  const ix = IDL.instructions.find((i) => i.name === name)!;
  const fields = ix.args as readonly Field[];
  const wire = Object.fromEntries(fields.map((f) => [f.name, toWire(f.type as IdlType, args[f.name])]));
  const body = serialize(structSchema(fields), wire);
  const out = new Uint8Array(8 + body.length);
  out.set(ix.discriminator);
  out.set(body, 8);
  return out;
}

/** The instruction whose discriminator starts `data`, or null. */
export function instructionNameOf(data: Uint8Array): InstructionName | null {
  return IDL.instructions.find((i) => startsWith(data, i.discriminator))?.name ?? null;
}

export type AccountName = JobEscrowIdl['accounts'][number]['name'];

/** The 8-byte discriminator of account type `name`. */
export function accountDiscriminator(name: AccountName): Uint8Array {
  return Uint8Array.from(IDL.accounts.find((a) => a.name === name)!.discriminator);
}

/**
 * Decodes a program account's bytes.
 * @throws Error when the discriminator is not `name`'s.
 */
export function decodeAccountData<T>(name: AccountName, data: Uint8Array): T {
  if (!startsWith(data, IDL.accounts.find((a) => a.name === name)!.discriminator)) throw new Error(`the data is not a ${name} account`);
  const fields = fieldsOf(name);
  return fromFields(fields, deserialize(structSchema(fields), data.subarray(8), false) as Record<string, unknown>) as T;
}

/** One decoded event, or null when `data` is not one of the program's events. */
export function decodeEventData(data: Uint8Array): { name: string; data: Record<string, unknown> } | null {
  const event = IDL.events.find((e) => startsWith(data, e.discriminator));
  if (!event) return null;
  const fields = fieldsOf(event.name);
  return { name: event.name, data: fromFields(fields, deserialize(structSchema(fields), data.subarray(8), false) as Record<string, unknown>) };
}
