import type { Connection, PublicKey } from '@solana/web3.js';
import { availableCredits } from './core/balances.js';
import { DEFAULTS, JOB_ESCROW_PROGRAM_ID } from './constants.js';
import { parseEvents } from './events.js';
import { instructionNameOf } from './codec.js';
import { IDL } from './idl.js';
import { findCreditAccountPda, findVaultAddress } from './pdas.js';
import { formatUnits } from './core/pricing.js';
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

/** Signatures touching `address`, oldest first (pages through getSignaturesForAddress). */
async function allSignatures(connection: HistoryConnection, address: PublicKey, limit: number) {
  const out: { signature: string; slot: number }[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await connection.getSignaturesForAddress(address, { before, limit: 1000 });
    out.push(...page.filter((s) => !s.err));
    if (page.length < 1000 || out.length >= limit) break;
    before = page[page.length - 1].signature;
  }
  return out.reverse();
}

/**
 * Rebuilds the history of `owner`'s credit account from its transactions:
 * the program's events (attributed to this account by the position of each
 * job_escrow instruction: events carry no account keys) and plain USDC
 * transfers into the vault (from the transactions' token balances). Balances
 * are replayed from zero, so the history must reach back to the account's
 * opening (`limit` caps the signatures read per address).
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
  const bySignature = new Map<string, number>();
  for (const address of [credit, vault]) {
    for (const s of await allSignatures(connection, address, limit)) bySignature.set(s.signature, s.slot);
  }
  // One timeline: by slot (the sort is stable, so each address's own order
  // holds within a slot).
  const sigs = new Map([...bySignature].sort((a, b) => a[1] - b[1]));

  let vaultAmount = 0n;
  let fees = 0n;
  let locked = 0n;
  const jobLocks = new Map<bigint, bigint>();
  const entries: HistoryEntry[] = [];
  const push = (e: Omit<HistoryEntry, 'availableAfter' | 'lockedAfter'>) =>
    entries.push({ ...e, availableAfter: availableCredits({ vaultAmount, feesAccrued: fees, locked, pricePerCredit }), lockedAfter: locked });

  for (const signature of sigs.keys()) {
    const tx = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment: 'confirmed' });
    if (!tx || tx.meta?.err) continue;
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
          vaultAmount += d.amount;
          push({ signature, blockTime, kind: 'purchase', credits: d.credits, usdc: d.amount });
          break;
        case 'JobLocked':
          locked += d.creditsLocked;
          jobLocks.set(d.jobId, d.creditsLocked);
          push({ signature, blockTime, kind: 'lock', credits: d.creditsLocked, usdc: 0n, jobId: d.jobId });
          break;
        case 'JobSettled': {
          locked -= jobLocks.get(d.jobId) ?? 0n;
          jobLocks.delete(d.jobId);
          vaultAmount -= d.workerAmount;
          fees += d.creditsCharged * pricePerCredit - d.workerAmount;
          push({ signature, blockTime, kind: 'settle', credits: d.creditsCharged, usdc: -d.workerAmount, jobId: d.jobId });
          break;
        }
        case 'JobRefunded':
          locked -= d.creditsReleased;
          jobLocks.delete(d.jobId);
          push({ signature, blockTime, kind: 'refund', credits: d.creditsReleased, usdc: 0n, jobId: d.jobId });
          break;
        case 'CreditsWithdrawn':
          vaultAmount -= d.amount;
          push({ signature, blockTime, kind: 'withdraw', credits: d.credits, usdc: -d.amount });
          break;
        case 'FeesCollected':
          vaultAmount -= d.amount;
          fees -= d.amount;
          push({ signature, blockTime, kind: 'fees', credits: 0n, usdc: -d.amount });
          break;
        case 'SpendingLimitSet':
          push({ signature, blockTime, kind: 'limit', credits: d.maxCreditsPerJob, usdc: 0n });
          break;
        case 'CreditsGranted':
          vaultAmount += d.credits * pricePerCredit;
          push({ signature, blockTime, kind: 'grant', credits: d.credits, usdc: d.credits * pricePerCredit });
          break;
        case 'PromoExpired':
          vaultAmount -= d.credits * pricePerCredit;
          push({ signature, blockTime, kind: 'expire', credits: d.credits, usdc: -d.credits * pricePerCredit });
          break;
        case 'CreditAccountClosed':
          push({ signature, blockTime, kind: 'close', credits: 0n, usdc: 0n });
          break;
      }
    });
    if (touched) continue;
    // No job_escrow instruction for this account: a plain transfer into the vault.
    const index = accountKeys.findIndex((k) => k.equals(vault));
    const delta = tokenBalanceChange(tx.meta, index).change;
    if (index >= 0 && delta > 0n) {
      vaultAmount += delta;
      push({ signature, blockTime, kind: 'deposit', credits: delta / pricePerCredit, usdc: delta });
    }
  }
  return entries;
}

/** CSV for accountants: one row per entry, USDC as exact decimals, ISO dates. */
export function toCsv(entries: readonly HistoryEntry[]): string {
  const rows = entries.map((e) =>
    [
      e.blockTime === null ? '' : new Date(e.blockTime * 1000).toISOString(),
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
