// The IDL on-chain through the Program Metadata program, against a real
// solana-test-validator: `job-escrow idl publish` writes idl/job_escrow.json
// as the program's canonical metadata (seed "idl"), signed by the upgrade
// authority; `job-escrow idl fetch` and, independently, the Program Metadata
// JS client (@solana-program/program-metadata over Kit's RPC) read it back
// byte for byte. The CLI runs in-process (runCli) with --url and --keypair
// as a user passes them, so this file builds nothing in sdk/dist.
//
// It needs the Program Metadata program's binary (harness.ts:
// programMetadataBinary, $JOB_ESCROW_PROGRAM_METADATA_SO or the cache). No
// package registry publishes one (docs/idl-on-chain.md), so without it the
// suite is skipped and says so.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Compression, DataSource, Encoding, Format, fetchMetadataContent, fetchMetadataFromSeeds } from '@solana-program/program-metadata';
import { address, createSolanaRpc } from '@solana/kit';
import { PublicKey } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../sdk/src/cli/index.js';
import { JOB_ESCROW_PROGRAM_ID } from '../../sdk/src/index.js';
import { ROOT } from '../shared/index.js';
import { PROGRAM_METADATA_PROGRAM_ID, programMetadataBinary, programMetadataBinaryPath, startValidator, type LocalValidator } from './harness.js';

const IDL_PATH = join(ROOT, 'idl/job_escrow.json');
const IDL_BYTES = readFileSync(IDL_PATH);
const PROGRAM = JOB_ESCROW_PROGRAM_ID.toBase58();
/** The canonical metadata PDA, derived here from its definition: [program, "idl" zero-padded to 16 bytes] under the Program Metadata program. */
const METADATA = PublicKey.findProgramAddressSync([JOB_ESCROW_PROGRAM_ID.toBuffer(), Buffer.from('idl'.padEnd(16, '\0'))], new PublicKey(PROGRAM_METADATA_PROGRAM_ID))[0].toBase58();

const binary = programMetadataBinary();
if (!binary) console.warn(`[idl.test] skipped: no Program Metadata program binary at ${programMetadataBinaryPath()} (set JOB_ESCROW_PROGRAM_METADATA_SO; docs/idl-on-chain.md)`);

