// `job-escrow idl publish` and `idl fetch` in-process on LiteSVM, where the
// Program Metadata program's binary is not needed: the usage of the
// two-word commands, the refusals, the read path against a metadata account
// written here, and the transactions publish builds (captured instead of
// sent), checked against the canonical PDA derived from its definition and
// against the IDL file. The round trip through the real program is
// tests/validator/idl.test.ts; the one at the end of this file runs on
// LiteSVM when the binary is at hand.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Compression, DataSource, Encoding, Format, getMetadataEncoder } from '@solana-program/program-metadata';
import { address } from '@solana/kit';
import { Keypair, PublicKey, SystemProgram, VersionedTransaction, type Transaction } from '@solana/web3.js';
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../sdk/src/cli/index.js';
import { idlForProgram } from '../../sdk/src/cli/commands/idl.js';
import { UsageError } from '../../sdk/src/cli/options.js';
import { JOB_ESCROW_PROGRAM_ID } from '../../sdk/src/index.js';
import { LiteSVMProvider } from '../../sdk/src/litesvm/provider.js';
import { PROGRAM_PATH, ROOT, TestEnv } from '../shared/index.js';
import { programMetadataBinary } from '../validator/harness.js';

const PM = new PublicKey('ProgM6JCCvbYkfKqJYHePx4xxSUSqJp7rh8Lyv7nk7S');
const LOADER_V3 = new PublicKey('BPFLoaderUpgradeab1e11111111111111111111111');
const IDL_PATH = join(ROOT, 'idl/job_escrow.json');
const IDL_BYTES = readFileSync(IDL_PATH);
const PROGRAM = JOB_ESCROW_PROGRAM_ID.toBase58();
/** The canonical metadata PDA from its definition: [program, "idl" zero-padded to 16 bytes] under the Program Metadata program. */
const METADATA = PublicKey.findProgramAddressSync([JOB_ESCROW_PROGRAM_ID.toBuffer(), Buffer.from('idl'.padEnd(16, '\0'))], PM)[0];
const PROGRAM_DATA = PublicKey.findProgramAddressSync([JOB_ESCROW_PROGRAM_ID.toBuffer()], LOADER_V3)[0];

