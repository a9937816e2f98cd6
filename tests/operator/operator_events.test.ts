// Every event has its own id, also when one transaction touches many
// wallets: the batch path (lockMany / refundMany, which the crank uses)
// locks and refunds several wallets' jobs in ONE transaction, and the
// operator's indexer must send one webhook per wallet, each with its own id
// (`<type>:<signature>:<position>`, the position transaction-wide). Run on
// the embedded LiteSVM bank: the operator's Indexer and webhook delivery
// against a real HTTP receiver on loopback that checks each HMAC; the
// wallets' histories, the SDK's CSV and the operator API's CSV carry the
// same ids.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransactionMessage, VersionedTransaction, type Connection, type Keypair } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_CSV_COLUMNS } from '../../sdk/src/core/csv.js';
import { LookupTables, getLockInstruction } from '../../sdk/src/index.js';
import { fetchHistory, toCsv, type HistoryEntry } from '../../sdk/src/history.js';
import { createOperatorApi } from '../../sdk/src/operator/api.js';
import { Indexer } from '../../sdk/src/operator/indexer.js';
import { OperatorMetrics } from '../../sdk/src/operator/metrics.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, openStore, verifyWebhook, type OperatorStore } from '../../sdk/src/operator/index.js';
import { deliverDue } from '../../sdk/src/operator/webhooks.js';
import { createTestWorld, type TestWorld } from '../../sdk/src/testing/index.js';
import { PROGRAM_PATH } from '../shared/index.js';

const N = 6; // wallets whose jobs share one lock transaction and one refund transaction
const SECRET = 'whsec-operator-events';

interface Received {
  id: string;
  headerId: string;
  type: string;
  wallet: string;
  signature: string;
  verified: boolean;
}

/** A webhook receiver on loopback: records every delivery and answers 200. */
function receiver() {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { id: string; type: string; data: { wallet: string; signature: string } };
      got.push({
        id: parsed.id,
        headerId: String(req.headers[EVENT_ID_HEADER]),
        type: parsed.type,
        wallet: parsed.data.wallet,
        signature: parsed.data.signature,
        verified: verifyWebhook(SECRET, body, req.headers[SIGNATURE_HEADER] as string),
      });
      res.writeHead(200).end();
    });
  });
  const listen = () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  return { got, server, listen };
}

