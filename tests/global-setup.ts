// Tests run the built program, never a stand-in: build it (a no-op when
// target/deploy/job_escrow.so is newer than every source) before any test,
// and the x87 guard that keeps LiteSVM 0.8 from corrupting Node's FPU state.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync('bash', ['scripts/build-program.sh'], { cwd: root, stdio: 'inherit' });
  execFileSync('bash', ['scripts/build-x87guard.sh'], { cwd: root, stdio: 'inherit' });
}
