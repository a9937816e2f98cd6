// Where the built program is, and a refusal to test a stale build.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the first directory upwards holding programs/job_escrow (this file may run bundled from target/). */
export const ROOT = (() => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'programs/job_escrow/Cargo.toml'))) return dir;
  }
  throw new Error('repository root not found');
})();
/** SBPF v3, the deployment artifact: what LiteSVM 1.5 runs in the suites. */
export const PROGRAM_PATH = join(ROOT, 'target/deploy/job_escrow.so');
/** SBPF v0 from the same sources, for runtimes that refuse v3 (solana-bankrun 0.4, solana-test-validator 3.1.8). */
export const PROGRAM_V0_PATH = join(ROOT, 'target/sbpf-v0/job_escrow.so');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((e) => newestMtime(join(path, e))));
}

/** Refuses to run against a missing or stale build of the program. */
export function assertProgramIsFresh(path = PROGRAM_PATH): void {
  let built: number;
  try {
    built = statSync(path).mtimeMs;
  } catch {
    throw new Error(`${path} is missing: run \`npm run build:program\``);
  }
  const sources = newestMtime(join(ROOT, 'programs/job_escrow/src'));
  if (sources > built) throw new Error(`${path} is older than its sources: run \`npm run build:program\``);
}
