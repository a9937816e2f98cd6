// Tests run the built program, never a stand-in: build it (a no-op when
// target/deploy/job_escrow.so is newer than every source) before any test;
// and sdk/dist (the CLI the tests run as a process, the top-up page's
// browser bundle the server serves), when a source is newer.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup() {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync('bash', ['scripts/build-program.sh'], { cwd: root, stdio: 'inherit' });
  execFileSync('bash', ['scripts/ensure-sdk-built.sh'], { cwd: root, stdio: 'inherit' });
}
