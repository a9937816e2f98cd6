import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PublicKey } from '@solana/web3.js';
import { UsageError, defineCommand, wholeNumber } from '../options.js';

// `idl publish` and `idl fetch`: the IDL on-chain as the program's canonical
// metadata of seed "idl" (sdk/src/programMetadata.ts, loaded on demand: it
// brings in @solana/kit and the Program Metadata client).

/**
 * The IDL this CLI ships: job_escrow.json next to the bundle (the package's
 * dist/, its `./idl.json` export), else the repository's idl/job_escrow.json
 * above the sources (a checkout).
 */
export function shippedIdlPath(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    for (const path of [join(dir, 'job_escrow.json'), join(dir, 'idl', 'job_escrow.json')]) if (existsSync(path)) return path;
  }
  return undefined;
}

/**
 * `text` as the IDL of `programId`: the file as it is when its `address` is
 * that program (so what is published is byte for byte the file), else with
 * only the top-level `address` replaced (an operator's own deployment of
 * the same program).
 */
export function idlForProgram(text: string, programId: PublicKey, label: string): { text: string; readdressedFrom?: string } {
  let idl: { address?: unknown; instructions?: unknown };
  try {
    idl = JSON.parse(text) as typeof idl;
  } catch (e) {
    throw new UsageError(`${label} is not JSON: ${(e as Error).message}`);
  }
  if (typeof idl !== 'object' || idl === null || !Array.isArray(idl.instructions)) throw new UsageError(`${label} is not an Anchor IDL (it has no instructions)`);
  const id = programId.toBase58();
  if (idl.address === id) return { text };
  if (typeof idl.address !== 'string') throw new UsageError(`${label} has no top-level "address"`);
  const from = idl.address;
  const next = text.replace(new RegExp(`("address"\\s*:\\s*")${from}(")`), `$1${id}$2`);
  const check = JSON.parse(next) as { address?: unknown };
  if (check.address !== id || JSON.stringify({ ...check, address: from }) !== JSON.stringify(idl)) {
    throw new UsageError(`cannot set the address of ${label} to ${id}: edit its "address", or publish for --program-id ${from}`);
  }
  return { text: next, readdressedFrom: from };
}

export const idlPublish = defineCommand({
  name: 'idl publish',
  summary:
    'upgrade authority (the wallet): write the IDL on-chain as the program\'s canonical metadata (Program Metadata program, seed "idl", zlib-compressed JSON), ' +
    'where explorers and Anchor read it; creates or updates it, sends nothing when it is already the same',
  options: {
    idl: { type: 'string', placeholder: 'path', help: "the IDL file (default: the IDL shipped with this CLI; its address is set to --program-id's when they differ)" },
  },
  async run({ v, client, wallet, out }) {
    const authority = wallet();
    const path = v.idl ?? shippedIdlPath();
    if (!path) throw new UsageError('no IDL is shipped next to this CLI: pass --idl <path>');
    if (!existsSync(path)) throw new UsageError(`--idl: no file at ${path}`);
    const { text, readdressedFrom } = idlForProgram(readFileSync(path, 'utf8'), client.programId, path);
    const { publishIdl } = await import('../../programMetadata.js');
    const r = await publishIdl(client.provider, { programId: client.programId, idl: text, priorityFeeMicroLamports: wholeNumber(v, 'priority-fee') || undefined });
    const program = client.programId.toBase58();
    const readdressed = readdressedFrom ? `; its address set from ${readdressedFrom}` : '';
    if (r.action === 'unchanged') {
      out(`idl unchanged: ${r.address.toBase58()} already holds this IDL of ${program} (${r.idlBytes} bytes); nothing sent${readdressed}`);
      return;
    }
    out(
      `idl ${r.action}: ${r.address.toBase58()} holds the IDL of ${program} (${r.idlBytes} bytes, ${r.storedBytes} stored zlib-compressed), ` +
        `written by ${authority.toBase58()} in ${r.signatures.length} transaction(s), last ${r.signatures.at(-1)}${readdressed}`,
    );
  },
});

export const idlFetch = defineCommand({
  name: 'idl fetch',
  summary: "the program's IDL read back from its canonical metadata account: printed, or written to --out byte for byte as published",
  readOnly: true,
  options: {
    out: { type: 'string', placeholder: 'path', help: 'write the IDL to this file instead of printing it' },
  },
  async run({ v, client, out }) {
    const { fetchPublishedIdl, findIdlMetadataAddress } = await import('../../programMetadata.js');
    const program = client.programId.toBase58();
    const idl = await fetchPublishedIdl(client.connection, { programId: client.programId });
    if (!idl) throw new Error(`no IDL is published for ${program}: its metadata account ${(await findIdlMetadataAddress(client.programId)).toBase58()} does not exist (job-escrow idl publish writes it)`);
    if (v.out) {
      writeFileSync(v.out, idl.content);
      out(`idl of ${program} written to ${v.out} (${Buffer.byteLength(idl.content)} bytes, from ${idl.address.toBase58()}${idl.mutable ? '' : ', immutable'})`);
      return;
    }
    // One trailing newline, as the file has it: `idl fetch > x.json` gives the file back.
    out(idl.content.endsWith('\n') ? idl.content.slice(0, -1) : idl.content);
  },
});
