// Locks, settles and refunds many jobs at once (JobEscrowClient.lockMany,
// settleMany, refundMany): one outcome per job. The credit accounts are read
// once to answer off-chain what the program would reject (no credit
// account, an id already in flight, no free slot, an unknown id); the rest
// go into lock_batch / settle_batch / refund_batch instructions packed by
// sendPacked (as many jobs per transaction as fit; a rejected batch is split
// until the bad job is alone), v0 transactions over the operator's
// LookupTables when given. Lock and settle transactions carry one signature:
// the authority's, which pays the fee. A PayerPool only pays for (and signs
// as the authority of) refunds of expired jobs, which anyone may send.
import type { Keypair, PublicKey, Signer } from '@solana/web3.js';
import { decodeCreditAccount, findOpenJob, openJobsOf, readAccountInfos, type CreditAccount } from '../accounts/index.js';
import type { Provider } from '@coral-xyz/anchor';
import type { EscrowContext } from '../context.js';
import { batchComputeUnits } from '../constants.js';
import { JobEscrowErrorCode } from '../errors.js';
import { toU64, type Amount } from '../idl.js';
import { getLockBatchInstruction, getRefundBatchInstruction, getSettleBatchInstruction } from '../instructions/index.js';
import { findConfigPda, findCreditAccountPda, findVaultAddress } from '../pdas.js';
import type { LookupTables } from './lookupTables.js';
import type { PayerPool } from './payerPool.js';
import { sendPacked, type BatchStats, type PackBuilder } from './send.js';

export interface BatchOptions {
  /** Signs as the operator (lock, settle) or refund authority, and pays the fee. Default: the provider wallet's keypair, when it exposes one. */
  authority?: Signer;
  /** Fee payers for refunds of expired jobs (each pool key signs as the refund's authority); never a second signer. */
  payers?: PayerPool;
  /** v0 transactions over these tables (extended with the jobs' accounts first). */
  lookupTables?: LookupTables;
  maxInFlight?: number;
  /** Called as jobs get their outcome: (jobs with an outcome, all jobs). */
  onProgress?: (done: number, total: number) => void;
}

export interface LockRequest {
  owner: PublicKey;
  jobId: Amount;
  tier: number;
  maxOutputTokens: number;
}
export interface SettleRequest {
  owner: PublicKey;
  jobId: Amount;
  outputTokens: number;
  providerShareBps?: number;
  providerTokenAccount: PublicKey;
}
export interface RefundRequest {
  owner: PublicKey;
  jobId: Amount;
}

export type JobOutcome =
  | { status: 'done'; creditAccount: PublicKey; jobId: bigint; signature: string }
  | { status: 'already-locked'; creditAccount: PublicKey; jobId: bigint }
  | { status: 'rejected'; creditAccount: PublicKey; jobId: bigint; code?: number; error: string };

export interface BatchResult {
  outcomes: JobOutcome[];
  stats: BatchStats;
}

/** The keypair behind the client's wallet, when the wallet exposes one (Anchor's Wallet, the test kit's); a browser wallet does not. */
export function walletKeypair({ provider }: { provider: Provider }): Keypair | undefined {
  return (provider.wallet as { payer?: Keypair } | undefined)?.payer;
}

function authorityOf(client: EscrowContext, o: BatchOptions): Signer {
  const authority = o.authority ?? walletKeypair(client);
  if (!authority) throw new Error('batches sign with a keypair: pass { authority }');
  return authority;
}

/** The credit accounts at `addresses` (null when absent or not the program's), read 100 per call, by base58 address. */
export async function readCreditAccounts(client: EscrowContext, addresses: PublicKey[]): Promise<Map<string, CreditAccount | null>> {
  const unique = [...new Map(addresses.map((a) => [a.toBase58(), a])).values()];
  const out = new Map<string, CreditAccount | null>();
  for (let i = 0; i < unique.length; i += 100) {
    const chunk = unique.slice(i, i + 100);
    const infos = await readAccountInfos(client.connection, chunk);
    chunk.forEach((a, k) => {
      const info = infos[k];
      out.set(a.toBase58(), info && info.owner.equals(client.programId) && info.data.length > 0 ? decodeCreditAccount(info.data) : null);
    });
  }
  return out;
}

