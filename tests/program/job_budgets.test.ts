// Issue 28's goals for jobs kept in slots, asserted where they are met
// (compute units and transaction sizes are deterministic): the SDK's batched
// path (lockMany / settleMany / refundMany over the operator's lookup tables,
// the payer pool on) measured per job from the landed transactions, for one
// job per wallet and for one wallet's 64 jobs. The goals not met are
// asserted at their measured figure, so a regression still fails; the
// reasons are in docs/benchmarks.md. `npm run bench` prints the same table
// (bench/jobs.ts).
import { describe, expect, it } from 'vitest';
import { MAX_JOB_SLOTS } from '../../sdk/src/index.js';
import { batchedWorld } from './setup/batched.js';

describe('jobs in slots, batched: compute units, jobs and fees per transaction', () => {
  it('one job per wallet (56 wallets): ≥ 28 locks / 27 settles / 55 refunds per transaction, lock ≤ 1,050 and refund ≤ 500 CU per job, ≤ 200 lamports of fees per job', async () => {
    // Given 56 wallets whose accounts sit in the operator's lookup table:
    // two full settle transactions (28 jobs each since settle_batch takes
    // the mint, two bytes more per transaction; 29 before, with 58 wallets)
    const world = await batchedWorld({ users: 56 });
    // When one job of each is locked, settled, locked again and refunded after expiry
    const [lock, settle, refund] = await world.lifecycle('56 wallets', 1);
    // Then each batch fills its transaction
    expect(lock.maxJobsPerTx).toBeGreaterThanOrEqual(28);
    expect(settle.maxJobsPerTx).toBeGreaterThanOrEqual(27);
    expect(refund.maxJobsPerTx).toBeGreaterThanOrEqual(55);
    // And each job costs within the goals (measured 679 and 453)
    expect(lock.cuPerJob).toBeLessThanOrEqual(1_050);
    expect(refund.cuPerJob).toBeLessThanOrEqual(500);
    // settle: a TransferChecked per wallet; measured 2,100 per job (2,005 with plain Transfer), 1.48x its floor (goal 1.10x, not met)
    expect(settle.cuPerJob).toBeLessThanOrEqual(2_110);
    // And one signature per transaction, the fees shared by its jobs
    for (const round of [lock, settle, refund]) expect(round.feePerJob).toBeLessThanOrEqual(200);
  });

  it('one wallet with 64 jobs: 64 locks and 64 refunds in one transaction, ≥ 55 settles, lock ≤ 1,050 and refund ≤ 500 CU per job', async () => {
    const world = await batchedWorld({ users: 1, jobSlots: MAX_JOB_SLOTS });
    const [lock, settle, refund] = await world.lifecycle('1 wallet', MAX_JOB_SLOTS);
    // A credit account holds 64 jobs at most (spec section 8): every one of them in one transaction
    expect(lock).toMatchObject({ jobs: 64, transactions: 1, maxJobsPerTx: 64 });
    expect(refund).toMatchObject({ jobs: 64, transactions: 1, maxJobsPerTx: 64 });
    expect(settle.maxJobsPerTx).toBeGreaterThanOrEqual(55);
    expect(refund.cuPerJob).toBeLessThanOrEqual(500);
    // Each lock compares its id with every job in flight in the account (JobAlreadyLocked): measured 1,035 per job
    expect(lock.cuPerJob).toBeLessThanOrEqual(1_050);
    // One transfer for all of the wallet's jobs: measured 695 per job
    expect(settle.cuPerJob).toBeLessThanOrEqual(700);
    for (const round of [lock, settle, refund]) expect(round.feePerJob).toBeLessThanOrEqual(200);
  });
});
