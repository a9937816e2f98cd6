// The upgrade path against a real solana-test-validator, whose upgradeable
// loader holds the program (deployed with a fresh admin as upgrade
// authority): `job-escrow upgrade-authority` and `set-upgrade-authority` run
// as processes, plain and --checked, refused in one line for a stranger and
// for the old authority, and migrations/deploy.ts ending a deploy by handing
// the authority to another key (a Squads vault in practice). Its own RPC
// port range (21899…, below the ephemeral ports the OS hands out from 32768, so no leftover socket of an earlier test can hold one): other validator files may run at the same time.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AnchorProvider, Wallet } from '@coral-xyz/anchor';
import { Keypair, PublicKey } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import deploy from '../../migrations/deploy.js';
import { JOB_ESCROW_PROGRAM_ID, fetchConfig, findProgramDataAddress } from '../../sdk/src/index.js';
import { ROOT } from '../shared/index.js';
import { startValidator, type LocalValidator } from './harness.js';

let v: LocalValidator;
/**
 * The CLI's bin built by tsup from sdk/src/bin/job-escrow.ts into a directory
 * of this file's own (not sdk/dist, which a concurrent `npx tsup` in sdk/
 * cleans), inside the checkout so node finds the packages.
 */
const CLI_DIR = join(ROOT, 'target/validator-upgrade-authority-cli');
const CLI = join(CLI_DIR, 'job-escrow.js');
const ID = JOB_ESCROW_PROGRAM_ID.toBase58();

/** Runs the CLI as a process against the validator; status, stdout and stderr. */
function cli(keypair: string, ...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', [CLI, ...args, '--url', v.url, '--keypair', keypair], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, JOB_ESCROW_PROGRAM_ID: '' } }, (err, stdout, stderr) => {
      const status = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ status, stdout: stdout.trim(), stderr: stderr.trim() });
    });
  });
}

/** The ProgramData account: its authority option byte (12) and key (13..45), and all its bytes. */
async function programData() {
  const info = await v.connection.getAccountInfo(findProgramDataAddress(), 'confirmed');
  if (!info) throw new Error('no ProgramData account');
  return { option: info.data[12], key: new PublicKey(info.data.subarray(13, 45)).toBase58(), data: Buffer.from(info.data) };
}

