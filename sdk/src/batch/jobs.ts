// Locks, settles and refunds many jobs at once (JobEscrowClient.lockMany,
// settleMany, refundMany): one outcome per job, instructions packed by
// sendBatched, fee payers and Job rent payers from a PayerPool, v0
// transactions over the operator's LookupTables when given.
import type { Keypair, PublicKey, Signer } from '@solana/web3.js';
import { decodeJob } from '../accounts/index.js';
import type { JobEscrowClient } from '../client.js';
import { COMPUTE_UNITS, TOKEN_PROGRAM_ADDRESS } from '../constants.js';
import { JobEscrowErrorCode } from '../errors.js';
import { toU64, type Amount } from '../idl.js';
import { getLockInstruction, getRefundInstruction, getSettleInstruction } from '../instructions/index.js';
import { findConfigPda, findCreditAccountPda, findJobPda, findVaultAddress } from '../pdas.js';
import type { LookupTables } from './lookupTables.js';
import type { PayerPool } from './payerPool.js';
import { sendBatched, type BatchItem, type BatchStats, type ItemOutcome } from './send.js';
import { PublicKey as Key } from '@solana/web3.js';

/** Jobs in a row that take their rent from the same pool key. */
const RENT_PAYER_RUN = 16;

export interface BatchOptions {
  /** Signs as the operator (lock, settle) or refund authority. Default: the provider wallet's keypair, when it exposes one. */
  authority?: Signer;
  /** Fee payers and (lock) Job rent payers; default the authority alone. */
  payers?: PayerPool;
  /** v0 transactions over these tables (extended with the jobs' accounts first). */
  lookupTables?: LookupTables;
  maxInFlight?: number;
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
  | { status: 'done'; job: PublicKey; signature: string }
  | { status: 'already-locked'; job: PublicKey }
  | { status: 'rejected'; job: PublicKey; code?: number; error: string };

export interface BatchResult {
  outcomes: JobOutcome[];
  stats: BatchStats;
}

/** The keypair behind the client's wallet, when the wallet exposes one (Anchor's Wallet, the test kit's); a browser wallet does not. */
export function walletKeypair(client: JobEscrowClient): Keypair | undefined {
  return (client.provider.wallet as { payer?: Keypair } | undefined)?.payer;
}

function authorityOf(client: JobEscrowClient, o: BatchOptions): Signer {
  const authority = o.authority ?? walletKeypair(client);
  if (!authority) throw new Error('batches sign with a keypair: pass { authority }');
  return authority;
}

/** Each request's CreditAccount PDA and Job PDA. */
function jobAddresses(client: JobEscrowClient, requests: { owner: PublicKey; jobId: Amount }[]) {
  const credit = requests.map((r) => findCreditAccountPda(r.owner, { programId: client.programId })[0]);
  const jobs = requests.map((r, i) => findJobPda(credit[i], toU64(r.jobId, 'jobId'), { programId: client.programId })[0]);
  return { credit, jobs };
}

/** Job PDAs with their accounts (null when absent), read 100 at a time. */
async function readJobs(client: JobEscrowClient, jobs: PublicKey[]) {
  const out: (ReturnType<typeof decodeJob> | null)[] = [];
  for (let i = 0; i < jobs.length; i += 100) {
    const infos = await client.connection.getMultipleAccountsInfo(jobs.slice(i, i + 100), 'confirmed');
    out.push(...infos.map((a) => (a && a.owner.equals(client.programId) && a.data.length > 0 ? decodeJob(a.data) : null)));
  }
  return out;
}

async function run(
  client: JobEscrowClient,
  o: BatchOptions,
  jobs: PublicKey[],
  prepared: (BatchItem | JobOutcome)[],
  shared: PublicKey[],
): Promise<BatchResult> {
  const authority = authorityOf(client, o);
  const items = prepared.filter((p): p is BatchItem => 'ix' in p);
  // The accounts jobs share (not each job's own PDA, used once).
  const tables = o.lookupTables ? await o.lookupTables.ensure(shared) : undefined;
  const { outcomes, stats } = await sendBatched(client.connection, items, {
    feePayer: () => o.payers?.next() ?? authority,
    lookupTables: tables,
    maxInFlight: o.maxInFlight,
  });
  let k = 0;
  return {
    outcomes: prepared.map((p, i) => {
      if (!('ix' in p)) return p;
      const r: ItemOutcome = outcomes[k++];
      return r.ok ? { status: 'done', job: jobs[i], signature: r.signature } : { status: 'rejected', job: jobs[i], code: r.code, error: r.error };
    }),
    stats,
  };
}

/** Shared accounts every job instruction names (the tables' first entries). */
function sharedAccounts(client: JobEscrowClient, o: BatchOptions): PublicKey[] {
  return [client.programId, findConfigPda({ programId: client.programId })[0], new Key(TOKEN_PROGRAM_ADDRESS), ...(o.payers?.publicKeys ?? [])];
}

export async function lockMany(client: JobEscrowClient, requests: LockRequest[], o: BatchOptions = {}): Promise<BatchResult> {
  const authority = authorityOf(client, o);
  const { mint } = await client.config();
  const { credit, jobs } = jobAddresses(client, requests);
  const existing = await readJobs(client, jobs);
  const prepared = requests.map((r, i): BatchItem | JobOutcome => {
    const found = existing[i];
    if (found) {
      return found.tier === r.tier && found.maxOutputTokens === r.maxOutputTokens
        ? { status: 'already-locked', job: jobs[i] }
        : { status: 'rejected', job: jobs[i], code: JobEscrowErrorCode.AlreadyInitialized, error: 'the job id is locked with other parameters' };
    }
    // Consecutive jobs share a rent payer, so a packed transaction carries one or two extra signatures, not one per job.
    const rentPayer = o.payers?.at(Math.floor(i / RENT_PAYER_RUN)) ?? authority;
    const ix = getLockInstruction(
      { authority: authority.publicKey, rentPayer: rentPayer.publicKey, creditAccount: credit[i], mint, job: jobs[i] },
      { jobId: r.jobId, tier: r.tier, maxOutputTokens: r.maxOutputTokens },
      { programId: client.programId },
    );
    return { ix, units: COMPUTE_UNITS.lock, signers: [authority, rentPayer] };
  });
  const shared = [...sharedAccounts(client, o), ...credit, ...credit.map((c) => findVaultAddress(c, mint))];
  return run(client, o, jobs, prepared, shared);
}

export async function settleMany(client: JobEscrowClient, requests: SettleRequest[], o: BatchOptions = {}): Promise<BatchResult> {
  const authority = authorityOf(client, o);
  const config = await client.config();
  const { credit, jobs } = jobAddresses(client, requests);
  const existing = await readJobs(client, jobs);
  const prepared = requests.map((r, i): BatchItem | JobOutcome => {
    const found = existing[i];
    if (!found) return { status: 'rejected', job: jobs[i], error: 'job not found (never locked, or already settled or refunded)' };
    const ix = getSettleInstruction(
      { operator: authority.publicKey, creditAccount: credit[i], mint: config.mint, job: jobs[i], providerTokenAccount: r.providerTokenAccount, rentPayer: found.rentPayer },
      { outputTokens: r.outputTokens, providerShareBps: r.providerShareBps ?? config.providerShareBpsMin },
      { programId: client.programId },
    );
    return { ix, units: COMPUTE_UNITS.settle, signers: [authority] };
  });
  const shared = [...sharedAccounts(client, o), ...credit, ...credit.map((c) => findVaultAddress(c, config.mint)), ...requests.map((r) => r.providerTokenAccount)];
  return run(client, o, jobs, prepared, shared);
}

/** A job to refund, as read from its account (the crank keeps these in memory). */
export interface OpenJobRef {
  job: PublicKey;
  creditAccount: PublicKey;
  rentPayer: PublicKey;
}

export async function refundMany(client: JobEscrowClient, requests: RefundRequest[], o: BatchOptions = {}): Promise<BatchResult> {
  const { credit, jobs } = jobAddresses(client, requests);
  const existing = await readJobs(client, jobs);
  return refundJobs(
    client,
    jobs.map((job, i) => (existing[i] ? { job, creditAccount: credit[i], rentPayer: existing[i]!.rentPayer } : { status: 'rejected', job, error: 'job not found (never locked, or already settled or refunded)' })),
    o,
  );
}

/**
 * Refunds jobs whose accounts the caller has already read (no second read):
 * the crank's path. A job closed meanwhile comes back rejected with the
 * program's InvalidAccountOwner.
 */
export async function refundJobs(client: JobEscrowClient, jobs: (OpenJobRef | JobOutcome)[], o: BatchOptions = {}): Promise<BatchResult> {
  const authority = authorityOf(client, o);
  const prepared = jobs.map((j): BatchItem | JobOutcome => {
    if ('status' in j) return j;
    const ix = getRefundInstruction({ authority: authority.publicKey, creditAccount: j.creditAccount, job: j.job, rentPayer: j.rentPayer }, { programId: client.programId });
    return { ix, units: COMPUTE_UNITS.refund, signers: [authority] };
  });
  const credit = jobs.filter((j): j is OpenJobRef => !('status' in j)).map((j) => j.creditAccount);
  return run(client, o, jobs.map((j) => j.job), prepared, [...sharedAccounts(client, o), ...credit]);
}
