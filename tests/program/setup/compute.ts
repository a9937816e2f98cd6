// Compute-unit accounting from transaction logs, shared by the tests' CU
// budgets and the bench.
import { JOB_ESCROW_PROGRAM_ID } from '../../../sdk/src/index.js';

/**
 * Compute units the job_escrow program used itself: its consumption minus
 * what each program it invoked directly consumed (nested invocations are
 * inside those numbers) and minus the 1,000-unit base charge of each CPI.
 */
export function ownComputeUnits(logs: string[], programId = JOB_ESCROW_PROGRAM_ID): number {
  const id = programId.toBase58();
  const depths: number[] = [];
  let own = 0;
  let invoked = 0;
  let cpis = 0;
  for (const line of logs) {
    const invoke = /^Program \w+ invoke \[(\d+)\]$/.exec(line);
    if (invoke) {
      depths.push(Number(invoke[1]));
      if (Number(invoke[1]) === 2) cpis += 1;
      continue;
    }
    const consumed = /^Program (\w+) consumed (\d+) of/.exec(line);
    if (consumed) {
      const depth = depths[depths.length - 1];
      if (depth === 1 && consumed[1] === id) own += Number(consumed[2]);
      if (depth === 2) invoked += Number(consumed[2]);
      continue;
    }
    if (/^Program \w+ (success|failed)/.test(line)) depths.pop();
  }
  return own - invoked - 1000 * cpis;
}

/** How many times the program called `callee` directly (its CPIs, depth 2). */
export function directCalls(logs: string[], callee: string): number {
  return logs.filter((line) => line === `Program ${callee} invoke [2]`).length;
}