/** A job ready to send: its credit account and id, and what its builder needs. */
type Ready<T> = { creditAccount: PublicKey; jobId: bigint; input: T };

/** Accounts every job instruction shares (the tables' first entries): the Config's mint and token program among them. */
async function sharedAccounts(client: EscrowContext): Promise<PublicKey[]> {
  const { mint, tokenProgram } = await client.config();
  return [client.programId, findConfigPda({ programId: client.programId })[0], mint, tokenProgram];
}

/** Sends the ready jobs with `build`, fee payer `feePayer`, and writes their outcomes into `outcomes` at `at[k]`. */
async function runPacked<T>(
  client: EscrowContext,
  o: BatchOptions,
  ready: Ready<T>[],
  build: (jobs: Ready<T>[], payer: Signer) => ReturnType<PackBuilder>['instructions'][number],
  units: (jobs: Ready<T>[]) => number,
  feePayer: () => Signer,
  tableAddresses: PublicKey[],
  progress: (done: number) => void,
): Promise<{ outcomes: JobOutcome[]; stats: BatchStats }> {
  if (!ready.length) return { outcomes: [], stats: { transactions: 0, resent: 0 } };
  const tables = o.lookupTables ? await o.lookupTables.ensure([...(await sharedAccounts(client)), ...tableAddresses]) : undefined;
  const { outcomes, stats } = await sendPacked(
    client.connection,
    ready.length,
    (ids, payer) => {
      const jobs = ids.map((i) => ready[i]);
      return { instructions: [build(jobs, payer)], groups: [ids], units: units(jobs), signers: [] };
    },
    { feePayer, lookupTables: tables, maxInFlight: o.maxInFlight, onProgress: progress },
  );
  return {
    outcomes: outcomes.map((r, i): JobOutcome => {
      const { creditAccount, jobId } = ready[i];
      return r.ok ? { status: 'done', creditAccount, jobId, signature: r.signature } : { status: 'rejected', creditAccount, jobId, code: r.code, error: r.error };
    }),
    stats,
  };
}

function distinctAccounts(jobs: { creditAccount: PublicKey }[]): number {
  return new Set(jobs.map((j) => j.creditAccount.toBase58())).size;
}

/** Outcomes in request order: the off-chain answers where given, else the sent jobs' outcomes in order. */
function merge(pre: (JobOutcome | null)[], sent: JobOutcome[]): JobOutcome[] {
  let k = 0;
  return pre.map((p) => p ?? sent[k++]);
}

function progressOf(o: BatchOptions, total: number, answered: number) {
  let done = answered;
  if (answered) o.onProgress?.(answered, total);
  return (n: number) => {
    done = answered + n;
    o.onProgress?.(done, total);
  };
}

type Keyed = { creditAccount: PublicKey; jobId: bigint };
const keyOf = (j: Keyed) => `${j.creditAccount.toBase58()}:${j.jobId}`;

/** Each request's credit account and id, and a rejection for a request whose (account, id) came earlier in the list. */
function addressJobs(client: EscrowContext, requests: { owner: PublicKey; jobId: Amount }[]) {
  const seen = new Set<string>();
  return requests.map((r) => {
    const creditAccount = findCreditAccountPda(r.owner, { programId: client.programId })[0];
    const jobId = toU64(r.jobId, 'jobId');
    const key = keyOf({ creditAccount, jobId });
    const duplicate = seen.has(key);
    seen.add(key);
    return { creditAccount, jobId, duplicate, owner: r.owner };
  });
}

