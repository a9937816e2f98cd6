import { Buffer } from 'buffer';
import type { AccountMeta, PublicKey, TransactionInstruction } from '@solana/web3.js';
import type { Tier } from '../constants.js';
import { toU64, toSmall, type Amount } from '../idl.js';
import { findConfigPda, findCreditAccountPda } from '../pdas.js';
import { buildInstruction, mintAccounts, vaultOf, type MintAccounts } from './common.js';

type Opts = { programId?: PublicKey };

export interface LockAccounts extends MintAccounts {
  /** The operator, or the credit account's owner; the only signer. */
  authority: PublicKey;
  creditAccount: PublicKey;
  config?: PublicKey;
  vault?: PublicKey;
}

export interface LockArgs {
  jobId: Amount;
  tier: Tier | number;
  maxOutputTokens: number;
}

function lockArgs(args: LockArgs) {
  return { job_id: toU64(args.jobId, 'jobId'), tier: toSmall(args.tier, 'tier', 8), max_output_tokens: toSmall(args.maxOutputTokens, 'maxOutputTokens', 32) };
}

/** Builds `lock`: the program prices the job from the tier table and holds it in a free job slot. */
export function getLockInstruction(accounts: LockAccounts, args: LockArgs, { programId }: Opts = {}): TransactionInstruction {
  return buildInstruction(
    'lock',
    {
      authority: accounts.authority,
      config: accounts.config ?? findConfigPda({ programId })[0],
      credit_account: accounts.creditAccount,
      vault: vaultOf(accounts, accounts.creditAccount),
    },
    lockArgs(args),
    programId,
  );
}

export interface SettleAccounts extends MintAccounts {
  operator: PublicKey;
  creditAccount: PublicKey;
  /** The worker's token account of the mint (owned by a wallet, not a PDA). */
  providerTokenAccount: PublicKey;
  config?: PublicKey;
  vault?: PublicKey;
}

export interface SettleArgs {
  jobId: Amount;
  outputTokens: number;
  providerShareBps: number;
}

function settleArgs(args: SettleArgs) {
  return {
    job_id: toU64(args.jobId, 'jobId'),
    output_tokens: toSmall(args.outputTokens, 'outputTokens', 32),
    provider_share_bps: toSmall(args.providerShareBps, 'providerShareBps', 16),
  };
}

/** Builds `settle`: charges job `jobId`, pays the worker and frees its slot. */
export function getSettleInstruction(accounts: SettleAccounts, args: SettleArgs, { programId }: Opts = {}): TransactionInstruction {
  return buildInstruction(
    'settle',
    {
      operator: accounts.operator,
      config: accounts.config ?? findConfigPda({ programId })[0],
      credit_account: accounts.creditAccount,
      vault: vaultOf(accounts, accounts.creditAccount),
      provider_token_account: accounts.providerTokenAccount,
      ...mintAccounts(accounts),
    },
    settleArgs(args),
    programId,
  );
}

/** Builds `refund` (the operator at any time; anyone once the job expired). */
export function getRefundInstruction(
  accounts: { authority: PublicKey; creditAccount: PublicKey; config?: PublicKey },
  args: { jobId: Amount },
  { programId }: Opts = {},
): TransactionInstruction {
  return buildInstruction(
    'refund',
    { authority: accounts.authority, config: accounts.config ?? findConfigPda({ programId })[0], credit_account: accounts.creditAccount },
    { job_id: toU64(args.jobId, 'jobId') },
    programId,
  );
}

/**
 * Builds `add_job_slots`: `count` more job slots for the owner's credit
 * account (at most MAX_JOB_SLOTS in all); the owner signs and pays the rent.
 */
export function getAddJobSlotsInstruction(
  accounts: { owner: PublicKey; creditAccount?: PublicKey },
  args: { count: number },
  { programId }: Opts = {},
): TransactionInstruction {
  return buildInstruction(
    'add_job_slots',
    { owner: accounts.owner, credit_account: accounts.creditAccount ?? findCreditAccountPda(accounts.owner, { programId })[0] },
    { count: toSmall(args.count, 'count', 8) },
    programId,
  );
}

// Batches. The program takes the credit accounts as remaining accounts, each
// once, in strictly ascending address order, and the jobs grouped by account
// in that order; these builders sort whatever order they are given.

/**
 * The order a batch lists its credit accounts in, as the program checks it
 * (programs/job_escrow/src/instructions/shared/batch.rs `order`): by the
 * address's four 8-byte words read little-endian, the first word first.
 */
