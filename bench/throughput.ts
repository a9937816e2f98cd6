// npm run bench, validator section: end-to-end jobs per second (lock +
// settle) on a local solana-test-validator for 1, 10 and 100 users, the
// batched path (lockMany / settleMany: payer pool, lookup tables, pipelined)
// against one job per transaction (client.lock / client.settle), with
// transactions, compute units and fee lamports per job read back from the
// landed transactions. Merges `throughput` into bench/results.json.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Connection } from '@solana/web3.js';
import { DEFAULT_JOB_SLOTS, findCreditAccountPda, findVaultAddress } from '../sdk/src/index.js';
import { ROOT } from '../tests/setup.js';
import { startBatchWorld } from '../tests/validator/batch-world.js';

const BATCHED_JOBS = 100;
const SINGLE_JOBS = 10;

/** Transactions, compute units and fees of `signatures`, from getTransaction. */
async function costs(connection: Connection, signatures: string[]) {
  let units = 0;
  let fees = 0;
  for (const signature of new Set(signatures)) {
    const tx = await connection.getTransaction(signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
    units += tx?.meta?.computeUnitsConsumed ?? 0;
    fees += tx?.meta?.fee ?? 0;
  }
  return { transactions: new Set(signatures).size, units, fees };
}

async function main() {
  const world = await startBatchWorld({ rpcPort: 58899, credits: 10_000n });
  const rows = [];
  let nextJob = 1n;
  try {
    for (const userCount of [1, 10, 100]) {
      const users = await world.addUsers(userCount);
      const jobs = Array.from({ length: BATCHED_JOBS }, (_, i) => ({ owner: users[i % userCount].publicKey, jobId: nextJob++, tier: 1, maxOutputTokens: 1_000 }));
      const batch = { payers: world.pool, lookupTables: world.tables, maxInFlight: 8, authority: world.operator };
      // The users' accounts enter the lookup table before the clock starts (an operator extends it as users arrive).
      await world.tables.ensure(users.flatMap((u) => {
        const [credit] = findCreditAccountPda(u.publicKey);
        return [credit, findVaultAddress(credit, world.v.mint)];
      }));
      // Rounds of at most DEFAULT_JOB_SLOTS jobs in flight per user (jobs go round-robin over the users): a credit account holds that many.
      const round = Math.min(BATCHED_JOBS, userCount * DEFAULT_JOB_SLOTS);
      const outcomes = [];
      const t0 = Date.now();
      for (let i = 0; i < jobs.length; i += round) {
        const part = jobs.slice(i, i + round);
        outcomes.push(...(await world.client.lockMany(part, batch)).outcomes);
        outcomes.push(...(await world.client.settleMany(part.map((j) => ({ owner: j.owner, jobId: j.jobId, outputTokens: 700, providerShareBps: 8_000, providerTokenAccount: world.worker })), batch)).outcomes);
      }
      const seconds = (Date.now() - t0) / 1000;
      const done = outcomes.flatMap((o) => (o.status === 'done' ? [o] : []));
      if (done.length !== 2 * BATCHED_JOBS) throw new Error(`batched: ${2 * BATCHED_JOBS - done.length} operations failed`);
      const b = await costs(world.v.connection, done.map((o) => o.signature));
      rows.push({ users: userCount, path: 'batched', jobs: BATCHED_JOBS, seconds, jobsPerSecond: BATCHED_JOBS / seconds, txPerJob: b.transactions / BATCHED_JOBS, cuPerJob: b.units / BATCHED_JOBS, feeLamportsPerJob: b.fees / BATCHED_JOBS });

      const single = Array.from({ length: SINGLE_JOBS }, (_, i) => ({ owner: users[i % userCount].publicKey, jobId: nextJob++ }));
      const signatures: string[] = [];
      const t1 = Date.now();
      for (const j of single) {
        const locked = await world.client.lock({ owner: j.owner, jobId: j.jobId, tier: 1, maxOutputTokens: 1_000 });
        if (!locked.signature) throw new Error(`single: job ${j.jobId} was already locked`);
        signatures.push(locked.signature);
        signatures.push((await world.client.settle({ owner: j.owner, jobId: j.jobId, outputTokens: 700, providerShareBps: 8_000, providerTokenAccount: world.worker })).signature);
      }
      const singleSeconds = (Date.now() - t1) / 1000;
      const s = await costs(world.v.connection, signatures);
      rows.push({ users: userCount, path: 'single', jobs: SINGLE_JOBS, seconds: singleSeconds, jobsPerSecond: SINGLE_JOBS / singleSeconds, txPerJob: s.transactions / SINGLE_JOBS, cuPerJob: s.units / SINGLE_JOBS, feeLamportsPerJob: s.fees / SINGLE_JOBS });
    }
  } finally {
    await world.tables.deactivate().catch(() => undefined);
    await world.v.stop();
  }
  const path = `${ROOT}/bench/results.json`;
  const results = JSON.parse(readFileSync(path, 'utf8'));
  results.throughput = { runtime: 'solana-test-validator 3.1.8 (local, one node), SBPF v0 build; lock + settle per job', rows };
  writeFileSync(path, JSON.stringify(results, null, 2) + '\n');
  console.log('\nthroughput on a local validator (lock + settle per job):');
  console.log(`${'users'.padStart(5)}  ${'path'.padEnd(8)}${'jobs'.padStart(6)}${'jobs/s'.padStart(9)}${'tx/job'.padStart(8)}${'CU/job'.padStart(9)}${'fee/job'.padStart(9)}`);
  for (const r of rows) {
    console.log(`${String(r.users).padStart(5)}  ${r.path.padEnd(8)}${String(r.jobs).padStart(6)}${r.jobsPerSecond.toFixed(1).padStart(9)}${r.txPerJob.toFixed(3).padStart(8)}${Math.round(r.cuPerJob).toString().padStart(9)}${Math.round(r.feeLamportsPerJob).toString().padStart(9)}`);
  }
}

// The web3.js websocket keeps retrying the stopped validator: exit explicitly.
main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