export async function lockMany(client: EscrowContext, requests: LockRequest[], o: BatchOptions = {}): Promise<BatchResult> {
  const authority = authorityOf(client, o);
  const { mint, tokenProgram } = await client.config();
  const jobs = addressJobs(client, requests);
  const accounts = await readCreditAccounts(client, jobs.map((j) => j.creditAccount));
  const free = new Map([...accounts].map(([k, a]) => [k, a ? a.jobSlots.length - openJobsOf(a).length : 0]));
  const ready: Ready<LockRequest & { vault: PublicKey }>[] = [];
  const pre = requests.map((r, i): JobOutcome | null => {
    const { creditAccount, jobId, duplicate, owner } = jobs[i];
    const account = accounts.get(creditAccount.toBase58());
    if (!account) return { status: 'rejected', creditAccount, jobId, error: `${owner.toBase58()} has no credit account` };
    if (duplicate) return { status: 'rejected', creditAccount, jobId, code: JobEscrowErrorCode.JobAlreadyLocked, error: 'the job id is listed twice in the batch' };
    const open = findOpenJob(account, jobId);
    if (open) {
      return open.tier === Number(r.tier) && open.maxOutputTokens === r.maxOutputTokens
        ? { status: 'already-locked', creditAccount, jobId }
        : { status: 'rejected', creditAccount, jobId, code: JobEscrowErrorCode.JobAlreadyLocked, error: 'the job id is locked with other parameters' };
    }
    const slots = free.get(creditAccount.toBase58())!;
    if (slots <= 0) return { status: 'rejected', creditAccount, jobId, code: JobEscrowErrorCode.NoFreeJobSlot, error: 'no free job slot in the credit account' };
    free.set(creditAccount.toBase58(), slots - 1);
    ready.push({ creditAccount, jobId, input: { ...r, vault: findVaultAddress(creditAccount, mint, { tokenProgram }) } });
    return null;
  });
  const progress = progressOf(o, requests.length, requests.length - ready.length);
  const sent = await runPacked(
    client,
    o,
    ready,
    (batch) =>
      getLockBatchInstruction(
        { authority: authority.publicKey },
        batch.map((j) => ({ creditAccount: j.creditAccount, vault: j.input.vault, jobId: j.jobId, tier: j.input.tier, maxOutputTokens: j.input.maxOutputTokens })),
        { programId: client.programId },
      ),
    (batch) => batchComputeUnits('lock_batch', { jobs: batch.length, accounts: distinctAccounts(batch) }),
    () => authority,
    ready.flatMap((j) => [j.creditAccount, j.input.vault]),
    progress,
  );
  return { outcomes: merge(pre, sent.outcomes), stats: sent.stats };
}

export async function settleMany(client: EscrowContext, requests: SettleRequest[], o: BatchOptions = {}): Promise<BatchResult> {
  const authority = authorityOf(client, o);
  const config = await client.config();
  const jobs = addressJobs(client, requests);
  const accounts = await readCreditAccounts(client, jobs.map((j) => j.creditAccount));
  const ready: Ready<SettleRequest & { vault: PublicKey }>[] = [];
  const pre = requests.map((r, i): JobOutcome | null => {
    const { creditAccount, jobId, duplicate, owner } = jobs[i];
    const account = accounts.get(creditAccount.toBase58());
    if (!account) return { status: 'rejected', creditAccount, jobId, error: `${owner.toBase58()} has no credit account` };
    if (duplicate) return { status: 'rejected', creditAccount, jobId, code: JobEscrowErrorCode.JobNotFound, error: 'the job id is listed twice in the batch' };
    if (!findOpenJob(account, jobId)) return { status: 'rejected', creditAccount, jobId, code: JobEscrowErrorCode.JobNotFound, error: 'job not found (never locked, or already settled or refunded)' };
    ready.push({ creditAccount, jobId, input: { ...r, vault: findVaultAddress(creditAccount, config.mint, { tokenProgram: config.tokenProgram }) } });
    return null;
  });
  const progress = progressOf(o, requests.length, requests.length - ready.length);
  const sent = await runPacked(
    client,
    o,
    ready,
    (batch) =>
      getSettleBatchInstruction(
        { operator: authority.publicKey, mint: config.mint, tokenProgram: config.tokenProgram },
        batch.map((j) => ({
          creditAccount: j.creditAccount,
          vault: j.input.vault,
          providerTokenAccount: j.input.providerTokenAccount,
          jobId: j.jobId,
          outputTokens: j.input.outputTokens,
          providerShareBps: j.input.providerShareBps ?? config.providerShareBpsMin,
        })),
        { programId: client.programId },
      ),
    (batch) => batchComputeUnits('settle_batch', { jobs: batch.length, accounts: distinctAccounts(batch) }),
    () => authority,
    ready.flatMap((j) => [j.creditAccount, j.input.vault, j.input.providerTokenAccount]),
    progress,
  );
  return { outcomes: merge(pre, sent.outcomes), stats: sent.stats };
}

