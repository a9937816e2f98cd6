// The batched operator path against a real solana-test-validator: 500 jobs
// for 50 users locked, then settled or refunded as requested, through
// lockMany / settleMany / refundMany with a payer pool and lookup tables;
// every job's outcome and every balance checked against a model. Prints jobs
// per second and transactions per job, batched and one job per transaction.
import { AnchorProvider, Wallet } from '@coral-xyz/anchor';
import type { Keypair, PublicKey } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEscrowClient, JobEscrowErrorCode, quote, type LookupTables, type PayerPool } from '../../sdk/src/index.js';
import { startBatchWorld, type BatchWorld } from './batch-world.js';
import type { LocalValidator } from './harness.js';

const USERS = 50;
const JOBS_PER_USER = 10;
const CREDITS = 1_000n;

describe('batched lock / settle / refund on solana-test-validator', () => {
  let world: BatchWorld;
  let v: LocalValidator;
  let operator: Keypair;
  let client: JobEscrowClient;
  let pool: PayerPool;
  let tables: LookupTables;
  let users: Keypair[];
  let worker: PublicKey;

  beforeAll(async () => {
    world = await startBatchWorld({ rpcPort: 26899, users: USERS, credits: CREDITS });
    ({ v, operator, client, pool, tables, users, worker } = world);
  }, 300_000);
  afterAll(async () => {
    await tables?.deactivate().catch(() => undefined);
    await v?.stop();
  });

  it('500 jobs for 50 users: each locked, then settled or refunded as requested; balances match the model', async () => {
    const jobs = users.flatMap((u, ui) => Array.from({ length: JOBS_PER_USER }, (_, j) => ({ owner: u.publicKey, ui, jobId: BigInt(j + 1), tier: j % 4, maxOutputTokens: 1_000, settle: j % 2 === 0 })));
    const batch = { payers: pool, lookupTables: tables, maxInFlight: 8, authority: operator };

    // Two requests that must fail alone: an unknown tier, and job 1 of user 0 again with other parameters.
    const bad = [
      { owner: users[0].publicKey, jobId: 999n, tier: 9, maxOutputTokens: 100 },
      { owner: users[0].publicKey, jobId: 1n, tier: 3, maxOutputTokens: 1_000 },
    ];
    const t0 = Date.now();
    const locked = await client.lockMany([...jobs, bad[0]], batch);
    const lockSecs = (Date.now() - t0) / 1000;
    expect(locked.outcomes.slice(0, jobs.length).map((o) => o.status)).toEqual(jobs.map(() => 'done'));
    expect(locked.outcomes[jobs.length]).toMatchObject({ status: 'rejected', code: JobEscrowErrorCode.InvalidTier });
    const again = await client.lockMany([{ ...jobs[0] }, bad[1]], batch);
    expect(again.outcomes.map((o) => o.status)).toEqual(['already-locked', 'rejected']);
    expect(again.outcomes[1]).toMatchObject({ code: JobEscrowErrorCode.JobAlreadyLocked });

    const t1 = Date.now();
    const settled = await client.settleMany(
      jobs.filter((j) => j.settle).map((j) => ({ owner: j.owner, jobId: j.jobId, outputTokens: 700, providerShareBps: 8_000, providerTokenAccount: worker })),
      batch,
    );
    const refunded = await client.refundMany([...jobs.filter((j) => !j.settle).map((j) => ({ owner: j.owner, jobId: j.jobId })), { owner: users[1].publicKey, jobId: 777n }], batch);
    const closeSecs = (Date.now() - t1) / 1000;
    expect(settled.outcomes.every((o) => o.status === 'done')).toBe(true);
    expect(refunded.outcomes.slice(0, -1).every((o) => o.status === 'done')).toBe(true);
    expect(refunded.outcomes.at(-1)).toMatchObject({ status: 'rejected', error: expect.stringMatching(/not found/) });

    // The model: each settled job charged quote(tier, 700), refunded ones nothing.
    for (const [ui, u] of users.entries()) {
      const charged = jobs.filter((j) => j.ui === ui && j.settle).reduce((n, j) => n + quote(j.tier, 700), 0n);
      const b = await new JobEscrowClient(new AnchorProvider(v.connection, new Wallet(u), { commitment: 'confirmed' })).getBalance();
      expect({ available: b.available, locked: b.locked, openJobs: b.openJobs, charged: b.charged }).toEqual({ available: CREDITS - charged, locked: 0n, openJobs: 0, charged });
    }
    expect(await client.openJobs()).toEqual([]);

    const transactions = locked.stats.transactions + settled.stats.transactions + refunded.stats.transactions;
    const batchedRate = jobs.length / (lockSecs + closeSecs);

    // One job per transaction, the SDK's single path, for comparison (20 jobs).
    const single = users.slice(0, 2).flatMap((u) => Array.from({ length: 10 }, (_, j) => ({ owner: u.publicKey, jobId: BigInt(100 + j) })));
    const t2 = Date.now();
    for (const [k, j] of single.entries()) {
      await client.lock({ owner: j.owner, jobId: j.jobId, tier: 1, maxOutputTokens: 1_000 });
      if (k % 2 === 0) await client.settle({ owner: j.owner, jobId: j.jobId, outputTokens: 700, providerShareBps: 8_000, providerTokenAccount: worker });
      else await client.refund({ owner: j.owner, jobId: j.jobId });
    }
    const singleRate = single.length / ((Date.now() - t2) / 1000);
    console.log(
      `throughput on solana-test-validator: batched ${batchedRate.toFixed(1)} jobs/s (${jobs.length} jobs, ${USERS} users, ${transactions} transactions: ${(transactions / jobs.length).toFixed(3)} per job; lock ${lockSecs.toFixed(1)} s, settle+refund ${closeSecs.toFixed(1)} s; resent ${locked.stats.resent + settled.stats.resent + refunded.stats.resent}); single ${singleRate.toFixed(2)} jobs/s (2 transactions per job)`,
    );
    expect(batchedRate).toBeGreaterThan(0);
    expect(transactions / jobs.length).toBeLessThan(0.5);
  }, 600_000);
});
