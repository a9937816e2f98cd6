// The three public HTTP servers on one LiteSVM test world, as their users run
// them: the Solana Pay top-up server, the operator API, and the x402 paywall
// mounted in a plain node:http host exactly as docs/x402.md shows.
//
// The paywall's facilitator here answers getSupported with what the x402
// packages' own facilitator (x402Facilitator + the exact SVM scheme) says,
// and refuses every verify and settle (or does what `facilitator` overrides
// say): this suite is offline. The real facilitator, with real payments, is
// exercised in tests/validator/x402.test.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSolanaRpc, generateKeyPairSigner } from '@solana/kit';
import type { Keypair } from '@solana/web3.js';
import { x402Facilitator } from '@x402/core/facilitator';
import type { FacilitatorClient } from '@x402/core/server';
import { SOLANA_DEVNET_CAIP2, toFacilitatorSvmSigner } from '@x402/svm';
import { ExactSvmScheme as ExactSvmFacilitatorScheme } from '@x402/svm/exact/facilitator';
import { Tier, type JobEscrowClient } from '../../../sdk/src/index.js';
import type { HttpServerOptions } from '../../../sdk/src/http/index.js';
import { createOperatorApi } from '../../../sdk/src/operator/api.js';
import { openStore } from '../../../sdk/src/operator/store/index.js';
import { OperatorMetrics } from '../../../sdk/src/operator/metrics.js';
import { createTopUpServer } from '../../../sdk/src/server/index.js';
import { createTestWorld, type TestWorld } from '../../../sdk/src/testing/index.js';
import { createCreditPaywall, type CreditPaywall, type PaidJob } from '../../../sdk/src/x402/index.js';
import { PROGRAM_PATH } from '../../shared/index.js';

export const NETWORK = SOLANA_DEVNET_CAIP2;

export interface Running {
  server: Server;
  port: number;
  url: string;
}

export interface Servers {
  world: TestWorld;
  /** A wallet with an open credit account holding 500 credits. */
  alice: Keypair;
  platform: JobEscrowClient;
  topUp: Running;
  operator: Running;
  /** The paywall's node:http host; its protected handler settles 400 tokens (or does `onJob`). */
  api: Running;
  paywall: CreditPaywall;
  /** Lines the three servers logged (internal errors and upstream failures among them). */
  logs: string[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<Running> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { server, port, url: `http://127.0.0.1:${port}` };
}

/** A facilitator that answers getSupported like the real one and refuses every payment (unless overridden). */
export async function offlineFacilitator(overrides: Partial<FacilitatorClient> = {}): Promise<FacilitatorClient> {
  const signer = await generateKeyPairSigner();
  const real = new x402Facilitator().register(NETWORK, new ExactSvmFacilitatorScheme(toFacilitatorSvmSigner(signer, { [NETWORK]: createSolanaRpc('http://127.0.0.1:9') as never })));
  return {
    getSupported: async () => real.getSupported() as Awaited<ReturnType<FacilitatorClient['getSupported']>>,
    verify: async () => ({ isValid: false, invalidReason: 'offline_test_facilitator' }),
    settle: async () => ({ success: false, errorReason: 'offline_test_facilitator', transaction: '', network: NETWORK }),
    ...overrides,
  };
}

export async function startServers(
  o: { http?: Omit<HttpServerOptions, 'log'>; ratePerSecond?: number; topUpRate?: number; facilitator?: Partial<FacilitatorClient>; onJob?: (job: PaidJob) => Promise<void> } = {},
): Promise<Servers> {
  const logs: string[] = [];
  const log = (line: string) => void logs.push(line);
  const world = createTestWorld({ programPath: PROGRAM_PATH });
  const alice = world.wallet({ usdc: 100_000_000n });
  await world.client(alice).purchase({ credits: 500 });
  const platform = world.client(world.operator);

  const topUp = await listen(createTopUpServer({ client: platform, label: 'Acme AI', publicUrl: 'https://pay.acme.example', log, http: o.http, ratePerSecond: o.topUpRate ?? 0 }));
  const store = await openStore(':memory:');
  const operator = await listen(
    createOperatorApi({ client: platform, store, metrics: new OperatorMetrics(), ratePerSecond: o.ratePerSecond ?? 1e6, health: () => ({ ok: true, openJobs: 0 }), log, http: o.http }),
  );

  const paywall = createCreditPaywall({
    client: platform,
    facilitator: await offlineFacilitator(o.facilitator),
    network: NETWORK,
    topUpCredits: 1_000n,
    jobOf: () => ({ tier: Tier.Standard, maxOutputTokens: 500 }),
    providerTokenAccount: world.treasury,
    log,
  });
  await paywall.initialize();
  // docs/x402.md, "How a platform mounts it": a node:http server with its limits set, the paywall on 'request'.
  const host = createServer({ headersTimeout: o.http?.headersTimeoutMs ?? 10_000, requestTimeout: o.http?.requestTimeoutMs ?? 30_000, connectionsCheckingInterval: o.http?.checkIntervalMs ?? 1_000 });
  host.keepAliveTimeout = 5_000;
  host.timeout = o.http?.idleTimeoutMs ?? 30_000;
  host.on('request', (req, res) =>
    paywall.handle(req, res, async (job) => {
      if (o.onJob) return o.onJob(job);
      await job.settle(400); // the inference ran; charge it
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jobId: String(job.jobId) }));
    }),
  );
  const api = await listen(host);

  return {
    world,
    alice,
    platform,
    topUp,
    operator,
    api,
    paywall,
    logs,
    async close() {
      for (const s of [topUp.server, operator.server, api.server]) s.closeAllConnections();
      await Promise.all([topUp, operator, api].map(({ server }) => new Promise<void>((r) => server.close(() => r()))));
      await store.close();
    },
  };
}
