// npm run bench, validator section: end-to-end jobs per second (lock +
// settle) on a local solana-test-validator.
//  - 1, 10 and 100 users, 100 jobs each: the batched path (lockMany /
//    settleMany: payer pool, lookup tables, pipelined) against one job per
//    transaction (client.lock / client.settle);
//  - 1,000 jobs over 100 wallets on the batched path, and, on the same
//    validator, the same lock_batch / settle_batch transactions (same jobs
//    per transaction, v0 over the same lookup tables) pre-built, pre-signed
//    and sent open-loop (all at once, no preflight; every lock confirmed
//    before the settles go): the rate the validator itself sustains. The
//    ratio batched / open-loop is the SDK's efficiency (goal ≥ 0.5); the
//    ceiling is the block compute limit over the CU one job costs.
// Transactions, compute units and fee lamports per job are read back from the
// landed transactions. Merges `throughput` into bench/results.json.
// BENCH_MAX_IN_FLIGHT=64,8,… runs the 1,000-job batched row once per value
// (the first is the one the ratio uses); default 64,8: the SDK's default
// (every transaction of a phase in flight at once) and its old one.
import { readFileSync, writeFileSync } from 'node:fs';
import bs58 from 'bs58';
import {
  ComputeBudgetProgram,
  PublicKey,
  TransactionMessage,
  VersionedTransaction,
  type AddressLookupTableAccount,
  type Connection,
  type Keypair,
  type TransactionInstruction,
} from '@solana/web3.js';
import {
  DEFAULT_JOB_SLOTS,
  MAX_TRANSACTION_ACCOUNTS,
  MAX_TRANSACTION_UNITS,
  PACKET_BYTES,
  TOKEN_PROGRAM_ADDRESS,
  batchComputeUnits,
  findConfigPda,
  findCreditAccountPda,
  findVaultAddress,
  getLockBatchInstruction,
  getSettleBatchInstruction,
  type BatchStats,
  type JobOutcome,
} from '../sdk/src/index.js';
import { lockedAccounts } from '../sdk/src/batch/send.js';
import { ROOT } from '../tests/shared/index.js';
import { startBatchWorld, type BatchWorld } from '../tests/validator/batch-world.js';

const BATCHED_JOBS = 100;
const SINGLE_JOBS = 10;
/** The 1,000-job rows: jobs, wallets. */
const BIG_JOBS = 1_000;
const BIG_USERS = 100;
/** Block compute limit (CU), the ceiling's numerator. */
const BLOCK_UNITS = 48_000_000;
/** Compute units all transactions writing one account may use per block. */
const WRITABLE_ACCOUNT_UNITS = 12_000_000;
const SLOT_SECONDS = 0.4;
const MAX_IN_FLIGHT = (process.env.BENCH_MAX_IN_FLIGHT ?? '64,8').split(',').map(Number);
const TIER = 1;
const MAX_OUTPUT_TOKENS = 1_000;
const OUTPUT_TOKENS = 700;
const PROVIDER_SHARE_BPS = 8_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

type Row = {
  users: number;
  path: string;
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  txPerJob: number;
  cuPerJob: number;
  feeLamportsPerJob: number;
  transactions?: number;
  lockSeconds?: number;
  settleSeconds?: number;
  maxInFlight?: number;
  resent?: number;
};

/** A row of `count` jobs done in `seconds`, from what their transactions cost. */
function rowOf(users: number, path: string, count: number, seconds: number, c: Awaited<ReturnType<typeof costs>>): Row {
  return { users, path, jobs: count, seconds, jobsPerSecond: count / seconds, txPerJob: c.transactions / count, cuPerJob: c.units / count, feeLamportsPerJob: c.fees / count, transactions: c.transactions };
}