describe('the upgrade authority against solana-test-validator', () => {
  let stranger: { keypair: Keypair; path: string };
  let next: { keypair: Keypair; path: string };
  let admin: string;

  beforeAll(async () => {
    await promisify(execFile)('npx', ['tsup', 'src/bin/job-escrow.ts', '--no-config', '--format', 'esm', '--platform', 'node', '--target', 'es2022', '--out-dir', CLI_DIR, '--silent'], { cwd: join(ROOT, 'sdk') });
    v = await startValidator({ rpcPort: 21899 });
    admin = v.admin.publicKey.toBase58();
    stranger = await v.wallet();
    next = await v.wallet();
  }, 240_000);
  afterAll(async () => {
    await v?.stop();
    rmSync(CLI_DIR, { recursive: true, force: true });
  });

  it('upgrade-authority reads the admin, with no keypair file', async () => {
    expect(await cli(join(v.dir, 'no-such-keypair.json'), 'upgrade-authority')).toEqual({ status: 0, stdout: admin, stderr: '' });
    expect(await programData()).toMatchObject({ option: 1, key: admin });
  });

  it("a stranger's hand-over is refused in one line before anything is sent", async () => {
    const before = await programData();
    const balance = await v.connection.getBalance(stranger.keypair.publicKey, 'confirmed');
    const r = await cli(stranger.path, 'set-upgrade-authority', '--new-authority', stranger.keypair.publicKey.toBase58(), '--yes');
    expect(r).toEqual({ status: 1, stdout: '', stderr: `error: ${stranger.keypair.publicKey.toBase58()} is not the upgrade authority of ${ID} (${admin} is)` });
    expect((await programData()).data.equals(before.data)).toBe(true);
    expect(await v.connection.getBalance(stranger.keypair.publicKey, 'confirmed')).toBe(balance); // no fee: nothing was sent
  });

  it('without --yes the admin gets what it would do, and nothing changes', async () => {
    const before = await programData();
    const r = await cli(v.adminKeypairPath, 'set-upgrade-authority', '--new-authority', next.keypair.publicKey.toBase58());
    expect(r).toEqual({ status: 0, stdout: `would hand the upgrade authority of ${ID} from ${admin} to ${next.keypair.publicKey.toBase58()} (SetAuthority); nothing sent: run again with --yes`, stderr: '' });
    expect((await programData()).data.equals(before.data)).toBe(true);
  });

  it('the admin hands it to a new key; the ProgramData holds it; the old authority cannot take it back; the new one hands it on, checked', async () => {
    const nextKey = next.keypair.publicKey.toBase58();
    const handed = await cli(v.adminKeypairPath, 'set-upgrade-authority', '--new-authority', nextKey, '--yes');
    expect(handed.stderr).toBe('');
    expect(handed.stdout).toMatch(new RegExp(`^handed the upgrade authority of ${ID} from ${admin} to ${nextKey} \\(\\w{64,88}\\)$`));
    expect(await programData()).toMatchObject({ option: 1, key: nextKey });
    expect((await cli(v.adminKeypairPath, 'upgrade-authority')).stdout).toBe(nextKey);

    // The old authority: refused in one line, before sending.
    expect(await cli(v.adminKeypairPath, 'set-upgrade-authority', '--new-authority', admin, '--yes')).toEqual({
      status: 1,
      stdout: '',
      stderr: `error: ${admin} is not the upgrade authority of ${ID} (${nextKey} is)`,
    });
    expect(await programData()).toMatchObject({ key: nextKey });

    // --checked takes the new authority's keypair file (it signs too); a bare key is a usage error.
    expect(await cli(next.path, 'set-upgrade-authority', '--new-authority', admin, '--checked', '--yes')).toMatchObject({
      status: 2,
      stderr: 'error: --checked has the new authority sign too: give --new-authority as its keypair file',
    });
    const back = await cli(next.path, 'set-upgrade-authority', '--new-authority', v.adminKeypairPath, '--checked', '--yes');
    expect(back.stderr).toBe('');
    expect(back.stdout).toMatch(new RegExp(`^handed the upgrade authority of ${ID} from ${nextKey} to ${admin} \\(`));
    expect(await programData()).toMatchObject({ option: 1, key: admin });
    // And the same key again: refused.
    expect(await cli(v.adminKeypairPath, 'set-upgrade-authority', '--new-authority', admin, '--yes')).toMatchObject({ status: 1, stderr: `error: ${admin} is already the upgrade authority of ${ID}` });
  });

  it('migrations/deploy.ts initializes the config, then hands the upgrade authority to UPGRADE_AUTHORITY; run again, it does nothing', async () => {
    const vault = Keypair.generate().publicKey; // a Squads vault is a PDA: a key nobody can sign for
    const provider = new AnchorProvider(v.connection, new Wallet(v.admin), { commitment: 'confirmed' });
    const env = { JOB_ESCROW_MINT: v.mint.toBase58(), UPGRADE_AUTHORITY: vault.toBase58() };
    const logs: string[] = [];
    const log = console.log;
    console.log = (line: string) => logs.push(line);
    try {
      await deploy(provider, env);
      await deploy(provider, env);
    } finally {
      console.log = log;
    }
    expect(logs[0]).toMatch(/^initialized config \w+ \(treasury \w+\): \w+$/);
    expect(logs[1]).toMatch(new RegExp(`^handed the upgrade authority of ${ID} from ${admin} to ${vault.toBase58()}: \\w+$`));
    expect(logs.slice(2)).toEqual([expect.stringMatching(/^config \w+ already exists; not initialized again$/), `${vault.toBase58()} is already the upgrade authority of ${ID}; nothing to hand over`]);
    expect(await programData()).toMatchObject({ option: 1, key: vault.toBase58() });
    // The program's admin is another role: it stays with the deploying wallet.
    expect((await fetchConfig(v.connection)).admin).toEqual(v.admin.publicKey);
    expect((await cli(stranger.path, 'upgrade-authority')).stdout).toBe(vault.toBase58());
  });
});
