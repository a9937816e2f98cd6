// `@job-escrow/sdk/operator` (Node only): the long-running operator service,
// as a library (startOperator) and as `job-escrow operator`. It runs
//   - the crank (./crank.ts): refunds expired jobs with nobody calling;
//   - the indexer (./indexer.ts) into SQLite (./db.ts), with webhooks queued
//     in the same database transactions and delivered by ./webhooks.ts;
//   - the HTTP API, /healthz and /metrics (./api.ts, ./metrics.ts);
//   - a JobBatcher (../batcher) on its client: the host's x402 paywall (or
//     its own lock and settle calls) share it, so concurrent jobs of many
//     wallets go out in lock_batch / settle_batch transactions.
// Each loop runs on a timer, never overlapping itself; an RPC failure is
// counted and retried on the next round, so a fault stops nothing for long.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { walletKeypair } from '../batch/jobs.js';
import type { LookupTables } from '../batch/lookupTables.js';
import type { PayerPool } from '../batch/payerPool.js';
import { JobBatcher } from '../batcher/index.js';
import type { JobEscrowClient } from '../client.js';
import { createOperatorApi } from './api.js';
import { Crank } from './crank.js';
import { OperatorDb } from './db.js';
import { Indexer } from './indexer.js';
import { OperatorMetrics } from './metrics.js';
import { deliverDue } from './webhooks.js';

export { OperatorDb } from './db.js';
export { Crank, type CrankJob, type CrankEvents } from './crank.js';
export { JobBatcher, DEFAULT_BATCH_WAIT_MS, DEFAULT_BATCH_MAX_JOBS, type JobBatcherOptions, type BatchedLock, type BatchedSettle, type BatchedOutcome } from '../batcher/index.js';
export { signWebhook, verifyWebhook, SIGNATURE_HEADER, EVENT_ID_HEADER, type WebhookType } from './webhooks.js';

export interface OperatorOptions {
  /** Signs refunds (any funded wallet may refund an expired job) and, as the config's operator, the batcher's locks and settles. */
  client: JobEscrowClient;
  /** SQLite file (default `job-escrow-operator.sqlite`; `:memory:` for none). */
  dbPath?: string;
  /** HTTP API port (0: any free port) and host. */
  port?: number;
  host?: string;
  apiKey?: string;
  webhook?: { url: string; secret: string };
  /**
   * Fee payers of the crank's refund transactions (default: the client's
   * wallet pays). Each reconcile tops up every key below `payerSol / 4` SOL
   * back to `payerSol` (default 0.2) from the client's wallet.
   */
  payers?: PayerPool;
  payerSol?: number;
  /**
   * How long the operator's JobBatcher holds a lock or settle for others to
   * share its transaction (default 100 ms; 0: each is sent at once, alone),
   * and how many jobs one flush takes at most (default 28).
   */
  batchWaitMs?: number;
  batchMaxJobs?: number;
  /**
   * Lookup tables of the operator's key (`LookupTables.load`): the batcher's
   * locks and settles and the crank's refunds go out as v0 transactions over
   * them (about 30 jobs each instead of 12); each reconcile deactivates the
   * idle ones and closes them once cooled down, their rent back.
   */
  lookupTables?: LookupTables;
  /** credit.low threshold in credits (default 100). */
  lowThreshold?: bigint;
  /** Loop periods in ms. */
  crankMs?: number;
  reconcileMs?: number;
  indexMs?: number;
  webhookMs?: number;
  log?: (line: string) => void;
}

export interface RunningOperator {
  url: string;
  db: OperatorDb;
  metrics: OperatorMetrics;
  server: Server;
  /**
   * Locks and settles of this operator's client, batched: pass it to
   * `createCreditPaywall({ …, batcher })` so the paywall's jobs share the
   * operator's transactions. Flushed by stop().
   */
  batcher: JobBatcher;
  /** Latency of each refund this process made: seconds from the cluster clock reaching expires_at to confirmation. */
  refundLatencies: number[];
  stop(): Promise<void>;
}

/** How long stop() lets a running round finish. */
const STOP_DEADLINE_MS = 5_000;

/** `fn`, tried up to `attempts` times `delayMs` apart; the last error is thrown. */
async function retrying<T>(fn: () => Promise<T>, attempts: number, delayMs: number, onError: (err: unknown, attempt: number) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts) throw err;
      onError(err, attempt);
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

