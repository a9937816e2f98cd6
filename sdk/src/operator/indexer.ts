// The indexer: every credit account of the program (found with
// getProgramAccounts), its transactions since its cursors (credit account and
// vault, so plain USDC deposits count), replayed into history entries by the
// SDK's own replayTransaction and stored with the webhooks they cause.
// Job events are attributed by their own credit_account field (a
// lock_batch / settle_batch / refund_batch names many accounts), so each
// account gets exactly its own entries from a shared transaction.
// syncAll is the backfill (at start, on every stream reconnect, and as the
// slow sweep); syncTransactions is the live path: the accounts a streamed
// transaction touches are brought up to date from their cursors.
import bs58 from 'bs58';
import { PublicKey, type Connection } from '@solana/web3.js';
import { decodeCreditAccount } from '../accounts/index.js';
import { accountDiscriminator } from '../codec.js';
import { creditsToUsdc, formatUnits } from '../core/pricing.js';
import { isoTime } from '../core/time.js';
import { newReplayState, replayTransaction, timelineOf, type HistoryEntry, type ReplayState } from '../history.js';
import { parseEvents } from '../events.js';
import { accountKeysOf } from '../transactions.js';
import { LeaseLostError, type IndexedAccount, type Lease, type OperatorStore } from './store/index.js';
import type { ChainEventSource, TransactionNotice } from './sources.js';
import type { WebhookType } from './webhooks.js';

export interface IndexerOptions {
  programId: PublicKey;
  mint: PublicKey;
  pricePerCredit: bigint;
  /** credit.low fires when available credits fall below this (once per crossing). */
  lowThreshold: bigint;
}

const HOOK_OF: Partial<Record<HistoryEntry['kind'], WebhookType>> = {
  purchase: 'credit.topup',
  deposit: 'credit.topup',
  lock: 'job.locked',
  settle: 'job.settled',
  refund: 'job.refunded',
};

/** The webhook body of `type` for one entry. */
function webhookBody(id: string, type: WebhookType, account: IndexedAccount, signature: string, e: HistoryEntry, pricePerCredit: bigint): string {
  return JSON.stringify({
    id,
    type,
    createdAt: isoTime(e.blockTime),
    data: {
      wallet: account.owner,
      creditAccount: account.creditAccount,
      signature,
      kind: e.kind,
      jobId: e.jobId?.toString() ?? null,
      credits: e.credits.toString(),
      usdc: formatUnits(e.usdc < 0n ? -e.usdc : e.usdc),
      creditsRemaining: e.availableAfter.toString(),
      usdcValue: creditsToUsdc(e.availableAfter, pricePerCredit),
    },
  });
}

/** Accounts synced at once in a pass (each account's own transactions stay in order). */
const SYNC_CONCURRENCY = 4;

type TransactionCache = Map<string, ReturnType<Connection['getTransaction']>>;

/** What a sync pass did: transactions read, the accounts and signatures that failed (to be redone), and the last failure. */
export interface SyncResult {
  read: number;
  failedAccounts: string[];
  failedSignatures: string[];
  error?: unknown;
}

export class Indexer {
  constructor(
    private readonly store: OperatorStore,
    private readonly connection: Connection,
    private readonly o: IndexerOptions,
  ) {}

  /** Registers credit accounts the index does not know yet; returns how many. */
  async discover(): Promise<number> {
    const found = await this.connection.getProgramAccounts(this.o.programId, {
      commitment: 'confirmed',
      filters: [{ memcmp: { offset: 0, bytes: bs58.encode(accountDiscriminator('CreditAccount')) } }],
    });
    const known = new Set((await this.store.accounts()).map((a) => a.creditAccount));
    let added = 0;
    for (const { pubkey, account } of found) {
      if (known.has(pubkey.toBase58())) continue;
      // The vault as the account recorded it: the ATA under the mint's own
      // token program, whichever that is.
      const { owner, vault } = decodeCreditAccount(account.data);
      await this.store.addAccount({ creditAccount: pubkey.toBase58(), owner: owner.toBase58(), vault: vault.toBase58(), state: newReplayState() });
      added++;
    }
    return added;
  }

  /**
   * Ingests every known account's new transactions (with `only`, just
   * those credit accounts). An account whose sync fails (a flaky RPC) does
   * not stop the others: each account's progress is kept at its cursor, so
   * the next pass redoes only the accounts that failed.
   * `fence`: the indexer lease its writes need.
   */
  async syncAll(fence?: Lease, only?: ReadonlySet<string>): Promise<SyncResult> {
    const accounts = await this.store.accounts();
    return this.syncEach(only ? accounts.filter((a) => only.has(a.creditAccount)) : accounts, fence);
  }

