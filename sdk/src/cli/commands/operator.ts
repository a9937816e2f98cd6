import { walletKeypair } from '../../batch/jobs.js';
import { LookupTables } from '../../batch/lookupTables.js';
import { PayerPool } from '../../batch/payerPool.js';
import { keepServingOnStrayErrors } from '../../http/process.js';
import { UsageError, defineCommand, whole, wholeNumber } from '../options.js';

export const operator = defineCommand({
  name: 'operator',
  summary:
    "run the operator service until stopped: refunds expired jobs, indexes accounts (streamed from the RPC websocket, backfilled on every reconnect) into SQLite or, with --db postgres://…, into Postgres shared by several operator processes (each serves the API; the crank, the indexer and the webhook sender run in one at a time, under leases), serves /v1/account/<wallet>, /healthz and /metrics, sends signed webhooks (secrets also from JOB_ESCROW_WEBHOOK_SECRET, JOB_ESCROW_API_KEY, and --db from JOB_ESCROW_DB, so a Postgres password stays out of the process list); --rate-limit N: API requests per client address per second; --payers N: refund fees paid by N keys derived from the keypair, kept at --payer-sol SOL; --batch-wait-ms: how long a batched lock or settle waits for others (0: sent at once); --lookup-tables: batches go out as v0 transactions over the keypair's lookup tables (about 30 jobs each instead of 12; their rent comes back when idle tables are closed)",
  options: {
    db: { type: 'string', placeholder: 'file|postgres://user:pw@host/db', help: 'the store (default: $JOB_ESCROW_DB, else job-escrow-operator.sqlite)' },
    port: { type: 'string', placeholder: 'n', help: 'the API port, 0: any free one (default: 8090)' },
    host: { type: 'string', placeholder: 'address', help: 'the API host (default: 127.0.0.1)' },
    'webhook-url': { type: 'string', placeholder: 'url', help: 'where signed webhooks go (needs --webhook-secret)' },
    'webhook-secret': { type: 'string', placeholder: 's', help: "the webhooks' signing secret (default: $JOB_ESCROW_WEBHOOK_SECRET)" },
    'api-key': { type: 'string', placeholder: 'k', help: 'the key API requests must carry (default: $JOB_ESCROW_API_KEY, else none)' },
    'rate-limit': { type: 'string', placeholder: 'n', help: 'API requests per client address per second (default: 20)' },
    'low-threshold': { type: 'string', placeholder: 'n', help: 'credit.low webhook below this many credits (default: 100)' },
    payers: { type: 'string', placeholder: 'n', help: 'refund fees paid by n keys derived from the keypair (default: the keypair alone)' },
    'payer-sol': { type: 'string', placeholder: 'sol', help: 'SOL each payer key is kept at (default: 0.2)' },
    'batch-wait-ms': { type: 'string', placeholder: 'ms', help: 'how long a batched lock or settle waits for others, 0: sent at once (default: 100)' },
    'lookup-tables': { type: 'boolean', help: "batches as v0 transactions over the keypair's lookup tables" },
  },
  async run({ v, client, out, err, env, onServer }) {
    const secret = v['webhook-secret'] ?? env.JOB_ESCROW_WEBHOOK_SECRET;
    if (v['webhook-url'] && !secret) throw new UsageError('--webhook-url needs --webhook-secret (or JOB_ESCROW_WEBHOOK_SECRET)');
    let operator: typeof import('../../operator/index.js');
    try {
      operator = await import('../../operator/index.js');
    } catch (e) {
      throw new Error(`the operator needs prom-client and its store's driver installed (npm install prom-client better-sqlite3, or pg for Postgres): ${(e as Error).message}`);
    }
    const payerSol = v['payer-sol'] === undefined ? undefined : Number(v['payer-sol']);
    if (payerSol !== undefined && !(payerSol > 0 && payerSol <= 100)) throw new UsageError(`--payer-sol must be a number of SOL above 0 and at most 100, got ${v['payer-sol']}`);
    const payerCount = wholeNumber(v, 'payers', { min: 0, max: 64 }) ?? 0;
    // A library promise that rejects with nobody listening (web3.js's
    // confirmation polling does, when the RPC fails) or a stray throw must
    // not end a service that retries everything anyway, from its first moment: log it and go on.
    const unguard = keepServingOnStrayErrors(err);
    const running = await operator.startOperator({
      client,
      payers: payerCount ? await PayerPool.derive(walletKeypair(client)!, payerCount) : undefined,
      payerSol,
      db: v.db ?? env.JOB_ESCROW_DB,
      wsUrl: v['ws-url'],
      port: wholeNumber(v, 'port', { min: 0, max: 65_535 }),
      host: v.host,
      apiKey: v['api-key'] ?? env.JOB_ESCROW_API_KEY,
      rateLimit: wholeNumber(v, 'rate-limit'),
      webhook: v['webhook-url'] ? { url: v['webhook-url'], secret: secret! } : undefined,
      lowThreshold: v['low-threshold'] ? whole(v, 'low-threshold') : undefined,
      batchWaitMs: wholeNumber(v, 'batch-wait-ms'),
      lookupTables: v['lookup-tables'] ? await LookupTables.load(client.connection, walletKeypair(client)!) : undefined,
      log: err,
    });
    out(`operator running: API ${running.url}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      onServer?.(running.server);
      running.server.once('close', stop);
    });
    await running.stop().catch(() => {});
    unguard();
    out('operator stopped');
  },
});
