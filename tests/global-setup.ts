// Tests run the built program, never a stand-in: build it (a no-op when
// target/deploy/job_escrow.so is newer than every source) before any test.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync('bash', ['scripts/build-program.sh'], { cwd: root, stdio: 'inherit' });
}
