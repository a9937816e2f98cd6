// The indexer: every credit account of the program (found with
// getProgramAccounts), its transactions since its cursors (credit account and
// vault, so plain USDC deposits count), replayed into history entries by the
// SDK's own replayTransaction and stored with the webhooks they cause.
// Job events are attributed by their own credit_account field (a
// lock_batch / settle_batch / refund_batch names many accounts), so each
// account gets exactly its own entries from a shared transaction.
import bs58 from 'bs58';
import { PublicKey, type Connection } from '@solana/web3.js';
import { decodeCreditAccount } from '../accounts/index.js';
import { accountDiscriminator } from '../codec.js';
import { creditsToUsdc, formatUnits } from '../core/pricing.js';
import { isoTime } from '../core/time.js';
import { newReplayState, replayTransaction, timelineOf, type HistoryEntry, type ReplayState } from '../history.js';
import { findVaultAddress } from '../pdas.js';
import type { IndexedAccount, OperatorDb } from './db.js';
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

export class Indexer {
  constructor(
    private readonly db: OperatorDb,
    private readonly connection: Connection,
    private readonly o: IndexerOptions,
  ) {}

  /** Registers credit accounts the index does not know yet; returns how many. */
  async discover(): Promise<number> {
    const found = await this.connection.getProgramAccounts(this.o.programId, {
      commitment: 'confirmed',
      filters: [{ memcmp: { offset: 0, bytes: bs58.encode(accountDiscriminator('CreditAccount')) } }],
    });
    const known = new Set(this.db.accounts().map((a) => a.creditAccount));
    let added = 0;
    for (const { pubkey, account } of found) {
      if (known.has(pubkey.toBase58())) continue;
      const owner = decodeCreditAccount(account.data).owner;
      this.db.addAccount({ creditAccount: pubkey.toBase58(), owner: owner.toBase58(), vault: findVaultAddress(pubkey, this.o.mint).toBase58(), state: newReplayState() });
      added++;
    }
    return added;
  }

  /** Ingests every known account's new transactions; returns the number of transactions read. */
  async syncAll(): Promise<number> {
    let read = 0;
    for (const account of this.db.accounts()) read += await this.sync(account);
    return read;
  }

  /** Ingests one account's transactions after its cursors, each in its own database transaction. */
  async sync(account: IndexedAccount): Promise<number> {
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
      const tx = await this.connection.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment: 'confirmed' });
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
      this.db.recordTransaction(account, { signature, slot, entries }, { creditCursor, vaultCursor, state, low }, hooks);
    }
    return timeline.length;
  }
}