describe.skipIf(!binary)('the IDL on-chain (Program Metadata program) against solana-test-validator', () => {
  let v: LocalValidator;
  let dir: string;

  /** `job-escrow <argv> --url <validator>` in-process: exit code and output lines. */
  async function cli(keypair: string, ...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...argv, '--url', v.url, '--keypair', keypair], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  beforeAll(async () => {
    v = await startValidator({ rpcPort: 28899, withProgramMetadata: true });
    dir = mkdtempSync(join(tmpdir(), 'job-escrow-idl-'));
  });
  afterAll(async () => {
    await v?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('before publishing, idl fetch says there is none, in one line', async () => {
    const r = await cli(join(dir, 'no-such-keypair.json'), 'idl', 'fetch');
    expect(r).toEqual({ code: 1, out: '', err: `error: no IDL is published for ${PROGRAM}: its metadata account ${METADATA} does not exist (job-escrow idl publish writes it)` });
  });

  it('only the upgrade authority publishes', async () => {
    const stranger = await v.wallet();
    const r = await cli(stranger.path, 'idl', 'publish');
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: the wallet ${stranger.keypair.publicKey.toBase58()} is not the upgrade authority of ${PROGRAM} (${v.admin.publicKey.toBase58()} is): only it writes the canonical IDL`);
    expect(await v.connection.getAccountInfo(new PublicKey(METADATA))).toBeNull();
  });

  it('idl publish writes the shipped IDL as the canonical metadata of seed "idl"', async () => {
    const r = await cli(v.adminKeypairPath, 'idl', 'publish');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      new RegExp(`^idl created: ${METADATA} holds the IDL of ${PROGRAM} \\(${IDL_BYTES.length} bytes, \\d+ stored zlib-compressed\\), written by ${v.admin.publicKey.toBase58()} in \\d+ transaction\\(s\\), last \\w+$`),
    );
    const account = await v.connection.getAccountInfo(new PublicKey(METADATA));
    expect(account?.owner.toBase58()).toBe(PROGRAM_METADATA_PROGRAM_ID);
  });

  it('idl fetch reads it back byte for byte, to a file and to stdout, without a keypair', async () => {
    const out = join(dir, 'fetched.json');
    const r = await cli(join(dir, 'no-such-keypair.json'), 'idl', 'fetch', '--out', out);
    expect(r).toEqual({ code: 0, out: `idl of ${PROGRAM} written to ${out} (${IDL_BYTES.length} bytes, from ${METADATA})`, err: '' });
    expect(readFileSync(out).equals(IDL_BYTES)).toBe(true);
    const printed = await cli(join(dir, 'no-such-keypair.json'), 'idl', 'fetch');
    expect(printed.code).toBe(0);
    expect(Buffer.from(`${printed.out}\n`).equals(IDL_BYTES)).toBe(true);
  });

  it("the Program Metadata JS client reads the same account: canonical, zlib'd UTF-8 JSON stored directly, equal to idl/job_escrow.json", async () => {
    const rpc = createSolanaRpc(v.url);
    const program = address(PROGRAM);
    const content = await fetchMetadataContent(rpc, program, 'idl');
    expect(Buffer.from(content, 'utf8').equals(IDL_BYTES)).toBe(true);
    const account = await fetchMetadataFromSeeds(rpc, { program, authority: null, seed: 'idl' });
    expect(account.address).toBe(METADATA);
    expect(account.data).toMatchObject({
      program,
      canonical: true,
      mutable: true,
      seed: 'idl',
      format: Format.Json,
      encoding: Encoding.Utf8,
      compression: Compression.Zlib,
      dataSource: DataSource.Direct,
    });
    expect(account.data.authority).toEqual({ __option: 'None' });
  });

  it('publishing the same IDL again sends nothing', async () => {
    const r = await cli(v.adminKeypairPath, 'idl', 'publish', '--idl', IDL_PATH);
    expect(r).toEqual({ code: 0, out: `idl unchanged: ${METADATA} already holds this IDL of ${PROGRAM} (${IDL_BYTES.length} bytes); nothing sent`, err: '' });
  });

  it('a changed IDL updates the account (larger, then back to the file: smaller), each read back exactly', async () => {
    const text = IDL_BYTES.toString('utf8');
    const idl = JSON.parse(text) as { metadata: { description: string } };
    // Incompressible text, so the stored data grows past one transaction and the update goes through a buffer.
    const noise = Array.from({ length: 3_000 }, (_, i) => ((i * 2_654_435_761) >>> 0).toString(36)).join(' ');
    const bigger = text.replace(JSON.stringify(idl.metadata.description), JSON.stringify(`${idl.metadata.description} ${noise}`));
    const biggerPath = join(dir, 'bigger.json');
    writeFileSync(biggerPath, bigger);
    let r = await cli(v.adminKeypairPath, 'idl', 'publish', '--idl', biggerPath);
    expect(r.err).toBe('');
    expect(r.out).toMatch(new RegExp(`^idl updated: ${METADATA} holds the IDL of ${PROGRAM} \\(${Buffer.byteLength(bigger)} bytes, `));
    expect(await fetchMetadataContent(createSolanaRpc(v.url), address(PROGRAM), 'idl')).toBe(bigger);

    r = await cli(v.adminKeypairPath, 'idl', 'publish', '--idl', IDL_PATH);
    expect(r.err).toBe('');
    expect(r.out).toMatch(new RegExp(`^idl updated: ${METADATA} `));
    const out = join(dir, 'back.json');
    expect((await cli(v.adminKeypairPath, 'idl', 'fetch', '--out', out)).code).toBe(0);
    expect(readFileSync(out).equals(IDL_BYTES)).toBe(true);
  });
});