  /**
   * Syncs `accounts`, SYNC_CONCURRENCY at a time (each account's
   * transactions stay in order: one account is synced by one worker), a
   * transaction shared by several accounts (a batch) read once.
   */
  private async syncEach(accounts: Iterable<IndexedAccount>, fence?: Lease, transactions: TransactionCache = new Map()): Promise<SyncResult> {
    const result: SyncResult = { read: 0, failedAccounts: [], failedSignatures: [] };
    const queue = [...accounts];
    let lost: LeaseLostError | null = null;
    await Promise.all(
      Array.from({ length: Math.min(SYNC_CONCURRENCY, queue.length) }, async () => {
        for (let account = queue.shift(); account && !lost; account = queue.shift()) {
          try {
            result.read += await this.sync(account, fence, transactions);
          } catch (err) {
            if (err instanceof LeaseLostError) lost = err;
            result.failedAccounts.push(account.creditAccount);
            result.error = err;
          }
        }
      }),
    );
    if (lost) throw lost;
    return result;
  }

  /** A confirmed transaction, read once per pass however many accounts it touches. */
  private transaction(signature: string, transactions: TransactionCache) {
    let tx = transactions.get(signature);
    if (!tx) {
      tx = this.connection.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment: 'confirmed' });
      transactions.set(signature, tx);
      // A failed read is not kept: the next account (or pass) asks again.
      tx.catch(() => transactions.delete(signature));
    }
    return tx;
  }

  /**
   * The live path: brings every account that `signatures` touch (credit
   * account or vault among their keys) up to date from its cursors, so
   * nothing between the cursor and them is skipped. A transaction that
   * names an account the index does not know yet runs discover() first.
   * A signature whose transaction could not be read is returned to be
   * tried again.
   */
  async syncTransactions(signatures: string[], fence?: Lease): Promise<SyncResult> {
    const byKey = new Map<string, IndexedAccount>();
    const index = async () => {
      byKey.clear();
      for (const a of await this.store.accounts()) byKey.set(a.creditAccount, a).set(a.vault, a);
    };
    await index();
    const touched = new Map<string, IndexedAccount>();
    const failedSignatures: string[] = [];
    const transactions: TransactionCache = new Map();
    let error: unknown;
    let discovered = false;
    for (const signature of signatures) {
      try {
        const tx = await this.transaction(signature, transactions);
        if (!tx) throw new Error(`transaction ${signature} not available yet`);
        if (!discovered && parseEvents(tx.meta?.logMessages ?? [], { programId: this.o.programId }).some((e) => e.name === 'CreditAccountOpened')) {
          discovered = true;
          if (await this.discover()) await index();
        }
        for (const k of accountKeysOf(tx.transaction.message, tx.meta).map(String)) {
          const a = byKey.get(k);
          if (a) touched.set(a.creditAccount, a);
        }
      } catch (err) {
        failedSignatures.push(signature);
        error = err;
      }
    }
    const result = await this.syncEach(touched.values(), fence, transactions);
    return { ...result, failedSignatures, error: result.error ?? error };
  }

  /** Ingests one account's transactions after its cursors, each in its own database transaction. */
  async sync(account: IndexedAccount, fence?: Lease, transactions: TransactionCache = new Map()): Promise<number> {
    const credit = new PublicKey(account.creditAccount);
    const vault = new PublicKey(account.vault);
    const timeline = await timelineOf(this.connection, [
      { address: credit, until: account.creditCursor ?? undefined },
      { address: vault, until: account.vaultCursor ?? undefined },
    ]);
    let { creditCursor, vaultCursor } = account;
    let state: ReplayState = account.state;
    let low = account.low;
    for (const { signature, slot, from } of timeline) {
      const tx = await this.transaction(signature, transactions);
      if (!tx) throw new Error(`transaction ${signature} not available yet`);
      const entries = replayTransaction(tx, signature, { credit, vault, programId: this.o.programId, pricePerCredit: this.o.pricePerCredit }, state);
      const hooks: { id: string; type: string; body: string }[] = [];
      for (const e of entries) {
        // `<type>:<signature>:<position>`: the position is transaction-wide, so two wallets' entries of one batched transaction never share an id.
        const type = HOOK_OF[e.kind];
        if (type) {
          const id = `${type}:${e.id}`;
          hooks.push({ id, type, body: webhookBody(id, type, account, signature, e, this.o.pricePerCredit) });
        }
        const isLow = e.availableAfter < this.o.lowThreshold;
        if (isLow && !low) {
          const id = `credit.low:${e.id}`;
          hooks.push({ id, type: 'credit.low', body: webhookBody(id, 'credit.low', account, signature, e, this.o.pricePerCredit) });
        }
        low = isLow;
      }
      if (from.has(0)) creditCursor = signature;
      if (from.has(1)) vaultCursor = signature;
      await this.store.recordTransaction(account, { signature, slot, entries }, { creditCursor, vaultCursor, state, low }, hooks, fence);
    }
    return timeline.length;
  }
}

