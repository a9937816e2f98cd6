// The program build is reproducible (docs/verify.md): a second, clean build
// of the same sources gives the same bytes as the repository's own build, for
// both files. The second build runs everything that could leak into the bytes
// somewhere else: the sources at another path, fresh cargo target directories
// there, another CARGO_HOME (its registry a link to the real one, so nothing
// is downloaded) and another path to the toolchain cache (a link too). An
// absolute path in a panic location, a timestamp or a build-directory name
// in the output would make the files differ. It also checks the `.sha256`
// files scripts/build-program.sh writes beside each file.
// Not run by scripts/mutate.py (EXCLUDED_TESTS in scripts/mutation/runner.py):
// it installs mutants built elsewhere as target/deploy/job_escrow.so, which
// this test is not about, and it would fail on every mutant.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROGRAM_PATH, PROGRAM_V0_PATH, ROOT } from '../shared/index.js';

/** What scripts/build-program.sh builds from: its own SOURCES list. */
function buildSources(): string[] {
  const script = readFileSync(join(ROOT, 'scripts/build-program.sh'), 'utf8');
  const list = /^SOURCES=\(([^)]*)\)/m.exec(script);
  if (!list) throw new Error('scripts/build-program.sh: no SOURCES=(…) list');
  return list[1].split(/\s+/).filter(Boolean);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Runs `bash scripts/build-program.sh` in `cwd`, without blocking the event loop (vitest's worker answers its RPCs meanwhile). */
function buildProgram(cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['scripts/build-program.sh'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, log }));
  });
}

describe('reproducible build', () => {
  it('each built file has its SHA-256 recorded beside it (<file>.sha256, sha256sum format)', () => {
    for (const path of [PROGRAM_PATH, PROGRAM_V0_PATH]) {
      expect(readFileSync(`${path}.sha256`, 'utf8')).toBe(`${sha256(readFileSync(path))}  job_escrow.so\n`);
    }
  });

  it('a clean build elsewhere (other source path, target dirs, CARGO_HOME, toolchain path) gives identical v3 and v0 bytes', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'job-escrow-repro-'));
    try {
      // Given the same sources at another, longer path
      const work = join(tmp, 'another', 'checkout', 'job_escrow');
      for (const source of buildSources()) {
        mkdirSync(dirname(join(work, source)), { recursive: true });
        cpSync(join(ROOT, source), join(work, source), { recursive: true });
      }
      // And another CARGO_HOME and toolchain cache path, links to the real ones
      const cargoHome = join(tmp, 'cargo-home');
      const realCargoHome = process.env.CARGO_HOME ?? join(homedir(), '.cargo');
      mkdirSync(cargoHome);
      for (const entry of ['registry', 'config.toml', 'config']) {
        if (existsSync(join(realCargoHome, entry))) symlinkSync(join(realCargoHome, entry), join(cargoHome, entry));
      }
      const toolchain = join(tmp, 'toolchain-cache');
      symlinkSync(process.env.JOB_ESCROW_CACHE ?? join(homedir(), '.cache/job_escrow'), toolchain);
      const env: NodeJS.ProcessEnv = { ...process.env, CARGO_HOME: cargoHome, JOB_ESCROW_CACHE: toolchain, CARGO_NET_OFFLINE: 'true' };
      for (const name of ['OUT', 'OUT_V0', 'FEATURES', 'JOB_ESCROW_PROGRAM_ID', 'FORCE_BUILD', 'MUTATE_RUNNING', 'CARGO_TARGET_DIR']) {
        delete env[name];
      }

      // When it is built from scratch there (its own target/ directories)
      const { status, log } = await buildProgram(work, env);
      expect(status, `the second build failed:\n${log.slice(-4000)}`).toBe(0);
      console.log(log.split('\n').filter((line) => line.startsWith('[build-program]')).join('\n'));

      // Then both files are byte for byte the repository's (built by the global setup)
      for (const [path, rel] of [
        [PROGRAM_PATH, 'target/deploy/job_escrow.so'],
        [PROGRAM_V0_PATH, 'target/sbpf-v0/job_escrow.so'],
      ] as const) {
        const ours = readFileSync(path);
        const theirs = readFileSync(join(work, rel));
        expect(
          sha256(theirs),
          `${rel} differs between the two builds (${ours.length} and ${theirs.length} bytes): ` +
            'if the repository build is a FEATURES=… or mutant build, run `FORCE_BUILD=1 npm run build:program`; ' +
            'else look for paths or times in `strings` of both files',
        ).toBe(sha256(ours));
        expect(readFileSync(join(work, `${rel}.sha256`), 'utf8')).toBe(readFileSync(`${path}.sha256`, 'utf8'));
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 600_000);
});
