// `@job-escrow/sdk/operator` (Node only): the long-running operator service,
// as a library (startOperator) and as `job-escrow operator`. It runs
//   - the crank (./crank.ts): refunds expired jobs with nobody calling;
//   - the indexer (./indexer.ts), fed by a streamed event source
//     (./sources.ts) with backfill, into the store (./store: SQLite or
//     Postgres), with webhooks queued in the same database transactions
//     and delivered by ./webhooks.ts;
//   - the HTTP API, /healthz and /metrics (./api.ts, ./metrics.ts);
//   - a JobBatcher (../batcher) on its client: the host's x402 paywall (or
//     its own lock and settle calls) share it, so concurrent jobs of many
//     wallets go out in lock_batch / settle_batch transactions.
// Several processes may share one Postgres store: each serves the API, and
// the crank, the indexer and the webhook sender each run in the one process
// holding that role's lease (./leases.ts); another takes over when it dies.
// Each loop runs on a timer, never overlapping itself; an RPC or database
// failure is counted and retried on the next round, so a fault stops
// nothing for long.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { walletKeypair } from '../batch/jobs.js';
import type { LookupTables } from '../batch/lookupTables.js';
import type { PayerPool } from '../batch/payerPool.js';
import { JobBatcher } from '../batcher/index.js';
import type { JobEscrowClient } from '../client.js';
import { HttpError } from '../http/index.js';
import { createOperatorApi } from './api.js';
import { Crank } from './crank.js';
import { IndexFollower, Indexer } from './indexer.js';
import { DEFAULT_LEASE_RENEW_MS, Leases, processHolderId } from './leases.js';
import { OperatorMetrics } from './metrics.js';
import { WebsocketLogsSource, websocketUrlOf, type ChainEventSource } from './sources.js';
import { DEFAULT_STORE, openStore, type LeaseRole, type OperatorStore } from './store/index.js';
import { deliverDue } from './webhooks.js';

export { openStore, isPostgresUrl, DEFAULT_STORE, LeaseLostError, LEASE_ROLES, type OperatorStore, type IndexedAccount, type StoredEntry, type OutboxRow, type Lease, type LeaseRole, type RefundRecord } from './store/index.js';
export { SCHEMA_VERSION } from './store/rows.js';
export { Leases, processHolderId, DEFAULT_LEASE_TTL_MS, DEFAULT_LEASE_RENEW_MS } from './leases.js';
export { WebsocketLogsSource, websocketUrlOf, type ChainEventSource, type ChainEventHandlers, type TransactionNotice } from './sources.js';
export { Crank, type CrankJob, type CrankEvents } from './crank.js';
export { JobBatcher, DEFAULT_BATCH_WAIT_MS, DEFAULT_BATCH_MAX_JOBS, type JobBatcherOptions, type BatchedLock, type BatchedSettle, type BatchedOutcome } from '../batcher/index.js';
export { signWebhook, verifyWebhook, SIGNATURE_HEADER, EVENT_ID_HEADER, type WebhookType } from './webhooks.js';

export interface OperatorOptions {
  /** Signs refunds (any funded wallet may refund an expired job) and, as the config's operator, the batcher's locks and settles. */
  client: JobEscrowClient;
  /**
   * The store: a SQLite file (default `job-escrow-operator.sqlite`;
   * `:memory:` for none), one operator process on it; or a
   * `postgres://user:password@host/db` URL, shared by several.
   */
  db?: string;
  /**
   * The live source of the program's transactions (default: a
   * WebsocketLogsSource on `wsUrl`); false: polling only.
   */
  events?: ChainEventSource | false;
  /** The RPC node's websocket (default: the client's RPC URL, ws scheme, port + 1). */
  wsUrl?: string;
  /** A role's lease lasts this long past its last renewal (default 6 s), renewed every `leaseRenewMs` (default 2 s). */
  leaseTtlMs?: number;
  leaseRenewMs?: number;
  /** HTTP API port (0: any free port) and host. */
  port?: number;
  host?: string;
  apiKey?: string;
  /** API requests per client address per second (default 20, burst twice that). */
  rateLimit?: number;
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
  /**
   * Loop periods in ms. `pollMs`: the index's backfill period while the
   * stream is down (default 1 s); `sweepMs`: while it is up (default 30 s:
   * it catches plain USDC transfers into a vault, which do not mention the
   * program).
   */
  crankMs?: number;
  reconcileMs?: number;
  pollMs?: number;
  sweepMs?: number;
  webhookMs?: number;
  log?: (line: string) => void;
}

