// Starts a real solana-test-validator on loopback with the built program
// deployed as upgradeable (upgrade authority: a fresh admin), a fresh ledger
// in a temporary directory and a USDC-like mint created at start-up; stops
// it on exit. The binary comes from scripts/setup-validator.sh's cache.
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMint } from '@solana/spl-token';
import { Connection, Keypair, LAMPORTS_PER_SOL, type PublicKey } from '@solana/web3.js';
import { JOB_ESCROW_PROGRAM_ID } from '../../sdk/src/index.js';
import { PROGRAM_V0_PATH, ROOT, assertProgramIsFresh } from '../shared/index.js';

export interface LocalValidator {
  url: string;
  /** The websocket (RPC subscriptions) endpoint. */
  wsUrl: string;
  connection: Connection;
  admin: Keypair;
  /** Path of the admin's keypair file (Solana CLI format), for the CLI. */
  adminKeypairPath: string;
  mint: PublicKey;
  mintAuthority: Keypair;
  dir: string;
  /** A funded wallet and its keypair file. */
  wallet(sol?: number): Promise<{ keypair: Keypair; path: string }>;
  stop(): Promise<void>;
}

/** The cached binary (scripts/setup-validator.sh --installed), or null when it has not been installed. */
export function validatorBinary(): string | null {
  try {
    const bin = execFileSync('bash', ['scripts/setup-validator.sh', '--installed'], { cwd: ROOT, encoding: 'utf8' }).trim();
    execFileSync(bin, ['--version'], { stdio: 'ignore' });
    return bin;
  } catch {
    return null;
  }
}

/**
 * The SBPF v0 build of the program for another program id, as an operator
 * deploying their own makes it (`JOB_ESCROW_PROGRAM_ID=<id>
 * scripts/build-program.sh`); cached under target/program-id/<id>.
 */
export async function buildForProgramId(programId: PublicKey): Promise<string> {
  const dir = join(ROOT, 'target/program-id', programId.toBase58());
  const env = { ...process.env, JOB_ESCROW_PROGRAM_ID: programId.toBase58(), OUT: join(dir, 'job_escrow.so'), OUT_V0: join(dir, 'sbpf-v0/job_escrow.so') };
  // Not execFileSync: a test worker blocked for a minute misses vitest's worker RPC deadline (60 s).
  await promisify(execFile)('bash', ['scripts/build-program.sh'], { cwd: ROOT, env });
  return env.OUT_V0;
}

/** The Program Metadata program, the owner of programs' on-chain IDLs (tests/validator/idl.test.ts). */
export const PROGRAM_METADATA_PROGRAM_ID = 'ProgM6JCCvbYkfKqJYHePx4xxSUSqJp7rh8Lyv7nk7S';

/**
 * Where the Program Metadata program's binary is looked for:
 * $JOB_ESCROW_PROGRAM_METADATA_SO, else program-metadata/program_metadata.so
 * in the cache of scripts/setup-validator.sh (~/.cache/job_escrow). No package
 * registry publishes it (docs/idl-on-chain.md says how to get one).
 */
export function programMetadataBinaryPath(): string {
  return process.env.JOB_ESCROW_PROGRAM_METADATA_SO || join(process.env.JOB_ESCROW_CACHE || join(homedir(), '.cache/job_escrow'), 'program-metadata/program_metadata.so');
}

/** The Program Metadata program's binary, or null when there is none (programMetadataBinaryPath). */
export function programMetadataBinary(): string | null {
  const path = programMetadataBinaryPath();
  return existsSync(path) ? path : null;
}

/**
 * `alsoAt`: more deployments (program id and its build), for an operator's own program id.
 * `withProgramMetadata`: also load the Program Metadata program at its real id (programMetadataBinary).
 * `rpcPort` and the ports after it (websocket +1, faucet +1001, gossip
 * +1002, +1010…+1040) stay below 32768, where the OS starts handing out
 * ephemeral ports: a socket an earlier test left in TIME_WAIT there made a
 * validator fail to bind and exit.
 */
