// What both test worlds (web3.js: ./world.ts; Kit: ../kit/testing.ts) need to
// deploy job_escrow into a LiteSVM: the shipped build and the ProgramData
// authority patch. Node only.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LiteSVM } from 'litesvm';

/** The program build this package ships (next to the bundle), or undefined when running from sources. */
export function shippedProgram(): string | undefined {
  const path = fileURLToPath(new URL('./job_escrow.so', import.meta.url));
  return existsSync(path) ? path : undefined;
}

/** `programPath`, checked. @throws Error naming what is missing. */
export function programToDeploy(programPath: string | undefined): string {
  if (!programPath) throw new Error('job_escrow.so is not shipped next to this module: pass { programPath }');
  if (!existsSync(programPath)) throw new Error(`no program at ${programPath}`);
  return programPath;
}

/** ProgramData bytes with another upgrade authority: the loader's layout lives in ../core/upgradeable.ts. */
export { withUpgradeAuthority } from '../core/upgradeable.js';

/** Moves a LiteSVM clock's unix time forward by `seconds` (both worlds' `warp`). */
/**
 * Sets the clock's unix time to `startTime` (default: the real time now,
 * whole seconds): LiteSVM's own clock starts at 0, so without this every
 * expiry a test kit user prints is in 1970.
 */
export function startClock(svm: LiteSVM, startTime: bigint = BigInt(Math.floor(Date.now() / 1000))): void {
  const clock = svm.getClock();
  clock.unixTimestamp = startTime;
  svm.setClock(clock);
}

export function warpClock(svm: LiteSVM, seconds: bigint | number): void {
  const clock = svm.getClock();
  clock.unixTimestamp += BigInt(seconds);
  svm.setClock(clock);
}
