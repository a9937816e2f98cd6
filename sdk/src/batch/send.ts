// Packs work into as few transactions as fit (the 1,232-byte packet, the 64
// account locks and the 1.4 M compute-unit ceiling, measured by compiling the
// message, not guessed: the longest prefix that fits, by bisection), keeps up
// to `maxInFlight` of them in flight (signed a round at a time and sent at
// once), confirms them together with batched getSignatureStatuses polls
// every 100 ms, and gives
// each item its own outcome. An item is an instruction (sendBatched) or one
// job of a batch instruction that carries many (sendPacked with a builder):
// when an instruction of one item fails, only it is rejected (with the
// program's error code) and the others are packed again; when a batch
// instruction fails (the program rejects all its jobs for one bad job), its
// jobs are split in halves, each sent on its own, until the bad job is alone
// and rejected and every good job has landed.
// A send whose fate is unknown (an RPC or network error after the request
// left) is rebroadcast as the same signed bytes, which the cluster
// deduplicates, never repacked; its jobs go into a new transaction only after
// its blockhash expired and a searchTransactionHistory lookup says it did not
// land. A preflight rejection was never forwarded, so it is repacked at once.
import bs58 from 'bs58';
import {
  ComputeBudgetProgram,
  TransactionMessage,
  VersionedTransaction,
  type AddressLookupTableAccount,
  type Connection,
  type Signer,
  type TransactionError,
  type TransactionInstruction,
} from '@solana/web3.js';

export const PACKET_BYTES = 1_232;
/** Items one transaction carries at the most (an upper bound for packing: 64 accounts come first). */
const MAX_ITEMS_PER_TRANSACTION = 128;
/** How often the statuses of the transactions in flight are polled. */
const POLL_MS = 100;
/** Transactions in flight at once by default. */
export const DEFAULT_MAX_IN_FLIGHT = 64;
export const MAX_TRANSACTION_UNITS = 1_400_000;
/** Accounts one transaction may lock (name), lookup-table entries included. */
export const MAX_TRANSACTION_ACCOUNTS = 64;

/** One instruction of a batch. Items may land in any order and in different transactions, so none may depend on another's effect. */
export interface BatchItem {
  ix: TransactionInstruction;
  /** Compute units the instruction needs (COMPUTE_UNITS). */
  units: number;
  /** Signers besides the fee payer. */
  signers: Signer[];
}

export type ItemOutcome = { ok: true; signature: string } | { ok: false; code?: number; error: string };

export interface BatchSendOptions {
  /** The fee payer of each transaction (a PayerPool's `next`, or one key). */
  feePayer: () => Signer;
  /** Tables for v0 transactions; legacy transactions without. */
  lookupTables?: AddressLookupTableAccount[];
  /** Transactions awaiting confirmation at once (default 64). */
  maxInFlight?: number;
  /** Called each time items get their outcome, with the number of items that have one. */
  onProgress?: (done: number) => void;
}

export interface BatchStats {
  transactions: number;
  /** Transactions sent again (an instruction rejected, an expired blockhash, an RPC error). */
  resent: number;
}

interface InFlight {
  signature: string;
  items: number[];
  /** The items of each instruction after the compute budget, in order. */
  groups: number[][];
  lastValidBlockHeight: number;
  /** The signed bytes, rebroadcast while the send's fate is unknown. */
  bytes: Uint8Array;
  /** The last send failed without the cluster's answer. */
  unsure: boolean;
}