export interface RunningOperator {
  url: string;
  store: OperatorStore;
  /** This process's name in the leases table. */
  holder: string;
  leases: Leases;
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
  const message = (err: unknown) => String((err as Error)?.message ?? err);
  // Start-up rides out a flaky RPC too: the config is read with retries (1 s apart, about half a minute).
  const config = await retrying(() => client.config(), 30, 1_000, (err, n) => log(`start-up: reading the config failed (${n}): ${message(err)}`));
  const store = await openStore(o.db ?? DEFAULT_STORE);
  if (store.migrated.from !== store.migrated.to) log(`store: ${store.where} migrated from schema ${store.migrated.from} to ${store.migrated.to}`);
  const metrics = new OperatorMetrics();
  const holder = processHolderId();
  const roles: LeaseRole[] = o.webhook ? ['crank', 'indexer', 'webhooks'] : ['crank', 'indexer'];
  const leases = new Leases(store, holder, roles, {
    ttlMs: o.leaseTtlMs,
    events: {
      onChange: (role, lease) => {
        metrics.leaseHeld.set({ role }, lease ? 1 : 0);
        metrics.leaseChanges.inc({ role, change: lease ? 'taken' : 'lost' });
        log(lease ? `lease: took the ${role} lease (token ${lease.token})` : `lease: lost the ${role} lease`);
        if (lease && role === 'indexer') follower.requestBackfill('lease');
      },
      onStandby: (role, other) =>
        log(
          store.engine === 'sqlite'
            ? `${role}: refused here: ${other.holder} already runs the ${role} on ${store.where}. One SQLite file serves one operator process; to run several, share a Postgres database (--db postgres://…). This process serves the API and takes the ${role} over if that one stops.`
            : `${role}: standby: ${other.holder} holds the ${role} lease; this process takes it over if that one stops`,
        ),
      onError: (err) => {
        metrics.storeErrors.inc();
        log(`lease: the store did not answer: ${message(err)}`);
      },
    },
  });
  for (const role of roles) metrics.leaseHeld.set({ role }, 0);
  const refundLatencies: number[] = [];
  const batcher = new JobBatcher({ client, maxWaitMs: o.batchWaitMs, maxJobs: o.batchMaxJobs, send: { lookupTables: o.lookupTables } });
  const crank = new Crank(
    client,
    {
      onRefunded: (job, signature, latency) => {
        refundLatencies.push(latency);
        metrics.refunds.inc();
        metrics.refundLatency.observe(Math.max(0, latency));
        log(`refunded job ${job.jobId} of ${job.creditAccount.toBase58()} ${latency.toFixed(1)} s after expiry (${signature})`);
        store
          .recordRefund({ creditAccount: job.creditAccount.toBase58(), jobId: job.jobId, signature, expiresAt: job.expiresAt, refundedAtMs: Date.now() })
          .catch((err: unknown) => log(`store: recording the refund of job ${job.jobId} failed: ${message(err)}`));
      },
      onGone: (job, why) => log(`not refunded job ${job.jobId} of ${job.creditAccount.toBase58()}: already settled or refunded (${why})`),
      onError: (err) => {
        metrics.rpcErrors.inc({ part: 'crank' });
        log(`crank: ${message(err)}`);
      },
    },
    { payers: o.payers, lookupTables: o.lookupTables },
  );
  const funder = walletKeypair(client);
  if (o.payers && !funder) throw new Error('a payer pool is topped up by the operator keypair: the client needs a keypair wallet');
  const payerSol = o.payerSol ?? 0.2;
  const topUpPayers = async () => {
    if (!o.payers || !funder) return;
    const sent = await o.payers.topUp(client.connection, funder, { below: payerSol / 4, to: payerSol });
    if (sent) log(`payer pool: topped up with ${sent} lamports`);
  };
  const indexer = new Indexer(store, client.connection, { programId: client.programId, mint: config.mint, pricePerCredit: config.pricePerCredit, lowThreshold: o.lowThreshold ?? 100n });
  const source: ChainEventSource | null =
    o.events === false
      ? null
      : (o.events ??
        new WebsocketLogsSource(o.wsUrl ?? websocketUrlOf(client.connection.rpcEndpoint), client.programId, {
          onError: (err) => log(`stream: ${message(err)}`),
        }));
  const follower = new IndexFollower(indexer, source, {
    getSlot: () => client.connection.getSlot('confirmed'),
    sweepMs: o.sweepMs ?? 30_000,
    pollMs: o.pollMs ?? 1_000,
    metrics,
  });
  source?.start({
    onTransaction: (n) => follower.heard(n),
    onGap: (why) => {
      metrics.streamConnects.inc();
      if (source.connects > 1) log(`stream: ${why}; backfilling from each account's last processed signature`);
      follower.requestBackfill(source.connects > 1 ? 'reconnect' : 'start');
    },
  });
  const failed = (part: string) => (err: unknown) => {
    metrics.rpcErrors.inc({ part });
    log(`${part}: ${message(err)}`);
  };