describe('operator events of a batched transaction', () => {
  let world: TestWorld;
  let wallets: Keypair[];
  let lockSignature: string;
  let refundSignature: string;
  let db: OperatorStore;
  let dir: string;
  const hooks = receiver();
  let hookUrl: string;
  const api = { server: undefined as Server | undefined, url: '' };

  beforeAll(async () => {
    // Given N wallets with 100 credits each, whose jobs are locked in one transaction and refunded in one
    world = createTestWorld({ programPath: PROGRAM_PATH });
    wallets = Array.from({ length: N }, () => world.wallet({ usdc: 10_000_000n }));
    for (const w of wallets) await world.client(w).purchase({ credits: 100n });
    const operator = world.client(world.operator);
    const locked = await operator.lockMany(wallets.map((w) => ({ owner: w.publicKey, jobId: 1n, tier: 1, maxOutputTokens: 500 })));
    const lockSignatures = new Set(locked.outcomes.map((o) => (o.status === 'done' ? o.signature : o.status)));
    expect([...lockSignatures]).toHaveLength(1);
    lockSignature = [...lockSignatures][0];
    const refunded = await operator.refundMany(wallets.map((w) => ({ owner: w.publicKey, jobId: 1n })));
    const refundSignatures = new Set(refunded.outcomes.map((o) => (o.status === 'done' ? o.signature : o.status)));
    expect([...refundSignatures]).toHaveLength(1);
    refundSignature = [...refundSignatures][0];
    expect(refundSignature).not.toBe(lockSignature);

    // When the operator's indexer reads them and its webhook loop delivers the outbox to a real receiver
    hookUrl = `${await hooks.listen()}/hooks`;
    dir = mkdtempSync(join(tmpdir(), 'operator-events-'));
    db = await openStore(join(dir, 'operator.sqlite'));
    const config = await operator.config();
    // credit.low below 95: each lock (100 → 92) crosses it, each refund lifts it again.
    const indexer = new Indexer(db, world.bank as unknown as Connection, { programId: world.programId, mint: world.mint, pricePerCredit: config.pricePerCredit, lowThreshold: 95n });
    expect(await indexer.discover()).toBe(N);
    await indexer.syncAll();
    for (let round = 0; round < 20 && (await db.webhookBacklog()) > 0; round++) await deliverDue(db, 'test', { url: hookUrl, secret: SECRET });
    expect(await db.webhookBacklog()).toBe(0);

    const server = createOperatorApi({ client: operator, store: db, metrics: new OperatorMetrics(), health: () => ({ ok: true }) });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    api.server = server;
    api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    hooks.server.close();
    api.server?.close();
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const owners = () => wallets.map((w) => w.publicKey.toBase58()).sort();

  it('sends N job.locked and N job.refunded webhooks, each with its own id, its own wallet and a valid HMAC', () => {
    for (const [type, signature] of [
      ['job.locked', lockSignature],
      ['job.refunded', refundSignature],
      ['credit.low', lockSignature],
    ] as const) {
      const of = hooks.got.filter((h) => h.type === type);
      // Then each wallet's event arrived: none was dropped as a duplicate id
      expect(of, type).toHaveLength(N);
      expect(new Set(of.map((h) => h.id)).size).toBe(N);
      expect(of.map((h) => h.wallet).sort()).toEqual(owners());
      for (const h of of) {
        expect(h.verified).toBe(true);
        expect(h.headerId).toBe(h.id);
        expect(h.signature).toBe(signature);
        expect(h.id).toMatch(new RegExp(`^${type.replace('.', '\\.')}:${signature}:\\d+$`));
      }
      // The positions are the events' indexes in the transaction: 0 … N-1.
      expect(of.map((h) => Number(h.id.split(':')[2])).sort((a, b) => a - b)).toEqual([...Array(N).keys()]);
    }
    // Every delivery has an id of its own (topups, locks, lows, refunds).
    expect(hooks.got).toHaveLength(4 * N);
    expect(new Set(hooks.got.map((h) => h.id)).size).toBe(4 * N);
  });

  it('gives each wallet’s history and CSV ids that differ across wallets for the same transaction, as the operator’s index and CSV do', async () => {
    const histories: HistoryEntry[][] = [];
    for (const w of wallets) histories.push(await fetchHistory(world.bank as unknown as Connection, w.publicKey, { mint: world.mint, programId: world.programId }));
    for (const [kind, signature] of [
      ['lock', lockSignature],
      ['refund', refundSignature],
    ] as const) {
      const entries = histories.map((h) => h.filter((e) => e.signature === signature));
      for (const e of entries) expect(e.map((x) => x.kind)).toEqual([kind]);
      const ids = entries.map((e) => e[0].id);
      expect(new Set(ids).size).toBe(N);
      for (const [e] of entries) expect(e.id).toBe(`${signature}:${e.position}`);
      // The webhook of each wallet's entry carries that entry's id.
      const type = kind === 'lock' ? 'job.locked' : 'job.refunded';
      for (const [i, [e]] of entries.entries()) {
        expect(hooks.got.find((h) => h.type === type && h.wallet === wallets[i].publicKey.toBase58())?.id).toBe(`${type}:${e.id}`);
      }
    }

    // The SDK's CSV: an id column, distinct across wallets for the shared transactions.
    const csvIds = new Set<string>();
    for (const h of histories) {
      const [header, ...lines] = toCsv(h).trim().split('\n');
      expect(header).toBe(HISTORY_CSV_COLUMNS.join(','));
      expect(header).toBe('time,kind,id,job_id,credits,usdc,available_after,locked_after,signature');
      expect(lines.map((l) => l.split(',')[2])).toEqual(h.map((e) => e.id));
      for (const l of lines) {
        const [, , id, , , , , , signature] = l.split(',');
        if (signature === lockSignature || signature === refundSignature) csvIds.add(id);
      }
    }
    expect(csvIds.size).toBe(2 * N);

    // The operator API's CSV is the same writer and columns: each wallet's file is its history, newest first.
    for (const [i, w] of wallets.entries()) {
      expect((await db.entries(w.publicKey.toBase58(), { limit: 500 })).map((e) => e.id)).toEqual(histories[i].map((e) => e.id).reverse());
      const res = await fetch(`${api.url}/v1/account/${w.publicKey.toBase58()}/transactions?format=csv&limit=500`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(toCsv([...histories[i]].reverse()));
    }
  });
});

describe('paging the operator API by entry id', () => {
  it('a page that ends inside a transaction (open + purchase in one) goes on with its next entry: nothing skipped', async () => {
    // Given a wallet whose first transaction made two entries (open, purchase), then a lock and a refund
    const world = createTestWorld({ programPath: PROGRAM_PATH });
    const alice = world.wallet({ usdc: 10_000_000n });
    await world.client(alice).purchase({ credits: 100n });
    const operator = world.client(world.operator);
    await operator.lock({ owner: alice.publicKey, jobId: 1n, tier: 1, maxOutputTokens: 500 });
    await operator.refund({ owner: alice.publicKey, jobId: 1n });
    const dir = mkdtempSync(join(tmpdir(), 'operator-paging-'));
    const db = await openStore(join(dir, 'operator.sqlite'));
    const config = await operator.config();
    const indexer = new Indexer(db, world.bank as unknown as Connection, { programId: world.programId, mint: world.mint, pricePerCredit: config.pricePerCredit, lowThreshold: 0n });
    await indexer.discover();
    await indexer.syncAll();
    const server = createOperatorApi({ client: operator, store: db, metrics: new OperatorMetrics(), health: () => ({ ok: true }) });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/account/${alice.publicKey.toBase58()}/transactions`;
    try {
      // When it is read one entry a page, following nextBefore
      const seen: { id: string; type: string }[] = [];
      let before: string | null = null;
      for (let page = 0; page < 10; page++) {
        const body = (await (await fetch(`${url}?limit=1${before ? `&before=${before}` : ''}`)).json()) as { transactions: { id: string; type: string }[]; nextBefore: string | null };
        seen.push(...body.transactions);
        before = body.nextBefore;
        if (!before) break;
      }
      // Then every entry came once, newest first, the two of the first transaction included
      expect(seen.map((e) => e.type)).toEqual(['refund', 'lock', 'purchase', 'open']);
      expect(seen.map((e) => e.id)).toEqual((await db.entries(alice.publicKey.toBase58(), { limit: 500 })).map((e) => e.id));
      // And a before that is no id nor signature is a 400
      expect((await fetch(`${url}?before=not-an-id`)).status).toBe(400);
    } finally {
      server.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('history of a v0 transaction whose credit accounts come from a lookup table', () => {
  it('attributes each wallet’s lock, although its credit account and vault are not static keys', async () => {
    // Given two wallets whose credit accounts and vaults sit in a lookup table
    const world = createTestWorld({ programPath: PROGRAM_PATH });
    const wallets = [world.wallet({ usdc: 10_000_000n }), world.wallet({ usdc: 10_000_000n })];
    for (const w of wallets) await world.client(w).purchase({ credits: 100n });
    const operator = world.client(world.operator);
    const owned = await Promise.all(wallets.map((w) => operator.addresses({ owner: w.publicKey })));
    const [table] = await new LookupTables(world.bank as never, world.operator).ensure(owned.flatMap((a) => [a.creditAccount, a.vault]));
    // When one v0 transaction locks a job of each, naming them through the table
    const ixs = wallets.map((w, i) =>
      getLockInstruction(
        { authority: world.operator.publicKey, creditAccount: owned[i].creditAccount, mint: world.mint },
        { jobId: 7n, tier: 1, maxOutputTokens: 500 },
      ),
    );
    const message = new TransactionMessage({ payerKey: world.operator.publicKey, recentBlockhash: world.svm.latestBlockhash(), instructions: ixs }).compileToV0Message([table]);
    expect(message.staticAccountKeys.some((k) => k.equals(owned[0].creditAccount))).toBe(false);
    const tx = new VersionedTransaction(message);
    tx.sign([world.operator]);
    const signature = await world.bank.sendRawTransaction(tx.serialize());
    // Then each wallet's history shows its own lock, with its own id
    const entries = await Promise.all(wallets.map((w) => fetchHistory(world.bank as unknown as Connection, w.publicKey, { mint: world.mint, programId: world.programId })));
    const locks = entries.map((h) => h.filter((e) => e.signature === signature));
    expect(locks.map((l) => l.map((e) => [e.kind, e.jobId]))).toEqual([[['lock', 7n]], [['lock', 7n]]]);
    expect(locks[0][0].id).not.toBe(locks[1][0].id);
  });
});