export async function startValidator({ rpcPort = 18899, alsoAt = [], withProgramMetadata = false }: { rpcPort?: number; alsoAt?: { programId: PublicKey; path: string }[]; withProgramMetadata?: boolean } = {}): Promise<LocalValidator> {
  if (rpcPort + 1040 >= 32768) throw new Error(`rpcPort ${rpcPort}: the validator's ports must stay below 32768 (the OS's ephemeral range)`);
  assertProgramIsFresh(PROGRAM_V0_PATH);
  const bin = validatorBinary();
  if (!bin) throw new Error('solana-test-validator is not installed: bash scripts/setup-validator.sh');
  const programMetadata = withProgramMetadata ? programMetadataBinary() : null;
  if (withProgramMetadata && !programMetadata) throw new Error(`the Program Metadata program's binary is not at ${programMetadataBinaryPath()} (docs/idl-on-chain.md)`);
  const dir = mkdtempSync(join(tmpdir(), 'job-escrow-validator-'));
  const admin = Keypair.generate();
  const saveKeypair = (kp: Keypair, name: string) => {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(Array.from(kp.secretKey)));
    return path;
  };
  const adminKeypairPath = saveKeypair(admin, 'admin');
  const child: ChildProcess = spawn(
    bin,
    [
      '--ledger', join(dir, 'ledger'),
      '--reset',
      '--quiet',
      '--bind-address', '127.0.0.1',
      '--rpc-port', String(rpcPort),
      '--faucet-port', String(rpcPort + 1001),
      '--gossip-port', String(rpcPort + 1002),
      '--dynamic-port-range', `${rpcPort + 1010}-${rpcPort + 1040}`,
      ...[{ programId: JOB_ESCROW_PROGRAM_ID, path: PROGRAM_V0_PATH }, ...alsoAt].flatMap(({ programId, path }) => ['--upgradeable-program', programId.toBase58(), path, admin.publicKey.toBase58()]),
      ...(programMetadata ? ['--bpf-program', PROGRAM_METADATA_PROGRAM_ID, programMetadata] : []),
    ],
    { cwd: ROOT, stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${rpcPort}`;
  const connection = new Connection(url, { commitment: 'confirmed', wsEndpoint: `ws://127.0.0.1:${rpcPort + 1}` });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', () => child.kill('SIGKILL'));
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`solana-test-validator exited with code ${child.exitCode}`);
      try {
        if ((await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"getHealth"}' })).json()).result === 'ok') break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('solana-test-validator did not become healthy within 90 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    // The program is executable once the validator has processed a slot past its deployment.
    const airdrop = async (to: PublicKey, sol: number) => {
      const sig = await connection.requestAirdrop(to, sol * LAMPORTS_PER_SOL);
      await connection.confirmTransaction({ signature: sig, ...(await connection.getLatestBlockhash()) }, 'confirmed');
    };
    await airdrop(admin.publicKey, 100);
    const mintAuthority = Keypair.generate();
    const mint = await createMint(connection, admin, mintAuthority.publicKey, null, 6);
    return {
      url,
      wsUrl: `ws://127.0.0.1:${rpcPort + 1}`,
      connection,
      admin,
      adminKeypairPath,
      mint,
      mintAuthority,
      dir,
      async wallet(sol = 10) {
        const keypair = Keypair.generate();
        await airdrop(keypair.publicKey, sol);
        return { keypair, path: saveKeypair(keypair, keypair.publicKey.toBase58()) };
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The CLI door: the `job-escrow` bin of @job-escrow/sdk installed alone from its tarball (installCli). */
export interface CliDoor {
  /** The installed `job-escrow` bin. */
  bin: string;
  /** The project it is installed in: it runs there, away from this repository's node_modules. */
  home: string;
  /** Runs the CLI as a process with exactly `args` and `env` added; status, stdout and stderr. */
  raw(args: string[], env?: Record<string, string>): Promise<{ status: number; stdout: string; stderr: string }>;
  /** Runs `args --url <url> --keypair <keypair>` as its user would; its output, or a throw with its status and stderr. */
  run(url: string, keypair: string, ...args: string[]): Promise<string>;
  /** The same, for a command that must fail: its status and stderr. */
  fails(url: string, keypair: string, ...args: string[]): Promise<{ status: number; stderr: string }>;
  /** Deletes the project. */
  remove(): void;
}

/**
 * The CLI door as its user gets it: @job-escrow/sdk's tarball installed alone
 * into a fresh project, as `npm i @job-escrow/sdk` does (npm adds its
 * non-optional peers; scripts/install-packed.sh).
 */
export async function installCli(): Promise<CliDoor> {
  const home = (await promisify(execFile)('bash', ['scripts/install-packed.sh', 'sdk'], { cwd: ROOT })).stdout.trim();
  const bin = join(home, 'node_modules', '.bin', 'job-escrow');
  const raw: CliDoor['raw'] = (args, env = {}) =>
    new Promise((resolve) => {
      execFile('node', [bin, ...args], { cwd: home, encoding: 'utf8', env: { ...process.env, ...env } }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ status: code, stdout: stdout.trim(), stderr: stderr.trim() });
      });
    });
  return {
    bin,
    home,
    raw,
    async run(url, keypair, ...args) {
      const r = await raw([...args, '--url', url, '--keypair', keypair]);
      if (r.status !== 0) throw Object.assign(new Error(`job-escrow ${args[0]} exited with ${r.status}: ${r.stderr}`), r);
      return r.stdout;
    },
    async fails(url, keypair, ...args) {
      const r = await raw([...args, '--url', url, '--keypair', keypair]);
      if (r.status === 0) throw new Error(`job-escrow ${args[0]} succeeded`);
      return { status: r.status, stderr: r.stderr };
    },
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}