/**
 * The credit accounts and vaults of `users`, the worker and the accounts
 * every job instruction names, in the lookup tables before a clock starts,
 * and the tables' last extension rooted: the leader resolves a v0
 * transaction's table entries against its root bank and drops one that
 * names entries added since (measured: the first lockMany after an
 * extension landed 17 s later, through the RPC's resends, against 1.5 s once
 * the extension was finalized).
 */
async function tablesFor(world: BatchWorld, users: Keypair[]): Promise<AddressLookupTableAccount[]> {
  const { mint } = world.v;
  const addresses = [
    world.client.programId,
    findConfigPda({ programId: world.client.programId })[0],
    new PublicKey(TOKEN_PROGRAM_ADDRESS),
    world.worker,
    ...users.flatMap((u) => {
      const [credit] = findCreditAccountPda(u.publicKey, { programId: world.client.programId });
      return [credit, findVaultAddress(credit, mint)];
    }),
  ];
  await world.tables.ensure(addresses);
  // ensure() hands out only the entries rooted already: wait until every one is.
  const extended = Math.max(...world.tables.accounts.map((t) => Number(t.state.lastExtendedSlot)));
  while ((await world.v.connection.getSlot('finalized')) <= extended) await sleep(200);
  return world.tables.ensure(addresses);
}

/**
 * `count` jobs round-robin over `users` on the batched path (lockMany then
 * settleMany), in rounds of at most DEFAULT_JOB_SLOTS jobs in flight per
 * user (a credit account holds that many).
 */
async function batched(world: BatchWorld, users: Keypair[], count: number, firstJob: bigint, maxInFlight: number, path = 'batched'): Promise<Row> {
  const jobs = Array.from({ length: count }, (_, i) => ({ owner: users[i % users.length].publicKey, jobId: firstJob + BigInt(i), tier: TIER, maxOutputTokens: MAX_OUTPUT_TOKENS }));
  const batch = { payers: world.pool, lookupTables: world.tables, maxInFlight, authority: world.operator };
  // The users' accounts enter the lookup table before the clock starts (an operator extends it as users arrive).
  await tablesFor(world, users);
  const round = Math.min(count, users.length * DEFAULT_JOB_SLOTS);
  const outcomes: JobOutcome[] = [];
  const stats: BatchStats = { transactions: 0, resent: 0 };
  const add = (r: { outcomes: JobOutcome[]; stats: BatchStats }) => {
    outcomes.push(...r.outcomes);
    stats.transactions += r.stats.transactions;
    stats.resent += r.stats.resent;
  };
  let lockMs = 0;
  let settleMs = 0;
  const t0 = Date.now();
  for (let i = 0; i < jobs.length; i += round) {
    const part = jobs.slice(i, i + round);
    const a = Date.now();
    add(await world.client.lockMany(part, batch));
    const b = Date.now();
    add(await world.client.settleMany(part.map((j) => ({ owner: j.owner, jobId: j.jobId, outputTokens: OUTPUT_TOKENS, providerShareBps: PROVIDER_SHARE_BPS, providerTokenAccount: world.worker })), batch));
    lockMs += b - a;
    settleMs += Date.now() - b;
  }
  const seconds = (Date.now() - t0) / 1000;
  const done = outcomes.flatMap((o) => (o.status === 'done' ? [o] : []));
  if (done.length !== 2 * count) throw new Error(`${path}: ${2 * count - done.length} operations failed: ${JSON.stringify(outcomes.find((o) => o.status !== 'done'))}`);
  const c = await costs(world.v.connection, done.map((o) => o.signature));
  return { ...rowOf(users.length, path, count, seconds, c), lockSeconds: lockMs / 1000, settleSeconds: settleMs / 1000, maxInFlight, resent: stats.resent };
}