async function cli(provider: LiteSVMProvider, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { provider, out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('job-escrow idl', () => {
  it('is two commands: idl publish (signs) and idl fetch (read-only), with their own help', async () => {
    const env = new TestEnv();
    const p = new LiteSVMProvider(env.svm, env.admin);
    const help = (await cli(p, '--help')).out;
    expect(help).toContain('\n  idl publish [--idl <path>]\n      upgrade authority (the wallet): write the IDL on-chain');
    expect(help).toContain('\n  idl fetch [--out <path>]\n      ');
    expect(await cli(p, 'idl')).toMatchObject({ code: 2, err: 'error: idl needs a subcommand: idl publish, idl fetch (job-escrow idl --help)' });
    expect(await cli(p, 'idl', 'fly')).toMatchObject({ code: 2, err: 'error: unknown command idl fly (idl has idl publish, idl fetch)' });
    const group = await cli(p, 'idl', '--help');
    expect(group.code).toBe(0);
    expect(group.out).toMatch(/^job-escrow idl <subcommand>\n\nsubcommands:\n  idl publish \[--idl <path>\]\n/);
    const publishHelp = (await cli(p, 'idl', 'publish', '--help')).out;
    expect(publishHelp).toMatch(/^job-escrow idl publish \[--idl <path>\]\n/);
    expect(publishHelp).not.toContain('read-only');
    expect((await cli(p, 'idl', 'fetch', '--help')).out).toMatch(/^job-escrow idl fetch \[--out <path>\]\n\n.*\n\nread-only: /);
    expect(await cli(p, 'idl', 'fetch', '--idl', IDL_PATH)).toMatchObject({ code: 2, err: 'error: idl fetch does not take --idl (job-escrow idl fetch --help lists its options)' });
    expect(await cli(p, 'idl', 'publish', 'extra')).toMatchObject({ code: 2, err: 'error: idl publish takes no arguments, got extra (job-escrow idl publish --help)' });
  });

  it('refuses in one line: nothing published yet, no Program Metadata program, a file that is not an IDL', async () => {
    const env = new TestEnv();
    const p = new LiteSVMProvider(env.svm, env.admin);
    expect(await cli(p, 'idl', 'fetch')).toEqual({ code: 1, out: '', err: `error: no IDL is published for ${PROGRAM}: its metadata account ${METADATA.toBase58()} does not exist (job-escrow idl publish writes it)` });
    expect(await cli(p, 'idl', 'publish')).toEqual({ code: 1, out: '', err: `error: the Program Metadata program (${PM.toBase58()}) is not deployed on this cluster` });
    expect(await cli(p, 'idl', 'publish', '--idl', join(ROOT, 'package.json'))).toEqual({ code: 2, out: '', err: `error: ${join(ROOT, 'package.json')} is not an Anchor IDL (it has no instructions)` });
    expect(await cli(p, 'idl', 'publish', '--idl', join(ROOT, 'no-such.json'))).toEqual({ code: 2, out: '', err: `error: --idl: no file at ${join(ROOT, 'no-such.json')}` });
  });

  it('idl fetch reads a canonical metadata account (zlib, UTF-8, JSON, direct) back byte for byte', async () => {
    const env = new TestEnv();
    const p = new LiteSVMProvider(env.svm, env.admin);
    const compressed = Uint8Array.from(deflateSync(IDL_BYTES));
    const data = getMetadataEncoder().encode({
      program: address(PROGRAM),
      authority: { __option: 'None' },
      mutable: true,
      canonical: true,
      seed: 'idl',
      encoding: Encoding.Utf8,
      compression: Compression.Zlib,
      format: Format.Json,
      dataSource: DataSource.Direct,
      dataLength: compressed.length,
      data: compressed,
    });
    env.setRaw(METADATA, Uint8Array.from(data), PM);
    const dir = mkdtempSync(join(tmpdir(), 'job-escrow-idl-'));
    const out = join(dir, 'idl.json');
    expect(await cli(p, 'idl', 'fetch', '--out', out)).toEqual({ code: 0, out: `idl of ${PROGRAM} written to ${out} (${IDL_BYTES.length} bytes, from ${METADATA.toBase58()})`, err: '' });
    expect(readFileSync(out).equals(IDL_BYTES)).toBe(true);
    const printed = await cli(p, 'idl', 'fetch');
    expect(Buffer.from(`${printed.out}\n`).equals(IDL_BYTES)).toBe(true);
  });

  it("idl publish writes the canonical PDA of seed \"idl\", as the upgrade authority, the file's bytes zlib-compressed", async () => {
    const env = new TestEnv();
    // Publish needs an executable account at the Program Metadata program's id: any program does, as nothing is sent.
    env.svm.addProgramFromFile(PM.toBase58() as never, PROGRAM_PATH);
    const p = new LiteSVMProvider(env.svm, env.admin);
    const sent: (Transaction | VersionedTransaction)[] = [];
    p.sendAndConfirm = async (tx) => {
      sent.push(tx);
      return `signature-${sent.length}`;
    };
    const r = await cli(p, 'idl', 'publish');
    expect(r.err).toBe('');
    expect(r.out).toBe(
      `idl created: ${METADATA.toBase58()} holds the IDL of ${PROGRAM} (${IDL_BYTES.length} bytes, ${r.out.match(/, (\d+) stored/)![1]} stored zlib-compressed), ` +
        `written by ${env.admin.publicKey.toBase58()} in ${sent.length} transaction(s), last signature-${sent.length}`,
    );
    // Every instruction, in order: [program, account keys, data].
    const ixs = sent.flatMap((tx) => {
      const m = (tx as VersionedTransaction).message;
      expect(m.staticAccountKeys[0].equals(env.admin.publicKey)).toBe(true); // the wallet pays
      return m.compiledInstructions.map((ix) => ({ program: m.staticAccountKeys[ix.programIdIndex], keys: ix.accountKeyIndexes.map((i) => m.staticAccountKeys[i]), data: Buffer.from(ix.data) }));
    });
    const pmIxs = ixs.filter((ix) => ix.program.equals(PM));
    const kinds = pmIxs.map((ix) => ix.data[0]);
    // A transfer of the rent to the PDA, then allocate, writes, initialize (the data is larger than one transaction).
    const transfer = ixs.find((ix) => ix.program.equals(SystemProgram.programId))!;
    expect(transfer.keys.map(String)).toEqual([env.admin.publicKey.toBase58(), METADATA.toBase58()]);
    expect(kinds[0]).toBe(7); // allocate
    expect(kinds.at(-1)).toBe(1); // initialize
    expect(kinds.slice(1, -1).every((k) => k === 0)).toBe(true); // writes
    for (const ix of pmIxs) expect(ix.keys[0].equals(METADATA) && ix.keys[1].equals(env.admin.publicKey)).toBe(true);
    const allocate = pmIxs[0];
    expect(allocate.data.subarray(1).equals(Buffer.from('idl'.padEnd(16, '\0')))).toBe(true);
    expect(allocate.keys.slice(2, 4).map(String)).toEqual([PROGRAM, PROGRAM_DATA.toBase58()]);
    const init = pmIxs.at(-1)!;
    expect(init.keys.slice(2, 4).map(String)).toEqual([PROGRAM, PROGRAM_DATA.toBase58()]);
    expect([...init.data.subarray(17, 21)]).toEqual([Encoding.Utf8, Compression.Zlib, Format.Json, DataSource.Direct]);
    // The writes put down exactly the zlib-compressed file.
    const stored = Buffer.alloc(Number(r.out.match(/, (\d+) stored/)![1]));
    for (const w of pmIxs.slice(1, -1)) w.data.subarray(5).copy(stored, w.data.readUInt32LE(1));
    expect(inflateSync(stored).equals(IDL_BYTES)).toBe(true);
  });

  it("refuses a wallet that is not the upgrade authority, and an immutable program", async () => {
    const env = new TestEnv();
    env.svm.addProgramFromFile(PM.toBase58() as never, PROGRAM_PATH);
    const stranger = env.wallet();
    const p = new LiteSVMProvider(env.svm, stranger);
    expect(await cli(p, 'idl', 'publish')).toMatchObject({
      code: 1,
      err: `error: the wallet ${stranger.publicKey.toBase58()} is not the upgrade authority of ${PROGRAM} (${env.admin.publicKey.toBase58()} is): only it writes the canonical IDL`,
    });
    env.setUpgradeAuthority(null);
    expect(await cli(p, 'idl', 'publish')).toMatchObject({ code: 1, err: `error: program ${PROGRAM} is immutable: nobody can write its canonical metadata` });
  });

  it("sets the IDL's address to --program-id's, changing nothing else", () => {
    const text = IDL_BYTES.toString('utf8');
    expect(idlForProgram(text, JOB_ESCROW_PROGRAM_ID, 'x').text).toBe(text);
    const other = Keypair.generate().publicKey;
    const { text: moved, readdressedFrom } = idlForProgram(text, other, 'x');
    expect(readdressedFrom).toBe(PROGRAM);
    expect(moved).toBe(text.replace(`"address": "${PROGRAM}"`, `"address": "${other.toBase58()}"`));
    expect({ ...JSON.parse(moved), address: PROGRAM }).toEqual(JSON.parse(text));
    expect(() => idlForProgram('{', other, 'x')).toThrow(UsageError);
  });

  it.skipIf(!programMetadataBinary())('round trip through the Program Metadata program on LiteSVM (when its binary is at hand)', async () => {
    const env = new TestEnv();
    env.svm.addProgramFromFile(PM.toBase58() as never, programMetadataBinary()!);
    const p = new LiteSVMProvider(env.svm, env.admin);
    expect((await cli(p, 'idl', 'publish')).out).toMatch(/^idl created: /);
    const out = join(mkdtempSync(join(tmpdir(), 'job-escrow-idl-')), 'idl.json');
    expect((await cli(p, 'idl', 'fetch', '--out', out)).code).toBe(0);
    expect(readFileSync(out).equals(IDL_BYTES)).toBe(true);
    expect((await cli(p, 'idl', 'publish')).out).toMatch(/^idl unchanged: /);
  });
});
