// npm run bench:http: requests per second of every public HTTP route, on the
// LiteSVM test world (no network). The three servers (the Solana Pay top-up
// server, the operator API, the x402 paywall mounted in a node:http host as
// docs/x402.md shows) run on the main thread; the load comes from a worker
// thread (keep-alive sockets, CONCURRENCY requests in flight) for SECONDS per
// route. Prints a table; BENCH_OUT=<file> also writes it as JSON,
// BENCH_ROUTES=<substring> runs only the routes whose name holds it.
//
//   npx esbuild bench/http.ts --bundle --platform=node --format=esm --packages=external --outfile=target/bench/http.mjs
//   node target/bench/http.mjs
import { writeFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Keypair } from '@solana/web3.js';
import { SOLANA_DEVNET_CAIP2 } from '@x402/svm';

interface Route {
  name: string;
  method: string;
  url: string;
  body?: string;
}
interface Result {
  name: string;
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

/** The worker: fires `route` with CONCURRENCY requests in flight for `seconds`, then reports. */
async function load(route: Route, seconds: number, concurrency: number): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(route.url);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const one = () =>
    new Promise<void>((done) => {
      const started = performance.now();
      const req = request(
        { agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: route.method, headers: route.body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(route.body) } : {} },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - started);
            statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
            done();
          });
        },
      );
      req.on('error', () => {
        statuses.error = (statuses.error ?? 0) + 1;
        done();
      });
      req.end(route.body);
    });
  // A short warm-up (JIT, sockets), not counted.
  const warmUntil = performance.now() + 300;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < warmUntil) await one();
  }));
  latencies.length = 0;
  for (const k of Object.keys(statuses)) delete statuses[k];
  const start = performance.now();
  const until = start + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) await one();
  }));
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { name: route.name, requests: latencies.length, perSecond: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99), statuses };
}

if (!isMainThread) {
  const { route, seconds, concurrency } = workerData as { route: Route; seconds: number; concurrency: number };
  parentPort!.postMessage(await load(route, seconds, concurrency));
} else {
  const { createTestWorld } = await import('../sdk/src/testing/index.js');
  const { createTopUpServer } = await import('../sdk/src/server/index.js');
  const { createOperatorApi } = await import('../sdk/src/operator/api.js');
  const { openStore } = await import('../sdk/src/operator/store/index.js');
  const { OperatorMetrics } = await import('../sdk/src/operator/metrics.js');
  const { createCreditPaywall } = await import('../sdk/src/x402/index.js');
  const { Tier } = await import('../sdk/src/index.js');

  const world = createTestWorld({ programPath: resolve(process.env.PROGRAM ?? 'target/deploy/job_escrow.so') });
  const alice = world.wallet({ usdc: 100_000_000n });
  await world.client(alice).purchase({ credits: 500 });
  const platform = world.client(world.operator);
  const listen = async (server: Server) => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  const pay = await listen(createTopUpServer({ client: platform, label: 'Bench', publicUrl: 'https://pay.example', ratePerSecond: 0 }));
  const store = await openStore(':memory:');
  const operator = await listen(createOperatorApi({ client: platform, store, metrics: new OperatorMetrics(), ratePerSecond: 1e9, health: () => ({ ok: true }) }));
  // A facilitator that answers getSupported like the real one; the routes measured never reach verify or settle.
  const paywall = createCreditPaywall({
    client: platform,
    facilitator: {
      getSupported: async () => ({ kinds: [{ x402Version: 2, scheme: 'exact', network: SOLANA_DEVNET_CAIP2, extra: { feePayer: Keypair.generate().publicKey.toBase58() } }], extensions: [], signers: {} }),
      verify: async () => ({ isValid: false, invalidReason: 'bench' }),
      settle: async () => ({ success: false, errorReason: 'bench', transaction: '', network: SOLANA_DEVNET_CAIP2 }),
    },
    network: SOLANA_DEVNET_CAIP2,
    jobOf: () => ({ tier: Tier.Standard, maxOutputTokens: 500 }),
    providerTokenAccount: world.treasury,
    // Locks go through the JobBatcher; BATCH_WAIT_MS=0 measures one lock per request, sent at once.
    batchWaitMs: process.env.BATCH_WAIT_MS === undefined ? undefined : Number(process.env.BATCH_WAIT_MS),
  });
  await paywall.initialize();
  // Mounted as docs/x402.md shows.
  const host = createServer();
  host.on('request', (req, res) =>
    paywall.handle(req, res, async (job) => {
      await job.refund();
      res.end('{}');
    }),
  );
  const api = await listen(host);

  const owner = alice.publicKey.toBase58();
  const routes: Route[] = [
    { name: 'top-up GET /api/pay', method: 'GET', url: `${pay}/api/pay?credits=500` },
    { name: 'top-up POST /api/pay', method: 'POST', url: `${pay}/api/pay?credits=500`, body: JSON.stringify({ account: Keypair.generate().publicKey.toBase58() }) },
    { name: 'top-up GET /api/topup', method: 'GET', url: `${pay}/api/topup?owner=${owner}&credits=500` },
    { name: 'top-up GET /api/balance', method: 'GET', url: `${pay}/api/balance?owner=${owner}` },
    { name: 'top-up GET /topup', method: 'GET', url: `${pay}/topup?owner=${owner}` },
    { name: 'operator GET /v1/account/<w>', method: 'GET', url: `${operator}/v1/account/${owner}` },
    { name: 'operator GET /healthz', method: 'GET', url: `${operator}/healthz` },
    { name: 'x402 paywall 401 (unsigned)', method: 'GET', url: `${api}/v1/infer` },
  ];
  const only = process.env.BENCH_ROUTES; // a substring of the route names to run, e.g. "topup"
  const results: Result[] = [];
  for (const route of routes.filter((r) => !only || r.name.includes(only))) {
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { route, seconds: SECONDS, concurrency: CONCURRENCY } });
    results.push(await new Promise<Result>((r, reject) => worker.once('message', r).once('error', reject)));
    await worker.terminate();
  }
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`HTTP routes, ${CONCURRENCY} requests in flight, ${SECONDS} s each (LiteSVM world, one process, load from a worker thread)`);
  console.log(`| ${pad('route', 32)} | status | req/s | p50 ms | p99 ms |`);
  console.log(`|${'-'.repeat(34)}|--------|-------|--------|--------|`);
  for (const r of results) {
    const statuses = Object.entries(r.statuses).map(([s, n]) => (Object.keys(r.statuses).length > 1 ? `${s}×${n}` : s)).join(' ');
    console.log(`| ${pad(r.name, 32)} | ${statuses} | ${Math.round(r.perSecond)} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} |`);
  }
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(results, null, 2));
  process.exit(0);
}
