import type { Connection, PublicKey } from '@solana/web3.js';
import bs58 from 'bs58';
import { availableCredits } from './core/balances.js';
import { DEFAULTS, JOB_ESCROW_PROGRAM_ID } from './constants.js';
import { locateEvents } from './events.js';
import { instructionNameOf } from './codec.js';
import { IDL } from './idl.js';
import { findCreditAccountPda, findVaultAddress } from './pdas.js';
import { historyCsv } from './core/csv.js';
import { accountKeysOf, tokenBalanceChange } from './transactions.js';

export type HistoryKind = 'open' | 'purchase' | 'deposit' | 'grant' | 'lock' | 'settle' | 'refund' | 'withdraw' | 'fees' | 'limit' | 'expire' | 'slots' | 'close';

/**
 * The id of one event: `<signature>:<position>`, unique across every
 * account a transaction touches (see HistoryEntry.position). Webhook ids,
 * the operator's index and both CSV exports use it.
 */
export function eventId(signature: string, position: number): string {
  return `${signature}:${position}`;
}

/** One line of a wallet's history, oldest first. USDC amounts are base units. */
export interface HistoryEntry {
  /** `eventId(signature, position)`: unique per event, also across wallets in one transaction. */
  id: string;
  signature: string;
  /**
   * Where the entry sits in its transaction, unique across all accounts:
   * an entry from a program event is that event's index among the
   * transaction's job_escrow events (0, 1, … in instruction order); a plain
   * USDC transfer into a vault (`deposit`, no event) is the number of
   * job_escrow events in the transaction plus the vault's index in the
   * transaction's account keys, so it collides neither with an event nor
   * with another vault's deposit in the same transaction.
   */
  position: number;
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

type HistoryConnection = Pick<Connection, 'getSignaturesForAddress' | 'getTransactions'>;

interface TxView {
  accountKeys: PublicKey[];
  instructions: { programIdIndex: number; accountKeyIndexes: number[]; data: Uint8Array }[];
}

function view(message: unknown, meta: Parameters<typeof accountKeysOf>[1]): TxView {
  const m = message as { compiledInstructions: TxView['instructions'] };
  return { accountKeys: accountKeysOf(message, meta), instructions: m.compiledInstructions };
}

const CREDIT_ACCOUNT_INDEX = new Map(
  IDL.instructions.map((ix) => [ix.name, ix.accounts.findIndex((a) => 'name' in a && a.name === 'credit_account')]),
);

/** Events that carry their own `credit_account` (the instruction's accounts do not say which, in a batch). */
const JOB_EVENTS = new Set(['JobLocked', 'JobSettled', 'JobRefunded']);

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
type FetchedTransaction = NonNullable<Awaited<ReturnType<Connection['getTransaction']>>>;

/**
 * The history entries one transaction makes for the credit account `credit`
 * (vault `vault`), in order, applying them to `state`: the program's events
 * (each attributed to the invocation that logged it, a top-level
 * job_escrow instruction or one reached through a CPI, whose credit_account
 * must be this one; job events instead name their own credit account), or else a plain USDC transfer
 * into the vault (from the token balances). Each entry's `position` and `id`
 * follow the rule documented on HistoryEntry.position.
 */
export function replayTransaction(
  tx: FetchedTransaction,
  signature: string,
  { credit, vault, programId = JOB_ESCROW_PROGRAM_ID, pricePerCredit = DEFAULTS.pricePerCredit }: { credit: PublicKey; vault: PublicKey; programId?: PublicKey; pricePerCredit?: bigint },
  state: ReplayState,
): HistoryEntry[] {
  if (tx.meta?.err) return [];
  const entries: HistoryEntry[] = [];
  const push = (position: number, e: Omit<HistoryEntry, 'id' | 'position' | 'availableAfter' | 'lockedAfter'>) =>
    entries.push({
      id: eventId(signature, position),
      position,
      ...e,
      availableAfter: availableCredits({ vaultAmount: state.vaultAmount, feesAccrued: state.fees, locked: state.locked, pricePerCredit }),
      lockedAfter: state.locked,
    });
  const { accountKeys, instructions } = view(tx.transaction.message, tx.meta);
  const blockTime = tx.blockTime ?? null;
  const isOurs = (programIdIndex: number) => accountKeys[programIdIndex]?.equals(programId) ?? false;
  // job_escrow invoked through a CPI, per top-level instruction, in execution order (each invocation logs one event).
  const inner = new Map<number, { accounts: number[]; data: Uint8Array }[]>();
  for (const { index, instructions: list } of tx.meta?.innerInstructions ?? []) {
    inner.set(index, list.filter((ix) => isOurs(ix.programIdIndex)).map((ix) => ({ accounts: ix.accounts, data: bs58.decode(ix.data) })));
  }
  const innerSeen = new Map<number, number>();
  const events = locateEvents(tx.meta?.logMessages ?? [], { programId });
  let touched = false;
  // Each event belongs to the invocation that logged it: a top-level job_escrow instruction (depth 1) or
  // the n-th job_escrow invocation through a CPI inside its top-level instruction (never by counting
  // events against top-level instructions: a CPI's event would shift every later one onto the wrong account).
  events.forEach(({ event, instruction, depth }, position) => {
    let ix: { accounts: number[]; data: Uint8Array } | undefined;
    if (depth === 1) {
      const top = instructions[instruction];
      ix = top && isOurs(top.programIdIndex) ? { accounts: top.accountKeyIndexes, data: top.data } : undefined;
    } else {
      const n = innerSeen.get(instruction) ?? 0;
      innerSeen.set(instruction, n + 1);
      ix = inner.get(instruction)?.[n];
    }
    if (!ix) return;
    // A job event names its credit account (a batch instruction logs events of many accounts); any other
    // event belongs to the credit_account of the instruction that logged it.
    const own = JOB_EVENTS.has(event.name) ? (event.data.creditAccount as PublicKey) : undefined;
    if (own) {
      if (!own.equals(credit)) return;
    } else {
      const name = instructionNameOf(ix.data);
      const at = name ? CREDIT_ACCOUNT_INDEX.get(name) ?? -1 : -1;
      if (at < 0 || !accountKeys[ix.accounts[at]]?.equals(credit)) return;
    }
    touched = true;
    const d = event.data as Record<string, bigint>;
    switch (event.name) {
      case 'CreditAccountOpened':
        push(position, { signature, blockTime, kind: 'open', credits: 0n, usdc: 0n });
        break;
      case 'CreditsPurchased':
        state.vaultAmount += d.amount;
        push(position, { signature, blockTime, kind: 'purchase', credits: d.credits, usdc: d.amount });
        break;
      case 'JobLocked':
        state.locked += d.creditsLocked;
        state.jobLocks.set(d.jobId, d.creditsLocked);
        push(position, { signature, blockTime, kind: 'lock', credits: d.creditsLocked, usdc: 0n, jobId: d.jobId });
        break;
      case 'JobSettled': {
        state.locked -= state.jobLocks.get(d.jobId) ?? 0n;
        state.jobLocks.delete(d.jobId);
        state.vaultAmount -= d.workerAmount;
        state.fees += d.creditsCharged * pricePerCredit - d.workerAmount;
        push(position, { signature, blockTime, kind: 'settle', credits: d.creditsCharged, usdc: -d.workerAmount, jobId: d.jobId });
        break;
      }
      case 'JobRefunded':
        state.locked -= d.creditsReleased;
        state.jobLocks.delete(d.jobId);
        push(position, { signature, blockTime, kind: 'refund', credits: d.creditsReleased, usdc: 0n, jobId: d.jobId });
        break;
      case 'CreditsWithdrawn':
        state.vaultAmount -= d.amount;
        push(position, { signature, blockTime, kind: 'withdraw', credits: d.credits, usdc: -d.amount });
        break;
      case 'FeesCollected':
        state.vaultAmount -= d.amount;
        state.fees -= d.amount;
        push(position, { signature, blockTime, kind: 'fees', credits: 0n, usdc: -d.amount });
        break;
      case 'SpendingLimitSet':
        push(position, { signature, blockTime, kind: 'limit', credits: d.maxCreditsPerJob, usdc: 0n });
        break;
      case 'CreditsGranted':
        state.vaultAmount += d.credits * pricePerCredit;
        push(position, { signature, blockTime, kind: 'grant', credits: d.credits, usdc: d.credits * pricePerCredit });
        break;
      case 'PromoExpired':
        state.vaultAmount -= d.credits * pricePerCredit;
        push(position, { signature, blockTime, kind: 'expire', credits: d.credits, usdc: -d.credits * pricePerCredit });
        break;
      case 'JobSlotsAdded':
        push(position, { signature, blockTime, kind: 'slots', credits: 0n, usdc: 0n });
        break;
      case 'CreditAccountClosed':
        push(position, { signature, blockTime, kind: 'close', credits: 0n, usdc: 0n });
        break;
    }
  });
  if (touched) return entries;
  // No job_escrow instruction for this account: a plain transfer into the vault.
  const index = accountKeys.findIndex((k) => k.equals(vault));
  const delta = tokenBalanceChange(tx.meta, index).change;
  if (index >= 0 && delta > 0n) {
    state.vaultAmount += delta;
    push(events.length + index, { signature, blockTime, kind: 'deposit', credits: delta / pricePerCredit, usdc: delta });
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
  { mint, tokenProgram, programId = JOB_ESCROW_PROGRAM_ID, pricePerCredit = DEFAULTS.pricePerCredit, limit = 10_000 }: {
    mint: PublicKey;
    /** The Config's `tokenProgram` (classic SPL Token when omitted): the vault is the ATA under it. */
    tokenProgram?: PublicKey;
    programId?: PublicKey;
    pricePerCredit?: bigint;
    limit?: number;
  },
): Promise<HistoryEntry[]> {
  const [credit] = findCreditAccountPda(owner, { programId });
  const vault = findVaultAddress(credit, mint, { tokenProgram });
  const state = newReplayState();
  const entries: HistoryEntry[] = [];
  const timeline = await timelineOf(connection, [{ address: credit }, { address: vault }], limit);
  const txs = await fetchTransactions(
    connection,
    timeline.map((t) => t.signature),
  );
  timeline.forEach(({ signature }, i) => {
    const tx = txs[i];
    if (tx) entries.push(...replayTransaction(tx, signature, { credit, vault, programId, pricePerCredit }, state));
  });
  return entries;
}

/** Transactions per batched request (one HTTP round trip each). */
export const TRANSACTIONS_PER_REQUEST = 100;

/**
 * The confirmed transactions of `signatures`, in order (null where the node
 * has none), read TRANSACTIONS_PER_REQUEST to a batched JSON-RPC request:
 * ceil(N / 100) round trips instead of N.
 */
export async function fetchTransactions(connection: Pick<Connection, 'getTransactions'>, signatures: readonly string[]): Promise<(FetchedTransaction | null)[]> {
  const out: (FetchedTransaction | null)[] = [];
  for (let i = 0; i < signatures.length; i += TRANSACTIONS_PER_REQUEST) {
    out.push(...(await connection.getTransactions(signatures.slice(i, i + TRANSACTIONS_PER_REQUEST), { maxSupportedTransactionVersion: 0, commitment: 'confirmed' })));
  }
  return out;
}

/**
 * Unix seconds of `owner`'s last purchase or plain USDC deposit, or null:
 * both move USDC into the vault, so the vault's signatures are read newest
 * first, 100 at a time, with their transactions in one batched request,
 * until one of them is a top-up. Two round trips unless more than 100 vault
 * transactions (settles, withdrawals) came after the last top-up.
 */
export async function fetchLastTopUpAt(
  connection: HistoryConnection,
  owner: PublicKey,
  { mint, tokenProgram, programId = JOB_ESCROW_PROGRAM_ID, pricePerCredit = DEFAULTS.pricePerCredit }: { mint: PublicKey; tokenProgram?: PublicKey; programId?: PublicKey; pricePerCredit?: bigint },
): Promise<number | null> {
  const [credit] = findCreditAccountPda(owner, { programId });
  const vault = findVaultAddress(credit, mint, { tokenProgram });
  let before: string | undefined;
  for (;;) {
    const page = await connection.getSignaturesForAddress(vault, { before, limit: TRANSACTIONS_PER_REQUEST }, 'confirmed');
    const ok = page.filter((s) => !s.err);
    const txs = await fetchTransactions(
      connection,
      ok.map((s) => s.signature),
    );
    for (const [i, tx] of txs.entries()) {
      // Each transaction alone: its kind does not depend on the balances before it.
      const entries = tx ? replayTransaction(tx, ok[i].signature, { credit, vault, programId, pricePerCredit }, newReplayState()) : [];
      const topUp = entries.find((e) => e.kind === 'purchase' || e.kind === 'deposit');
      if (topUp) return topUp.blockTime;
    }
    if (page.length < TRANSACTIONS_PER_REQUEST) return null;
    before = page[page.length - 1].signature;
  }
}

/**
 * CSV for accountants: one line per entry, USDC as exact decimals, ISO
 * dates; columns `time,kind,id,job_id,credits,usdc,available_after,locked_after,signature`
 * (the operator API's `format=csv` writes the same, see core/csv.ts).
 */
export function toCsv(entries: readonly HistoryEntry[]): string {
  return historyCsv(entries);
}