/** Polls getSignatureStatuses (256 signatures per call) until every one is confirmed; throws on a failed one or an expired blockhash. */
async function confirmAll(connection: Connection, signatures: string[], lastValidBlockHeight: number): Promise<Set<number>> {
  const pending = new Set(signatures);
  const slots = new Set<number>();
  while (pending.size) {
    await sleep(100);
    const list = [...pending];
    const chunks = Array.from({ length: Math.ceil(list.length / 256) }, (_, k) => list.slice(256 * k, 256 * (k + 1)));
    const answers = await Promise.all(chunks.map((chunk) => connection.getSignatureStatuses(chunk).then((r) => r.value)));
    answers.forEach((statuses, k) =>
      statuses.forEach((s, j) => {
        if (!s || (s.confirmationStatus !== 'confirmed' && s.confirmationStatus !== 'finalized')) return;
        if (s.err) throw new Error(`open-loop: ${chunks[k][j]} failed: ${JSON.stringify(s.err)}`);
        pending.delete(chunks[k][j]);
        slots.add(s.slot);
      }),
    );
    if (pending.size && (await connection.getBlockHeight('confirmed')) > lastValidBlockHeight) throw new Error(`open-loop: ${pending.size} transactions expired unconfirmed`);
  }
  return slots;
}

/**
 * The same `count` jobs over `users` as lock_batch / settle_batch
 * transactions packed as the SDK packs them (longest prefix that fits the
 * compute, account-lock and packet limits), v0 over the same tables, paid
 * and signed by the operator, all built and signed before the clock starts;
 * then sent all at once without preflight, locks first, settles once every
 * lock is confirmed.
 */
async function openLoop(world: BatchWorld, users: Keypair[], count: number, firstJob: bigint): Promise<Row> {
  const connection = world.v.connection;
  const programId = world.client.programId;
  const operator = world.operator;
  const tables = await tablesFor(world, users);
  const jobs = Array.from({ length: count }, (_, i) => {
    const [creditAccount] = findCreditAccountPda(users[i % users.length].publicKey, { programId });
    return { creditAccount, vault: findVaultAddress(creditAccount, world.v.mint), jobId: firstJob + BigInt(i) };
  });
  type J = (typeof jobs)[number];
  const distinct = (js: J[]) => new Set(js.map((j) => j.creditAccount.toBase58())).size;
  const lockIx = (js: J[]) => getLockBatchInstruction({ authority: operator.publicKey }, js.map((j) => ({ ...j, tier: TIER, maxOutputTokens: MAX_OUTPUT_TOKENS })), { programId });
  const settleIx = (js: J[]) =>
    getSettleBatchInstruction({ operator: operator.publicKey, mint: world.v.mint }, js.map((j) => ({ ...j, providerTokenAccount: world.worker, outputTokens: OUTPUT_TOKENS, providerShareBps: PROVIDER_SHARE_BPS })), { programId });
  const lockUnits = (js: J[]) => batchComputeUnits('lock_batch', { jobs: js.length, accounts: distinct(js) });
  const settleUnits = (js: J[]) => batchComputeUnits('settle_batch', { jobs: js.length, accounts: distinct(js) });

  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash('confirmed');
  const compile = (ix: TransactionInstruction, units: number) =>
    new VersionedTransaction(
      new TransactionMessage({
        payerKey: operator.publicKey,
        recentBlockhash: blockhash,
        instructions: [ComputeBudgetProgram.setComputeUnitLimit({ units: Math.min(MAX_TRANSACTION_UNITS, units) }), ix],
      }).compileToV0Message(tables),
    );
  const fits = (js: J[], build: (js: J[]) => TransactionInstruction, units: (js: J[]) => number) => {
    try {
      if (units(js) > MAX_TRANSACTION_UNITS) return false;
      const tx = compile(build(js), units(js));
      return lockedAccounts(tx) <= MAX_TRANSACTION_ACCOUNTS && tx.serialize().length <= PACKET_BYTES;
    } catch {
      return false;
    }
  };
  /** Signed transactions for all jobs, each the longest prefix of the rest that fits. */
  const pack = (build: (js: J[]) => TransactionInstruction, units: (js: J[]) => number) => {
    const out: { bytes: Uint8Array; signature: string }[] = [];
    for (let i = 0; i < jobs.length; ) {
      let n = 1;
      while (i + n < jobs.length && fits(jobs.slice(i, i + n + 1), build, units)) n++;
      const part = jobs.slice(i, i + n);
      const tx = compile(build(part), units(part));
      tx.sign([operator]);
      out.push({ bytes: tx.serialize(), signature: bs58.encode(tx.signatures[0]) });
      i += n;
    }
    return out;
  };
  const locks = pack(lockIx, lockUnits);
  const settles = pack(settleIx, settleUnits);
  const send = (txs: { bytes: Uint8Array; signature: string }[]) => Promise.all(txs.map((t) => connection.sendRawTransaction(t.bytes, { skipPreflight: true })));

  const t0 = Date.now();
  await send(locks);
  const lockSlots = await confirmAll(connection, locks.map((t) => t.signature), lastValidBlockHeight);
  const t1 = Date.now();
  await send(settles);
  const settleSlots = await confirmAll(connection, settles.map((t) => t.signature), lastValidBlockHeight);
  const t2 = Date.now();
  console.log(`open-loop: ${locks.length} lock transactions landed in ${lockSlots.size} slot(s), ${settles.length} settle transactions in ${settleSlots.size} slot(s)`);
  const seconds = (t2 - t0) / 1000;
  const c = await costs(connection, [...locks, ...settles].map((t) => t.signature));
  return { ...rowOf(users.length, 'open-loop', count, seconds, c), lockSeconds: (t1 - t0) / 1000, settleSeconds: (t2 - t1) / 1000 };
}