  // The leases first: a process takes its roles before its loops look for them.
  await leases.renew();
  let cranking = false;
  let entriesCounted = false;
  const loops = [
    loop(o.leaseRenewMs ?? DEFAULT_LEASE_RENEW_MS, () => leases.renew(), failed('lease')),
    loop(
      o.reconcileMs ?? 10_000,
      async () => {
        if (!leases.lease('crank')) return;
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
        if (!leases.lease('crank')) {
          // Only the holder follows the credit accounts: a standby process decodes nothing.
          if (cranking) await crank.unsubscribe();
          cranking = false;
          return;
        }
        // Taking the role over: subscribed first, then the jobs in flight as the chain has them now (the last holder may have refunded some).
        if (!cranking) {
          crank.subscribe();
          await crank.reconcile();
        }
        cranking = true;
        await crank.tick();
        metrics.openJobs.set(crank.openJobs);
      },
      failed('crank'),
    ),
    loop(
      250,
      async () => {
        metrics.streamLive.set(source?.live ? 1 : 0);
        const lease = leases.lease('indexer');
        if (!lease) return follower.standby();
        const read = await follower.round(lease);
        if (source?.tipSlot) metrics.slotLag.set(Math.max(0, source.tipSlot - follower.indexedThrough));
        // Counted when the index changed (and once at first), not every 250 ms: a COUNT over the whole table.
        if (read > 0 || !entriesCounted) metrics.indexedEntries.set(await store.countEntries());
        entriesCounted = true;
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
          if (!leases.lease('webhooks')) return;
          await deliverDue(store, holder, { ...webhook, onDelivered: () => metrics.webhooksDelivered.inc(), onFailed: (id, e) => log(`webhook ${id}: ${e}`) });
          metrics.webhookBacklog.set(await store.webhookBacklog());
        },
        failed('webhooks'),
      ),
    );
  }
  // A failed first top-up is not fatal: each reconcile tries again.
  if (leases.lease('crank')) await topUpPayers().catch((err) => log(`payer pool: top-up failed, retried on the next reconcile: ${message(err)}`));

  const server = createOperatorApi({
    client,
    store,
    metrics,
    apiKey: o.apiKey,
    ratePerSecond: o.rateLimit,
    health: async () => {
      let indexed: { indexedEntries: number; webhookBacklog: number };
      try {
        indexed = { indexedEntries: await store.countEntries(), webhookBacklog: await store.webhookBacklog() };
      } catch {
        throw new HttpError(503, 'store_unavailable', 'The operator\'s database is not answering.', { headers: { 'retry-after': '1' } });
      }
      const running = Object.fromEntries(roles.map((role) => [role, leases.lease(role) !== null]));
      return { ok: true, holder, roles: running, stream: source?.live ?? false, openJobs: crank.openJobs, ...indexed, indexedThroughSlot: follower.indexedThrough };
    },
    log,
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 8090, o.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${o.host ?? '127.0.0.1'}:${port}`;
  log(
    `operator: API on ${url}; program ${client.programId.toBase58()}; store ${store.where} (${store.engine}); process ${holder}${o.webhook ? `; webhooks to ${o.webhook.url}` : ''}${o.payers ? `; ${o.payers.keys.length} fee payers` : ''}`,
  );

  return {
    url,
    store,
    holder,
    leases,
    metrics,
    server,
    batcher,
    refundLatencies,
    async stop() {
      for (const l of loops) l.stop();
      await batcher.flush().catch((err: unknown) => log(`batcher: ${message(err)}`));
      // Whatever a round left in flight is on chain or not: the next start finds it either way.
      await Promise.all(loops.map((l) => l.idle(STOP_DEADLINE_MS)));
      await source?.stop();
      await leases.release();
      await crank.unsubscribe();
      await new Promise<void>((r) => server.close(() => r()));
      await store.close();
    },
  };
}
