// An x402 deployment on a real solana-test-validator, as a platform runs one:
// the facilitator is @x402/core's x402Facilitator with @x402/svm's
// facilitator scheme, behind a loopback HTTP endpoint that counts verify and
// settle; the inference API mounts the SDK's credit paywall; agents pay with
// @x402/fetch's wrapFetchWithPayment, @x402/svm's client scheme and a Kit
// signer. Used by x402.test.ts (the classic mint) and token_2022.test.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKeyPairSignerFromBytes, createSolanaRpc, type KeyPairSigner } from '@solana/kit';
import { createAssociatedTokenAccount, mintTo } from '@solana/spl-token';
import { Keypair, type PublicKey } from '@solana/web3.js';
import { x402Client } from '@x402/core/client';
import { x402Facilitator } from '@x402/core/facilitator';
import { HTTPFacilitatorClient } from '@x402/core/server';
import { wrapFetchWithPayment } from '@x402/fetch';
import { SOLANA_DEVNET_CAIP2, toFacilitatorSvmSigner } from '@x402/svm';
import { ExactSvmScheme as ExactSvmClientScheme } from '@x402/svm/exact/client';
import { ExactSvmScheme as ExactSvmFacilitatorScheme } from '@x402/svm/exact/facilitator';
import type { JobEscrowClient } from '../../sdk/src/index.js';
import { createCreditPaywall, createMemoryReplayStore, withAgentAuth, type CreditPaywall } from '../../sdk/src/x402/index.js';
import type { LocalValidator } from './harness.js';

/** A local cluster must wear one of the three names the x402 client knows (docs/x402.md): devnet's. */
export const NETWORK = SOLANA_DEVNET_CAIP2;
export const TOP_UP = 100n; // credits per x402 payment ($1)
export const JOB = { tier: 1, maxOutputTokens: 500 }; // locks quote(1, 500) credits
export const OUTPUT_TOKENS = 400; // each job is charged quote(1, 400)

export const kitSigner = (kp: Keypair) => createKeyPairSignerFromBytes(kp.secretKey);
const listen = (s: Server) => new Promise<string>((r) => s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));

export interface X402World {
  /** The inference API's base URL (`GET /v1/infer` runs one job, settled at OUTPUT_TOKENS). */
  api: string;
  paywall: CreditPaywall;
  /** The paywall's record of signed requests and settled top-ups. */
  replayStore: ReturnType<typeof createMemoryReplayStore>;
  facilitatorKey: KeyPairSigner;
  /** How many times the facilitator was asked to verify and to settle. */
  calls: { verify: number; settle: number };
  /** An agent: a wallet holding `usdc` of the mint and no SOL, its x402 client and both fetches. */
  agent(usdc?: bigint): Promise<Awaited<ReturnType<typeof makeAgent>>>;
  close(): void;
}

async function makeAgent(v: LocalValidator, mint: PublicKey, tokenProgram: PublicKey, usdc: bigint) {
  const keypair = Keypair.generate();
  const ata = await createAssociatedTokenAccount(v.connection, v.admin, mint, keypair.publicKey, undefined, tokenProgram);
  await mintTo(v.connection, v.admin, mint, ata, v.mintAuthority, usdc, [], undefined, tokenProgram);
  const signer = await kitSigner(keypair);
  const x402 = new x402Client()
    .register(NETWORK, new ExactSvmClientScheme(signer, { rpcUrl: v.url }))
    .setSpendControls({ allowedAssets: [{ network: NETWORK, asset: mint.toBase58(), maxAmountPerPayment: '5000000' }] });
  const signed = withAgentAuth(signer);
  return { keypair, owner: keypair.publicKey, ata, signer, x402, signed, paying: wrapFetchWithPayment(signed, x402) };
}

/**
 * Starts the facilitator and the API for `operator`'s deployment, whose
 * Config holds `mint` (of `tokenProgram`, minted by `v.mintAuthority`);
 * settled jobs pay `worker`.
 */
export async function startX402World(v: LocalValidator, { operator, mint, tokenProgram, worker }: { operator: JobEscrowClient; mint: PublicKey; tokenProgram: PublicKey; worker: PublicKey }): Promise<X402World> {
  const servers: Server[] = [];
  const calls = { verify: 0, settle: 0 };
  const facilitatorKey = await kitSigner((await v.wallet(10)).keypair);
  const facilitator = new x402Facilitator().register(NETWORK, new ExactSvmFacilitatorScheme(toFacilitatorSvmSigner(facilitatorKey, { [NETWORK]: createSolanaRpc(v.url) as never })));
  const facilitatorServer = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const b = body ? JSON.parse(body) : {};
    let out: unknown;
    if (req.url === '/supported') out = facilitator.getSupported();
    else if (req.url === '/verify') (calls.verify++, (out = await facilitator.verify(b.paymentPayload, b.paymentRequirements)));
    else if (req.url === '/settle') (calls.settle++, (out = await facilitator.settle(b.paymentPayload, b.paymentRequirements)));
    res.writeHead(out ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(out ?? {}));
  });
  servers.push(facilitatorServer);
  const facilitatorUrl = await listen(facilitatorServer);

  const replayStore = createMemoryReplayStore();
  const paywall = createCreditPaywall({
    client: operator,
    facilitator: new HTTPFacilitatorClient({ url: facilitatorUrl }),
    network: NETWORK,
    rpcUrl: v.url,
    topUpCredits: TOP_UP,
    jobOf: () => JOB,
    providerTokenAccount: worker,
    replayStore,
  });
  await paywall.initialize();
  // Mounted as docs/x402.md shows: handle() never rejects, so no .catch.
  const apiServer = createServer({ headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 });
  apiServer.on('request', (req, res) =>
    paywall.handle(req, res, async (job) => {
      await job.settle(OUTPUT_TOKENS); // the inference ran; charge it
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jobId: String(job.jobId), topUp: job.topUp ?? null }));
    }),
  );
  servers.push(apiServer);
  const api = await listen(apiServer);
  return {
    api,
    paywall,
    replayStore,
    facilitatorKey,
    calls,
    agent: (usdc = 10_000_000n) => makeAgent(v, mint, tokenProgram, usdc),
    close: () => servers.forEach((s) => s.close()),
  };
}