/** A loop that runs `fn` every `ms`, never twice at once; errors go to `onError`. */
function loop(ms: number, fn: () => Promise<unknown>, onError: (err: unknown) => void) {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await fn();
    } catch (err) {
      onError(err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(run, ms);
  void run();
  return {
    stop: () => clearInterval(timer),
    /** Resolves when the current round ends, or after `deadlineMs` (a round stuck on a dead RPC must not hold a shutdown). */
    idle: async (deadlineMs: number) => {
      const until = Date.now() + deadlineMs;
      while (running && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    },
  };
}

export async function startOperator(o: OperatorOptions): Promise<RunningOperator> {
  const { client } = o;
  const log = o.log ?? (() => {});
  // Start-up rides out a flaky RPC too: the config is read with retries (1 s apart, about half a minute).
  const config = await retrying(() => client.config(), 30, 1_000, (err, n) => log(`start-up: reading the config failed (${n}): ${(err as Error)?.message ?? err}`));
  const db = new OperatorDb(o.dbPath ?? 'job-escrow-operator.sqlite');
  const metrics = new OperatorMetrics();
  const refundLatencies: number[] = [];
  const batcher = new JobBatcher({ client, maxWaitMs: o.batchWaitMs, maxJobs: o.batchMaxJobs, send: { lookupTables: o.lookupTables } });
  const crank = new Crank(client, {
    onRefunded: (job, signature, latency) => {
      const now = Date.now();
      refundLatencies.push(latency);
      metrics.refunds.inc();
      metrics.refundLatency.observe(Math.max(0, latency));
      db.recordRefund({ creditAccount: job.creditAccount.toBase58(), jobId: job.jobId, signature, expiresAt: job.expiresAt, refundedAtMs: now });
      log(`refunded job ${job.jobId} of ${job.creditAccount.toBase58()} ${latency.toFixed(1)} s after expiry (${signature})`);
    },
    onGone: (job, why) => log(`not refunded job ${job.jobId} of ${job.creditAccount.toBase58()}: already settled or refunded (${why})`),
    onError: (err) => {
      metrics.rpcErrors.inc({ part: 'crank' });
      log(`crank: ${(err as Error)?.message ?? err}`);
    },
  }, { payers: o.payers, lookupTables: o.lookupTables });
  const funder = walletKeypair(client);
  if (o.payers && !funder) throw new Error('a payer pool is topped up by the operator keypair: the client needs a keypair wallet');
  const payerSol = o.payerSol ?? 0.2;
  const topUpPayers = async () => {
    if (!o.payers || !funder) return;
    const sent = await o.payers.topUp(client.connection, funder, { below: payerSol / 4, to: payerSol });
    if (sent) log(`payer pool: topped up with ${sent} lamports`);
  };
  // A failed first top-up is not fatal: each reconcile tries again.
  await topUpPayers().catch((err) => log(`payer pool: top-up failed, retried on the next reconcile: ${(err as Error)?.message ?? err}`));
  const indexer = new Indexer(db, client.connection, { programId: client.programId, mint: config.mint, pricePerCredit: config.pricePerCredit, lowThreshold: o.lowThreshold ?? 100n });
  let lastSyncedSlot = 0;
  const failed = (part: string) => (err: unknown) => {
    metrics.rpcErrors.inc({ part });
    log(`${part}: ${(err as Error)?.message ?? err}`);
  };

  crank.subscribe();
  const loops = [
    loop(
      o.reconcileMs ?? 10_000,
      async () => {
        await crank.reconcile();
        await topUpPayers();
        const tables = await o.lookupTables?.maintain();
        if (tables?.deactivated.length) log(`lookup tables: deactivated ${tables.deactivated.length} idle`);
        if (tables?.closed.length) log(`lookup tables: closed ${tables.closed.length}, ${tables.reclaimed} lamports of rent back`);
      },
      failed('reconcile'),
    ),
    loop(
      o.crankMs ?? 500,
      async () => {
        await crank.tick();
        metrics.openJobs.set(crank.openJobs);
      },
      failed('crank'),
    ),
    loop(
      o.indexMs ?? 1_000,
      async () => {
        const slot = await client.connection.getSlot('confirmed');
        if (lastSyncedSlot) metrics.slotLag.set(slot - lastSyncedSlot);
        await indexer.discover();
        await indexer.syncAll();
        lastSyncedSlot = slot;
        metrics.indexedEntries.set(db.countEntries());
      },
      failed('indexer'),
    ),
  ];
  if (o.webhook) {
    const webhook = o.webhook;
    loops.push(
      loop(
        o.webhookMs ?? 500,
        async () => {
          await deliverDue(db, { ...webhook, onDelivered: () => metrics.webhooksDelivered.inc(), onFailed: (id, e) => log(`webhook ${id}: ${e}`) });
          metrics.webhookBacklog.set(db.webhookBacklog());
        },
        failed('webhooks'),
      ),
    );
  }

  const server = createOperatorApi({
    client,
    db,
    metrics,
    apiKey: o.apiKey,
    health: () => ({ ok: true, openJobs: crank.openJobs, indexedEntries: db.countEntries(), webhookBacklog: db.webhookBacklog(), lastSyncedSlot }),
    log,
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 8090, o.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${o.host ?? '127.0.0.1'}:${port}`;
  log(
    `operator: API on ${url}; program ${client.programId.toBase58()}; index ${o.dbPath ?? 'job-escrow-operator.sqlite'}${o.webhook ? `; webhooks to ${o.webhook.url}` : ''}${o.payers ? `; ${o.payers.keys.length} fee payers` : ''}`,
  );

  return {
    url,
    db,
    metrics,
    server,
    batcher,
    refundLatencies,
    async stop() {
      for (const l of loops) l.stop();
      await batcher.flush().catch((err: unknown) => log(`batcher: ${(err as Error)?.message ?? err}`));
      // Whatever a round left in flight is on chain or not: the next start finds it either way.
      await Promise.all(loops.map((l) => l.idle(STOP_DEADLINE_MS)));
      await crank.unsubscribe();
      await new Promise<void>((r) => server.close(() => r()));
      db.close();
    },
  };
}
