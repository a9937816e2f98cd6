import type { Connection, PublicKey } from '@solana/web3.js';
import { availableCredits } from './core/balances.js';
import { DEFAULTS, JOB_ESCROW_PROGRAM_ID } from './constants.js';
import { parseEvents } from './events.js';
import { instructionNameOf } from './codec.js';
import { IDL } from './idl.js';
import { findCreditAccountPda, findVaultAddress } from './pdas.js';
import { formatUnits } from './core/pricing.js';
import { isoTime } from './core/time.js';
import { accountKeysOf, tokenBalanceChange } from './transactions.js';

export type HistoryKind = 'open' | 'purchase' | 'deposit' | 'grant' | 'lock' | 'settle' | 'refund' | 'withdraw' | 'fees' | 'limit' | 'expire' | 'close';

/** One line of a wallet's history, oldest first. USDC amounts are base units. */
export interface HistoryEntry {
  signature: string;
  /** Unix seconds, when the cluster reports it. */
  blockTime: number | null;
  kind: HistoryKind;
  /** Credits moved by this entry (purchased, deposited, locked, charged, released, withdrawn). */
  credits: bigint;
  /** USDC base units moved into (+) or out of (-) the vault. */
  usdc: bigint;
  jobId?: bigint;
  /** Available credits right after this entry. */
  availableAfter: bigint;
  lockedAfter: bigint;
}

type HistoryConnection = Pick<Connection, 'getSignaturesForAddress' | 'getTransaction'>;

interface TxView {
  accountKeys: PublicKey[];
  instructions: { programIdIndex: number; accountKeyIndexes: number[]; data: Uint8Array }[];
}

function view(message: unknown): TxView {
  const m = message as { compiledInstructions: TxView['instructions'] };
  return { accountKeys: accountKeysOf(message), instructions: m.compiledInstructions };
}

const CREDIT_ACCOUNT_INDEX = new Map(
  IDL.instructions.map((ix) => [ix.name, ix.accounts.findIndex((a) => 'name' in a && a.name === 'credit_account')]),
);

/**
 * Signatures of successful transactions touching `address`, oldest first,
 * newer than `until` when given (pages through getSignaturesForAddress).
 */
export async function signaturesOf(connection: HistoryConnection, address: PublicKey, { until, limit = 10_000 }: { until?: string; limit?: number } = {}) {
  const out: { signature: string; slot: number }[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await connection.getSignaturesForAddress(address, { before, until, limit: 1000 }, 'confirmed');
    out.push(...page.filter((s) => !s.err));
    if (page.length < 1000 || out.length >= limit) break;
    before = page[page.length - 1].signature;
  }
  return out.reverse();
}

/** The running balances a history is replayed with (what an indexer persists between transactions). */
export interface ReplayState {
  vaultAmount: bigint;
  fees: bigint;
  locked: bigint;
  /** Credits locked per open job id. */
  jobLocks: Map<bigint, bigint>;
}

export function newReplayState(): ReplayState {
  return { vaultAmount: 0n, fees: 0n, locked: 0n, jobLocks: new Map() };
}

/** A fetched transaction (getTransaction's answer, the fields read). */
type FetchedTransaction = NonNullable<Awaited<ReturnType<HistoryConnection['getTransaction']>>>;

/**
 * The history entries one transaction makes for the credit account `credit`
 * (vault `vault`), in order, applying them to `state`: the program's events
 * (attributed to this account by the position of each job_escrow
 * instruction: events carry no account keys), or else a plain USDC transfer
 * into the vault (from the token balances).
 */