/** The RPC ran the preflight simulation and refused: the transaction was not forwarded. */
function refusedByPreflight(err: unknown): boolean {
  return /Transaction simulation failed|-32002/.test(err instanceof Error ? err.message : String(err));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The failing instruction (index in the transaction) and its custom code, from a simulation message or a status error. */
export function failedInstruction(err: unknown): { index: number; code?: number; message: string } | null {
  if (err && typeof err === 'object' && 'InstructionError' in err) {
    const [index, detail] = (err as { InstructionError: [number, unknown] }).InstructionError;
    const code = detail && typeof detail === 'object' && 'Custom' in detail ? Number((detail as { Custom: number }).Custom) : undefined;
    return { index, code, message: JSON.stringify(detail) };
  }
  const text = err instanceof Error ? err.message : String(err);
  const m = /Error processing Instruction (\d+): (.*)/.exec(text);
  if (!m) return null;
  const custom = /custom program error: 0x([0-9a-f]+)/i.exec(m[2]);
  return { index: Number(m[1]), code: custom ? parseInt(custom[1], 16) : undefined, message: m[2].trim() };
}

/** The transaction a builder makes for some items: its instructions, which items each carries, and what it needs. */
export interface PackedTransaction {
  instructions: TransactionInstruction[];
  /** `groups[k]`: the items instruction `k` carries (one batch instruction may carry many). */
  groups: number[][];
  units: number;
  /** Signers besides the fee payer. */
  signers: Signer[];
}

/** Builds the instructions for the items `ids` (any non-empty subset, in the given order), `payer` paying the fee. */
export type PackBuilder = (ids: number[], payer: Signer) => PackedTransaction;

/** Sends `items` packed and pipelined; returns each item's outcome (by index) and the transaction counts. */
export async function sendBatched(connection: Connection, items: BatchItem[], o: BatchSendOptions): Promise<{ outcomes: ItemOutcome[]; stats: BatchStats }> {
  return sendPacked(connection, items.length, (ids) => ({
    instructions: ids.map((i) => items[i].ix),
    groups: ids.map((i) => [i]),
    units: ids.reduce((n, i) => n + items[i].units, 0),
    signers: ids.flatMap((i) => items[i].signers),
  }), o);
}

/** Distinct accounts a compiled message locks (its static keys and every lookup-table entry it uses). */
export function lockedAccounts(tx: VersionedTransaction): number {
  const m = tx.message;
  return m.staticAccountKeys.length + m.addressTableLookups.reduce((n, l) => n + l.writableIndexes.length + l.readonlyIndexes.length, 0);
}

/**
 * Sends `count` items, packed by `build` into as few transactions as fit and
 * pipelined; returns each item's outcome (by index) and the transaction
 * counts. A failed instruction carrying one item rejects that item; one
 * carrying several is split in two halves, each packed on its own.
 */
export async function sendPacked(connection: Connection, count: number, build: PackBuilder, o: BatchSendOptions): Promise<{ outcomes: ItemOutcome[]; stats: BatchStats }> {
  const outcomes: ItemOutcome[] = new Array(count);
  /** Items packed with any others, in order. */
  const queue = Array.from({ length: count }, (_, i) => i);
  /** Halves of failed batch instructions: each packed only with its own items, before the queue. */
  const splits: number[][] = [];
  const tries = new Array<number>(count).fill(0);
  /** Counts a try of each item: one sent 6 times without an answer of its own fails with `why`; returns the others. */
  const tried = (ids: number[], why: string) =>
    ids.filter((i) => {
      if (++tries[i] < 6) return true;
      outcomes[i] = { ok: false, error: why };
      return false;
    });
  /** Puts items back in front of the queue, a try counted. */
  const requeue = (ids: number[], why: string) => queue.unshift(...tried(ids, why));
  const inFlight: InFlight[] = [];
  const stats: BatchStats = { transactions: 0, resent: 0 };
  let blockhash = await connection.getLatestBlockhash('confirmed');
  let blockhashAt = Date.now();
  const maxInFlight = o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  let lastSendError = '';

  const compile = (packed: PackedTransaction, payer: Signer) => {
    const message = new TransactionMessage({
      payerKey: payer.publicKey,
      recentBlockhash: blockhash.blockhash,
      instructions: [ComputeBudgetProgram.setComputeUnitLimit({ units: Math.min(MAX_TRANSACTION_UNITS, packed.units) }), ...packed.instructions],
    });
    return new VersionedTransaction(o.lookupTables?.length ? message.compileToV0Message(o.lookupTables) : message.compileToLegacyMessage());
  };
  const fits = (ids: number[], payer: Signer) => {
    try {
      const packed = build(ids, payer);
      if (packed.units > MAX_TRANSACTION_UNITS) return false;
      const tx = compile(packed, payer);
      return lockedAccounts(tx) <= MAX_TRANSACTION_ACCOUNTS && tx.serialize().length <= PACKET_BYTES;
    } catch {
      return false; // too many accounts or bytes to even serialize, or a batch index past 255
    }
  };
  let answered = 0;
  const report = () => {
    const now = outcomes.reduce((n) => n + 1, 0); // counts the filled entries of the sparse array
    if (now !== answered) o.onProgress?.((answered = now));
  };
  /**
   * The longest prefix of the first split (or else of the queue) that fits
   * one transaction (one item at least: alone it goes out and fails on its
   * own). Found by bisection, a handful of compiles per transaction: a
   * prefix that fits never grows past one that does not (more items, more
   * bytes, accounts and units).
   */
  let lastPacked = 1;
  const pack = (payer: Signer) => {
    const source = splits.length ? splits[0] : queue;
    let lo = 1;
    let hi = Math.min(source.length, MAX_ITEMS_PER_TRANSACTION);
    // Transactions of one call pack alike: the last count first, then the bisection above or below it.
    const guess = Math.min(lastPacked, hi);
    if (guess > lo) {
      if (!fits(source.slice(0, guess), payer)) hi = guess - 1;
      else if (guess < hi && !fits(source.slice(0, guess + 1), payer)) hi = lo = guess;
      else lo = guess;
    }
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(source.slice(0, mid), payer)) lo = mid;
      else hi = mid - 1;
    }
    const ids = source.splice(0, lo);
    if (source === queue) lastPacked = lo;
    if (splits.length && !splits[0].length) splits.shift();
    return ids;
  };
  /** Rejects the items of the failed instruction (or splits them) and puts the others back in front. */
  const reject = (f: { items: number[]; groups: number[][] }, failure: { index: number; code?: number; message: string }) => {
    const bad = f.groups[failure.index - 1]; // instruction 0 is the compute budget
    if (bad === undefined) {
      requeue(f.items, failure.message);
      return;
    }
    if (bad.length === 1) outcomes[bad[0]] = { ok: false, code: failure.code, error: failure.message };
    else {
      const half = Math.ceil(bad.length / 2);
      splits.unshift(bad.slice(0, half), bad.slice(half));
    }
    queue.unshift(...f.items.filter((i) => !bad.includes(i)));
    stats.resent++;
  };

  while (queue.length || splits.length || inFlight.length) {
    if (Date.now() - blockhashAt > 20_000) {
      blockhash = await connection.getLatestBlockhash('confirmed').catch(() => blockhash);
      blockhashAt = Date.now();
    }
    // Pack and sign a round of transactions, each sent as soon as it is signed (the event loop gets a turn
    // between two, so the requests go out while the next ones are packed); the round's answers are awaited together.
    const round: InFlight[] = [];
    const sending: Promise<void>[] = [];
    const refused: InFlight[] = [];
    let rejected = false;
    const sendOne = async (entry: InFlight) => {
      try {
        await connection.sendRawTransaction(entry.bytes, { preflightCommitment: 'confirmed' });
        inFlight.push(entry);
      } catch (err) {
        const failure = failedInstruction(err);
        lastSendError = err instanceof Error ? err.message : String(err);
        if (failure) {
          reject(entry, failure);
          rejected = true;
        } else if (refusedByPreflight(err)) refused.push(entry);
        else {
          // An RPC or network error: the transaction may have gone out. Keep
          // it in flight and rebroadcast the same bytes until it lands or
          // its blockhash expires.
          inFlight.push({ ...entry, unsure: true });
        }
      }
    };
    while ((queue.length || splits.length) && inFlight.length + round.length < maxInFlight) {
      const payer = o.feePayer();
      const ids = pack(payer);
      const packed = build(ids, payer);
      const tx = compile(packed, payer);
      const signers = new Map([payer, ...packed.signers].map((s) => [s.publicKey.toBase58(), s]));
      tx.sign([...signers.values()]);
      stats.transactions++;
      const entry: InFlight = {
        signature: bs58.encode(tx.signatures[0]),
        items: ids,
        groups: packed.groups,
        lastValidBlockHeight: blockhash.lastValidBlockHeight,
        bytes: tx.serialize(),
        unsure: false,
      };
      round.push(entry);
      sending.push(sendOne(entry));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(sending);
    if (refused.length) {
      // Refused before forwarding (a blockhash this node does not know yet, …): each goes again as it was
      // packed, with a fresh blockhash. When others of the round got an answer, the round is to blame, not
      // these items (an embedded bank knows one blockhash at a time): no try is counted. A round with no
      // answer at all counts one.
      const answered = refused.length < round.length;
      for (const entry of refused.reverse()) {
        const again = answered ? entry.items : tried(entry.items, lastSendError);
        if (again.length) splits.unshift(again);
        stats.resent++;
      }
      // A node that does not know the blockhash yet gets a moment to catch up.
      if (!answered) await sleep(300);
    }
    if (refused.length || rejected) {
      // A rejected transaction uses up the blockhash on an embedded bank (a cluster's preflight does not).
      blockhash = await connection.getLatestBlockhash('confirmed').catch(() => blockhash);
      blockhashAt = Date.now();
    }
    if (!inFlight.length) continue;
    await sleep(POLL_MS);
    let statuses: Awaited<ReturnType<Connection['getSignatureStatuses']>>['value'];
    try {
      statuses = (await connection.getSignatureStatuses(inFlight.map((f) => f.signature))).value;
    } catch {
      continue; // the next poll asks again
    }
    const height = await connection.getBlockHeight('confirmed').catch(() => 0);
    for (let k = inFlight.length - 1; k >= 0; k--) {
      const f = inFlight[k];
      const status = statuses[k];
      if (status && (status.confirmationStatus === 'confirmed' || status.confirmationStatus === 'finalized')) {
        inFlight.splice(k, 1);
        if (!status.err) for (const i of f.items) outcomes[i] = { ok: true, signature: f.signature };
        else reject(f, failedInstruction(status.err as TransactionError) ?? { index: -1, message: JSON.stringify(status.err) });
      } else if (!status && height > f.lastValidBlockHeight && height > 0) {
        // Packed again only when the cluster says it did not land; an RPC error here asks again on the next poll.
        const landed = await connection.getSignatureStatuses([f.signature], { searchTransactionHistory: true }).then((r) => r.value[0], () => 'unknown' as const);
        if (landed) continue; // it did land (or we cannot tell yet): the next poll sees it
        inFlight.splice(k, 1);
        requeue(f.items, f.unsure ? lastSendError : 'the blockhash expired before the transaction landed');
        stats.resent++;
      } else if (!status && f.unsure) {
        // The same bytes again: the cluster runs a signature once.
        f.unsure = await connection.sendRawTransaction(f.bytes, { skipPreflight: true }).then(
          () => false,
          () => true,
        );
      }
    }
    report();
  }
  report();
  return { outcomes, stats };
}