async function main() {
  const world = await startBatchWorld({ rpcPort: 30899, credits: 10_000n });
  const rows: Row[] = [];
  let nextJob = 1n;
  const take = (n: number) => {
    const first = nextJob;
    nextJob += BigInt(n);
    return first;
  };
  let summary;
  try {
    let users: Keypair[] = [];
    for (const userCount of [1, 10, 100]) {
      users = await world.addUsers(userCount);
      rows.push(await batched(world, users, BATCHED_JOBS, take(BATCHED_JOBS), 8));
      const first = take(SINGLE_JOBS);
      const single = Array.from({ length: SINGLE_JOBS }, (_, i) => ({ owner: users[i % userCount].publicKey, jobId: first + BigInt(i) }));
      const signatures: string[] = [];
      const t1 = Date.now();
      for (const j of single) {
        const locked = await world.client.lock({ owner: j.owner, jobId: j.jobId, tier: TIER, maxOutputTokens: MAX_OUTPUT_TOKENS });
        if (!locked.signature) throw new Error(`single: job ${j.jobId} was already locked`);
        signatures.push(locked.signature);
        signatures.push((await world.client.settle({ owner: j.owner, jobId: j.jobId, outputTokens: OUTPUT_TOKENS, providerShareBps: PROVIDER_SHARE_BPS, providerTokenAccount: world.worker })).signature);
      }
      const singleSeconds = (Date.now() - t1) / 1000;
      const s = await costs(world.v.connection, signatures);
      rows.push(rowOf(userCount, 'single', SINGLE_JOBS, singleSeconds, s));
    }

    // 1,000 jobs over the 100 wallets: the batched path, then the same transactions open-loop.
    if (users.length !== BIG_USERS) users = await world.addUsers(BIG_USERS);
    const big: Row[] = [];
    for (const m of MAX_IN_FLIGHT) big.push(await batched(world, users, BIG_JOBS, take(BIG_JOBS), m));
    const open = await openLoop(world, users, BIG_JOBS, take(BIG_JOBS));
    rows.push(...big, open);
    const cuPerJob = open.cuPerJob;
    summary = {
      batchedJobsPerSecond: big[0].jobsPerSecond,
      openLoopJobsPerSecond: open.jobsPerSecond,
      ratio: big[0].jobsPerSecond / open.jobsPerSecond,
      cuPerJob,
      ceilingJobsPerBlock: BLOCK_UNITS / cuPerJob,
      ceilingJobsPerSecond: BLOCK_UNITS / cuPerJob / SLOT_SECONDS,
      writableAccountCeilingJobsPerSecond: WRITABLE_ACCOUNT_UNITS / cuPerJob / SLOT_SECONDS,
    };
  } finally {
    await world.tables.deactivate().catch(() => undefined);
    await world.v.stop();
  }
  const path = `${ROOT}/bench/results.json`;
  const results = JSON.parse(readFileSync(path, 'utf8'));
  results.throughput = {
    runtime: 'solana-test-validator 3.1.8 (local, one node), SBPF v0 build; lock + settle per job',
    rows,
    goal: 'batched / open-loop ≥ 0.5 (1,000 jobs, 100 wallets)',
    ...summary,
    ceiling: `block compute limit ${BLOCK_UNITS.toLocaleString('en-US')} CU / CU per job, at ${SLOT_SECONDS} s per slot`,
  };
  writeFileSync(path, JSON.stringify(results, null, 2) + '\n');
  console.log('\nthroughput on a local validator (lock + settle per job):');
  console.log(
    `${'users'.padStart(5)}  ${'path'.padEnd(10)}${'jobs'.padStart(6)}${'jobs/s'.padStart(9)}${'secs'.padStart(8)}${'lock s'.padStart(8)}${'settle s'.padStart(9)}${'txs'.padStart(6)}${'tx/job'.padStart(8)}${'CU/job'.padStart(9)}${'fee/job'.padStart(9)}${'inflight'.padStart(9)}${'resent'.padStart(7)}`,
  );
  const opt = (x: number | undefined, d = 1) => (x === undefined ? '' : x.toFixed(d));
  for (const r of rows) {
    console.log(
      `${String(r.users).padStart(5)}  ${r.path.padEnd(10)}${String(r.jobs).padStart(6)}${r.jobsPerSecond.toFixed(1).padStart(9)}${r.seconds.toFixed(2).padStart(8)}${opt(r.lockSeconds, 2).padStart(8)}${opt(r.settleSeconds, 2).padStart(9)}${String(r.transactions ?? Math.round(r.txPerJob * r.jobs)).padStart(6)}${r.txPerJob.toFixed(3).padStart(8)}${Math.round(r.cuPerJob).toString().padStart(9)}${Math.round(r.feeLamportsPerJob).toString().padStart(9)}${opt(r.maxInFlight, 0).padStart(9)}${opt(r.resent, 0).padStart(7)}`,
    );
  }
  if (summary) {
    console.log(`\n${BIG_JOBS.toLocaleString('en-US')} jobs over ${BIG_USERS} wallets:`);
    console.log(`  batched (lockMany / settleMany, maxInFlight ${MAX_IN_FLIGHT[0]}): ${summary.batchedJobsPerSecond.toFixed(1)} jobs/s`);
    console.log(`  open-loop (same transactions, all sent at once):  ${summary.openLoopJobsPerSecond.toFixed(1)} jobs/s`);
    console.log(`  ratio batched / open-loop: ${summary.ratio.toFixed(2)} (goal ≥ 0.5)`);
    console.log(
      `  ceiling: block compute limit ${BLOCK_UNITS.toLocaleString('en-US')} CU / ${Math.round(summary.cuPerJob).toLocaleString('en-US')} CU per job = ${Math.round(summary.ceilingJobsPerBlock).toLocaleString('en-US')} jobs per block (${Math.round(summary.ceilingJobsPerSecond).toLocaleString('en-US')} jobs/s at ${SLOT_SECONDS} s slots; ${Math.round(summary.writableAccountCeilingJobsPerSecond).toLocaleString('en-US')} jobs/s under the ${WRITABLE_ACCOUNT_UNITS.toLocaleString('en-US')} CU per-account write limit, which the operator, fee payer of every transaction, hits first)`,
    );
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
