// Bounded in CI; `npm run fuzz -- --steps N --seed S` runs more.
import { describe, expect, it } from 'vitest';
import { formatReport, runFuzz } from './checker.js';

const steps = Number(process.env.FUZZ_STEPS ?? 1_500);
const seed = Number(process.env.FUZZ_SEED ?? 20261124);

describe('randomized sequences', () => {
  it(`keep every invariant (${steps} steps, seed ${seed})`, async () => {
    const report = await runFuzz({ steps, seed });
    console.log(formatReport(report));
    // A checker in which an operation never succeeds proves nothing about it.
    for (const [op, n] of Object.entries(report.ok)) expect(n, `${op} never succeeded`).toBeGreaterThan(0);
    // Nor one whose walk never meets the slot cases: full accounts, an id in flight locked again, an id not held
    if (steps >= 1_000) for (const name of ['NoFreeJobSlot', 'JobAlreadyLocked', 'JobNotFound']) expect(report.errors[name] ?? 0, `${name} never met`).toBeGreaterThan(0);
  }, Math.max(600_000, steps * 30));
});
