// The SDK's batched path on the embedded bank, measured: a world with the
// operator's lookup tables and payer pool, one lock / settle / refund round
// of many jobs through lockMany / settleMany / refundMany, and what each
// round cost per job (compute units against the floor, jobs per
// transaction, fee lamports). Shared by the CU and size budgets
// (tests/program/job_budgets.test.ts) and the bench (bench/jobs.ts).
import { LAMPORTS_PER_SOL, PublicKey } from '@solana/web3.js';
import { JobEscrowClient, LookupTables, PayerPool, findConfigPda, findVaultAddress, type JobOutcome } from '../../../sdk/src/index.js';
import { LiteSVMProvider } from '../../../sdk/src/litesvm/provider.js';
import { Escrow } from '../../shared/lifecycle.js';

/** Fixed costs on this runtime (docs/benchmarks.md): a Clock read, a curve check, a CPI's base; sol_log_data of one part costs LOG_DATA_BASE + its bytes. */
export const FIXED_UNITS = { clock: 140, curve: 159, cpiBase: 1_000, logDataBase: 200 } as const;
/** The base fee per signature (no priority fee). */
export const BASE_FEE = 5_000;
const TOKEN_PROGRAM = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';

/** The floor of a transaction's logs: its events, its token CPIs and `clocks` Clock reads and `curves` curve checks it cannot avoid. */
export function floorUnits(logs: string[], { clocks = 1, curves = 0 } = {}): number {
  let floor = FIXED_UNITS.clock * clocks + FIXED_UNITS.curve * curves;
  for (const line of logs) {
    const data = /^Program data: (.+)$/.exec(line);
    if (data) floor += FIXED_UNITS.logDataBase + Buffer.from(data[1], 'base64').length;
    const token = new RegExp(`^Program ${TOKEN_PROGRAM} consumed (\\d+) of`).exec(line);
    if (token) floor += FIXED_UNITS.cpiBase + Number(token[1]);
  }
  return floor;
}

export interface RoundCost {
  case: string;
  jobs: number;
  transactions: number;
  maxJobsPerTx: number;
  cuPerJob: number;
  floorPerJob: number;
  feePerJob: number;
}

/** A world whose operator batches through lookup tables (holding its users' accounts) and a payer pool of 4 keys. */
export async function batchedWorld({ users: count, jobSlots = 0, credits = 10_000n }: { users: number; jobSlots?: number; credits?: bigint }) {
  const env = new Escrow({ jobTimeoutSecs: 120 });
  const operator = new JobEscrowClient(new LiteSVMProvider(env.bank, env.operator));
  /** Moves the clock `slots` ahead (the bank keeps SlotHashes current for the lookup-table program). */
  const advance = (slots = 1) => {
    env.svm.warpToSlot(env.svm.getClock().slot + BigInt(slots));
  };
  advance(1_000);
  const users = Array.from({ length: count }, () => env.funded(credits, { jobSlots }));
  const payers = await PayerPool.derive(env.operator, 4);
  for (const k of payers.publicKeys) env.bank.airdrop(k, BigInt(LAMPORTS_PER_SOL));
  const lookupTables = new LookupTables(env.bank as never, env.operator);
  const worker = env.worker().usdc;
  advance();
  // The operator keeps the shared accounts and its active users' in its tables (extended as users arrive).
  await lookupTables.ensure([operator.programId, findConfigPda()[0], new PublicKey(TOKEN_PROGRAM), env.mint, worker, ...users.flatMap((u) => [u.credit, findVaultAddress(u.credit, env.mint)])]);
  advance();

  /** What the done outcomes of one batched call cost, per job; throws when a job was not done. `curves`: curve checks per transaction (settle: one per worker). */
  const cost = async (name: string, outcomes: JobOutcome[], curves = 0): Promise<RoundCost> => {
    const done = outcomes.flatMap((o) => (o.status === 'done' ? [o] : []));
    if (done.length !== outcomes.length) throw new Error(`${name}: ${outcomes.length - done.length} jobs not done: ${JSON.stringify(outcomes.find((o) => o.status !== 'done'))}`);
    const perTx = new Map<string, number>();
    for (const o of done) perTx.set(o.signature, (perTx.get(o.signature) ?? 0) + 1);
    let units = 0;
    let floor = 0;
    let fees = 0;
    for (const signature of perTx.keys()) {
      const tx = (await env.bank.getTransaction(signature))!;
      // Less the compute budget instruction (a builtin, 150 CU): only the program's instruction counts.
      units += Number(tx.meta!.computeUnitsConsumed) - 150;
      floor += floorUnits(tx.meta!.logMessages ?? [], { curves });
      // LiteSVM's bank records no fee: at the base rate it is 5,000 lamports a signature.
      fees += BASE_FEE * tx.transaction.message.header.numRequiredSignatures;
    }
    const jobs = done.length;
    return { case: name, jobs, transactions: perTx.size, maxJobsPerTx: Math.max(...perTx.values()), cuPerJob: units / jobs, floorPerJob: floor / jobs, feePerJob: fees / jobs };
  };

  let nextJobId = 1n;
  /** Lock, settle, lock again and refund (after expiry, the payer pool signing) `perUser` jobs of each user: the three rounds' costs. */
  const lifecycle = async (label: string, perUser: number): Promise<RoundCost[]> => {
    const o = { payers, lookupTables };
    const jobs = () => users.flatMap((u) => Array.from({ length: perUser }, () => ({ owner: u.wallet.publicKey, jobId: nextJobId++, tier: 1, maxOutputTokens: 1_500 })));
    const first = jobs();
    const lock = await cost(`lock_batch, ${label}`, (await operator.lockMany(first, o)).outcomes);
    advance();
    const settles = first.map((j) => ({ owner: j.owner, jobId: j.jobId, outputTokens: 1_000, providerShareBps: 8_000, providerTokenAccount: worker }));
    const settle = await cost(`settle_batch, ${label}`, (await operator.settleMany(settles, o)).outcomes, 1);
    advance();
    const second = jobs();
    const locked = (await operator.lockMany(second, o)).outcomes;
    if (locked.some((x) => x.status !== 'done')) throw new Error(`${label}: the second lock round failed`);
    env.warp(121);
    advance();
    const refund = await cost(`refund_batch, ${label} (expired: the payer pool)`, (await operator.refundMany(second, o)).outcomes);
    return [lock, settle, refund];
  };
  return { env, operator, users, worker, lookupTables, payers, advance, cost, lifecycle };
}