export function replayTransaction(
  tx: FetchedTransaction,
  signature: string,
  { credit, vault, programId = JOB_ESCROW_PROGRAM_ID, pricePerCredit = DEFAULTS.pricePerCredit }: { credit: PublicKey; vault: PublicKey; programId?: PublicKey; pricePerCredit?: bigint },
  state: ReplayState,
): HistoryEntry[] {
  if (tx.meta?.err) return [];
  const entries: HistoryEntry[] = [];
  const push = (e: Omit<HistoryEntry, 'availableAfter' | 'lockedAfter'>) =>
    entries.push({
      ...e,
      availableAfter: availableCredits({ vaultAmount: state.vaultAmount, feesAccrued: state.fees, locked: state.locked, pricePerCredit }),
      lockedAfter: state.locked,
    });
  const { accountKeys, instructions } = view(tx.transaction.message);
  const blockTime = tx.blockTime ?? null;
  const ours = instructions.filter((ix) => accountKeys[ix.programIdIndex].equals(programId));
  const events = parseEvents(tx.meta?.logMessages ?? [], { programId });
  let touched = false;
  ours.forEach((ix, i) => {
    const name = instructionNameOf(ix.data);
    const at = name ? CREDIT_ACCOUNT_INDEX.get(name) ?? -1 : -1;
    const event = events[i];
    if (at < 0 || !event || !accountKeys[ix.accountKeyIndexes[at]]?.equals(credit)) return;
    touched = true;
    const d = event.data as Record<string, bigint>;
    switch (event.name) {
      case 'CreditAccountOpened':
        push({ signature, blockTime, kind: 'open', credits: 0n, usdc: 0n });
        break;
      case 'CreditsPurchased':
        state.vaultAmount += d.amount;
        push({ signature, blockTime, kind: 'purchase', credits: d.credits, usdc: d.amount });
        break;
      case 'JobLocked':
        state.locked += d.creditsLocked;
        state.jobLocks.set(d.jobId, d.creditsLocked);
        push({ signature, blockTime, kind: 'lock', credits: d.creditsLocked, usdc: 0n, jobId: d.jobId });
        break;
      case 'JobSettled': {
        state.locked -= state.jobLocks.get(d.jobId) ?? 0n;
        state.jobLocks.delete(d.jobId);
        state.vaultAmount -= d.workerAmount;
        state.fees += d.creditsCharged * pricePerCredit - d.workerAmount;
        push({ signature, blockTime, kind: 'settle', credits: d.creditsCharged, usdc: -d.workerAmount, jobId: d.jobId });
        break;
      }
      case 'JobRefunded':
        state.locked -= d.creditsReleased;
        state.jobLocks.delete(d.jobId);
        push({ signature, blockTime, kind: 'refund', credits: d.creditsReleased, usdc: 0n, jobId: d.jobId });
        break;
      case 'CreditsWithdrawn':
        state.vaultAmount -= d.amount;
        push({ signature, blockTime, kind: 'withdraw', credits: d.credits, usdc: -d.amount });
        break;
      case 'FeesCollected':
        state.vaultAmount -= d.amount;
        state.fees -= d.amount;
        push({ signature, blockTime, kind: 'fees', credits: 0n, usdc: -d.amount });
        break;
      case 'SpendingLimitSet':
        push({ signature, blockTime, kind: 'limit', credits: d.maxCreditsPerJob, usdc: 0n });
        break;
      case 'CreditsGranted':
        state.vaultAmount += d.credits * pricePerCredit;
        push({ signature, blockTime, kind: 'grant', credits: d.credits, usdc: d.credits * pricePerCredit });
        break;
      case 'PromoExpired':
        state.vaultAmount -= d.credits * pricePerCredit;
        push({ signature, blockTime, kind: 'expire', credits: d.credits, usdc: -d.credits * pricePerCredit });
        break;
      case 'CreditAccountClosed':
        push({ signature, blockTime, kind: 'close', credits: 0n, usdc: 0n });
        break;
    }
  });
  if (touched) return entries;
  // No job_escrow instruction for this account: a plain transfer into the vault.
  const index = accountKeys.findIndex((k) => k.equals(vault));
  const delta = tokenBalanceChange(tx.meta, index).change;
  if (index >= 0 && delta > 0n) {
    state.vaultAmount += delta;
    push({ signature, blockTime, kind: 'deposit', credits: delta / pricePerCredit, usdc: delta });
  }
  return entries;
}

/**
 * The signatures of several addresses newer than their cursors, merged into
 * one timeline by slot; `from` holds the indexes (in `addresses`) of the
 * addresses each signature touched.
 */
export async function timelineOf(connection: HistoryConnection, addresses: { address: PublicKey; until?: string }[], limit?: number) {
  const bySignature = new Map<string, { signature: string; slot: number; from: Set<number> }>();
  for (const [i, { address, until }] of addresses.entries()) {
    for (const s of await signaturesOf(connection, address, { until, limit })) {
      const seen = bySignature.get(s.signature) ?? { signature: s.signature, slot: s.slot, from: new Set<number>() };
      seen.from.add(i);
      bySignature.set(s.signature, seen);
    }
  }
  // Sorted by slot (stable, so each address's own order holds within a slot).
  return [...bySignature.values()].sort((a, b) => a.slot - b.slot);
}

/**
 * Rebuilds the history of `owner`'s credit account from its transactions
 * (see replayTransaction). Balances are replayed from zero, so the history
 * must reach back to the account's opening (`limit` caps the signatures read
 * per address).
 */
export async function fetchHistory(
  connection: HistoryConnection,
  owner: PublicKey,
  { mint, programId = JOB_ESCROW_PROGRAM_ID, pricePerCredit = DEFAULTS.pricePerCredit, limit = 10_000 }: {
    mint: PublicKey;
    programId?: PublicKey;
    pricePerCredit?: bigint;
    limit?: number;
  },
): Promise<HistoryEntry[]> {
  const [credit] = findCreditAccountPda(owner, { programId });
  const vault = findVaultAddress(credit, mint);
  const state = newReplayState();
  const entries: HistoryEntry[] = [];
  for (const { signature } of await timelineOf(connection, [{ address: credit }, { address: vault }], limit)) {
    const tx = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment: 'confirmed' });
    if (tx) entries.push(...replayTransaction(tx, signature, { credit, vault, programId, pricePerCredit }, state));
  }
  return entries;
}

/** CSV for accountants: one row per entry, USDC as exact decimals, ISO dates. */
export function toCsv(entries: readonly HistoryEntry[]): string {
  const rows = entries.map((e) =>
    [
      isoTime(e.blockTime) ?? '',
      e.kind,
      e.jobId?.toString() ?? '',
      e.credits.toString(),
      formatUnits(e.usdc),
      e.availableAfter.toString(),
      e.lockedAfter.toString(),
      e.signature,
    ].join(','),
  );
  return ['time,kind,job_id,credits,usdc,available_after,locked_after,signature', ...rows].join('\n') + '\n';
}