/**
 * How the index follows the chain: the live source's transactions, and a
 * backfill of every account from its cursors whenever something may have
 * been missed (start, a stream (re)connect, taking the indexer lease, a
 * signature that failed too often) and on a timer (the sweep while the
 * stream is live, polling while it is down). A backfill pass that fails for
 * some accounts keeps its progress and redoes only those accounts; a
 * streamed signature that fails is tried again on the next round.
 */
export class IndexFollower {
  private notices: { notice: TransactionNotice; attempts: number }[] = [];
  private backfill: { reason: string; only?: Set<string> } | null = { reason: 'start' };
  private lastBackfill = 0;
  /** The slot through which the index is known complete. */
  indexedThrough = 0;

  constructor(
    private readonly indexer: Indexer,
    private readonly source: ChainEventSource | null,
    private readonly o: { getSlot: () => Promise<number>; sweepMs: number; pollMs: number; metrics?: FollowerMetrics },
  ) {}

  /** A transaction the live source reported. */
  heard(notice: TransactionNotice): void {
    if (!notice.failed) this.notices.push({ notice, attempts: 0 });
  }

  /** Every account is to be backfilled from its cursors before the next live round. */
  requestBackfill(reason: string): void {
    this.backfill = { reason };
  }

  /** This process does not hold the indexer lease: the holder ingests what the source reports. */
  standby(): void {
    this.notices.length = 0;
  }

  /** One round under `lease`: a due backfill, else the transactions heard since the last round; returns the transactions read. Throws what failed (the next round redoes it). */
  async round(lease: Lease): Promise<number> {
    const every = this.source?.live ? this.o.sweepMs : this.o.pollMs;
    if (!this.backfill && Date.now() - this.lastBackfill >= every) this.backfill = { reason: this.source?.live ? 'sweep' : 'poll' };
    if (this.backfill) {
      const { reason, only } = this.backfill;
      const tip = await this.o.getSlot();
      if (!only) await this.indexer.discover();
      const pass = await this.indexer.syncAll(lease, only);
      this.o.metrics?.backfilledTransactions.inc(pass.read);
      if (pass.failedAccounts.length) {
        this.backfill = { reason, only: new Set(pass.failedAccounts) };
        throw new Error(`backfill (${reason}): ${pass.failedAccounts.length} account(s) to redo: ${String((pass.error as Error)?.message ?? pass.error)}`);
      }
      this.o.metrics?.backfills.inc({ reason });
      this.backfill = null;
      this.lastBackfill = Date.now();
      this.indexedThrough = Math.max(this.indexedThrough, tip);
      return pass.read;
    }
    if (this.notices.length) {
      const batch = this.notices.splice(0);
      const pass = await this.indexer.syncTransactions(
        batch.map((b) => b.notice.signature),
        lease,
      );
      const failed = new Set(pass.failedSignatures);
      for (const b of batch) {
        if (!failed.has(b.notice.signature)) {
          this.o.metrics?.streamLag.observe(Math.max(0, (this.source?.tipSlot ?? 0) - b.notice.slot));
          this.indexedThrough = Math.max(this.indexedThrough, b.notice.slot);
        } else if (++b.attempts < 5) this.notices.push(b);
        else this.backfill = { reason: 'retry' };
      }
      if (pass.failedAccounts.length) this.backfill = this.backfill ?? { reason: 'retry', only: new Set(pass.failedAccounts) };
      if (failed.size || pass.failedAccounts.length) throw new Error(`${failed.size} transaction(s) and ${pass.failedAccounts.length} account(s) to redo: ${String((pass.error as Error)?.message ?? pass.error)}`);
      return pass.read;
    }
    if (this.source?.live) this.indexedThrough = Math.max(this.indexedThrough, this.source.tipSlot); // nothing heard, nothing missed
    return 0;
  }
}

/** The metrics IndexFollower keeps (OperatorMetrics has them). */
export interface FollowerMetrics {
  backfills: { inc(labels: { reason: string }): void };
  backfilledTransactions: { inc(n: number): void };
  streamLag: { observe(v: number): void };
}