export function compareAddresses(a: PublicKey, b: PublicKey): number {
  const x = a.toBuffer();
  const y = b.toBuffer();
  for (let w = 0; w < 32; w += 8) {
    const p = x.readBigUInt64LE(w);
    const q = y.readBigUInt64LE(w);
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

/** The distinct credit accounts of `jobs` in ascending address order, each job with its account's index (stable within one account). */
function groupByAccount<J extends { creditAccount: PublicKey }>(jobs: readonly J[]): { accounts: J[]; ordered: { job: J; account: number }[] } {
  if (jobs.length === 0) throw new RangeError('a batch needs at least one job');
  const sorted = jobs.map((job, i) => ({ job, i })).sort((x, y) => compareAddresses(x.job.creditAccount, y.job.creditAccount) || x.i - y.i);
  const accounts: J[] = [];
  const ordered = sorted.map(({ job }) => {
    const last = accounts.at(-1);
    if (!last || !last.creditAccount.equals(job.creditAccount)) accounts.push(job);
    return { job, account: accounts.length - 1 };
  });
  if (accounts.length > 255) throw new RangeError('a batch holds at most 255 credit accounts');
  return { accounts, ordered };
}

function withRemaining(ix: TransactionInstruction, remaining: AccountMeta[]): TransactionInstruction {
  ix.keys.push(...remaining);
  return ix;
}

export interface LockBatchJob extends LockArgs {
  creditAccount: PublicKey;
  vault: PublicKey;
}

/**
 * Builds `lock_batch`: many jobs of many credit accounts in one instruction
 * (one bad job rejects all of them). Remaining accounts: (credit account,
 * vault) per distinct account, sorted by address.
 * @throws RangeError for an empty batch or an argument out of range.
 */
export function getLockBatchInstruction(accounts: { authority: PublicKey; config?: PublicKey }, jobs: readonly LockBatchJob[], { programId }: Opts = {}): TransactionInstruction {
  const { accounts: distinct, ordered } = groupByAccount(jobs);
  const ix = buildInstruction(
    'lock_batch',
    { authority: accounts.authority, config: accounts.config ?? findConfigPda({ programId })[0] },
    { jobs: ordered.map(({ job, account }) => ({ account, ...lockArgs(job) })) },
    programId,
  );
  return withRemaining(
    ix,
    distinct.flatMap((j) => [
      { pubkey: j.creditAccount, isWritable: true, isSigner: false },
      { pubkey: j.vault, isWritable: false, isSigner: false },
    ]),
  );
}

export interface SettleBatchJob extends SettleArgs {
  creditAccount: PublicKey;
  vault: PublicKey;
  providerTokenAccount: PublicKey;
}

/**
 * Builds `settle_batch`. Remaining accounts: (credit account, vault) per
 * distinct account sorted by address, then each distinct worker token account.
 * @throws RangeError for an empty batch or an argument out of range.
 */
export function getSettleBatchInstruction(accounts: MintAccounts & { operator: PublicKey; config?: PublicKey }, jobs: readonly SettleBatchJob[], { programId }: Opts = {}): TransactionInstruction {
  const { accounts: distinct, ordered } = groupByAccount(jobs);
  const providers: PublicKey[] = [];
  const providerIndex = (key: PublicKey) => {
    let k = providers.findIndex((p) => p.equals(key));
    if (k < 0) k = providers.push(key) - 1;
    const index = 2 * distinct.length + k;
    if (index > 255) throw new RangeError('a settle batch names at most 256 remaining accounts');
    return index;
  };
  const wire = ordered.map(({ job, account }) => ({ account, provider: providerIndex(job.providerTokenAccount), ...settleArgs(job) }));
  const ix = buildInstruction(
    'settle_batch',
    { operator: accounts.operator, config: accounts.config ?? findConfigPda({ programId })[0], ...mintAccounts(accounts) },
    { jobs: wire },
    programId,
  );
  return withRemaining(ix, [
    ...distinct.flatMap((j) => [
      { pubkey: j.creditAccount, isWritable: true, isSigner: false },
      { pubkey: j.vault, isWritable: true, isSigner: false },
    ]),
    ...providers.map((pubkey) => ({ pubkey, isWritable: true, isSigner: false })),
  ]);
}

export interface RefundBatchJob {
  creditAccount: PublicKey;
  jobId: Amount;
}

/**
 * Builds `refund_batch` (the operator at any time; anyone for expired jobs).
 * Remaining accounts: each distinct credit account, sorted by address.
 * @throws RangeError for an empty batch or a job id out of range.
 */
export function getRefundBatchInstruction(accounts: { authority: PublicKey; config?: PublicKey }, jobs: readonly RefundBatchJob[], { programId }: Opts = {}): TransactionInstruction {
  const { accounts: distinct, ordered } = groupByAccount(jobs);
  const ix = buildInstruction(
    'refund_batch',
    { authority: accounts.authority, config: accounts.config ?? findConfigPda({ programId })[0] },
    { jobs: ordered.map(({ job, account }) => ({ account, job_id: toU64(job.jobId, 'jobId') })) },
    programId,
  );
  return withRemaining(
    ix,
    distinct.map((j) => ({ pubkey: j.creditAccount, isWritable: true, isSigner: false })),
  );
}