/** A job to refund, as read from its credit account (the crank keeps these in memory). */
export interface OpenJobRef {
  creditAccount: PublicKey;
  jobId: bigint;
  /** Unix seconds: from then on anyone may refund it (a PayerPool key signs). */
  expiresAt: bigint;
}

export async function refundMany(client: EscrowContext, requests: RefundRequest[], o: BatchOptions = {}): Promise<BatchResult> {
  const jobs = addressJobs(client, requests);
  const accounts = await readCreditAccounts(client, jobs.map((j) => j.creditAccount));
  return refundJobs(
    client,
    jobs.map(({ creditAccount, jobId, duplicate, owner }): OpenJobRef | JobOutcome => {
      const account = accounts.get(creditAccount.toBase58());
      if (!account) return { status: 'rejected', creditAccount, jobId, error: `${owner.toBase58()} has no credit account` };
      if (duplicate) return { status: 'rejected', creditAccount, jobId, code: JobEscrowErrorCode.JobNotFound, error: 'the job id is listed twice in the batch' };
      const open = findOpenJob(account, jobId);
      if (!open) return { status: 'rejected', creditAccount, jobId, code: JobEscrowErrorCode.JobNotFound, error: 'job not found (never locked, or already settled or refunded)' };
      return { creditAccount, jobId, expiresAt: open.expiresAt };
    }),
    o,
  );
}

/**
 * Refunds jobs whose credit accounts the caller has already read (no second
 * read): the crank's path. Expired jobs are refunded by the PayerPool's keys
 * when given (each pays for and signs its own transactions), the others by
 * the authority. A job closed meanwhile comes back rejected with the
 * program's JobNotFound.
 */
export async function refundJobs(client: EscrowContext, jobs: (OpenJobRef | JobOutcome)[], o: BatchOptions = {}): Promise<BatchResult> {
  const open = jobs.filter((j): j is OpenJobRef => !('status' in j));
  const now = open.length && o.payers ? await client.clusterTime() : 0n;
  const byPool = o.payers ? open.filter((j) => j.expiresAt !== 0n && j.expiresAt <= now) : [];
  const pooled = new Set(byPool.map(keyOf));
  const byAuthority = open.filter((j) => !pooled.has(keyOf(j)));
  const progress = progressOf(o, jobs.length, jobs.length - open.length);
  const counts = [0, 0];
  const send = (list: OpenJobRef[], feePayer: () => Signer, part: 0 | 1) =>
    runPacked(
      client,
      o,
      list.map((j) => ({ creditAccount: j.creditAccount, jobId: j.jobId, input: j })),
      (batch, payer) => getRefundBatchInstruction({ authority: payer.publicKey }, batch, { programId: client.programId }),
      (batch) => batchComputeUnits('refund_batch', { jobs: batch.length, accounts: distinctAccounts(batch) }),
      feePayer,
      list.map((j) => j.creditAccount),
      (n) => {
        counts[part] = n;
        progress(counts[0] + counts[1]);
      },
    );
  const authority = byAuthority.length ? authorityOf(client, o) : undefined;
  const [fromPool, fromAuthority] = await Promise.all([send(byPool, () => o.payers!.next(), 0), send(byAuthority, () => authority!, 1)]);
  const result = new Map<string, JobOutcome>();
  for (const r of [...fromPool.outcomes, ...fromAuthority.outcomes]) result.set(keyOf(r), r);
  return {
    outcomes: jobs.map((j) => ('status' in j ? j : result.get(keyOf(j))!)),
    stats: { transactions: fromPool.stats.transactions + fromAuthority.stats.transactions, resent: fromPool.stats.resent + fromAuthority.stats.resent },
  };
}
