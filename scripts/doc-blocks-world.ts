// What scripts/run-doc-blocks.mjs gives a TypeScript doc block in place of
// the things a reader brings (an RPC URL, a facilitator, a data directory, a
// webhook request): each one local and real, backed by the block's embedded
// LiteSVM world. The runner's GIVENS table calls these.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { signWebhook } from '../sdk/src/operator/webhooks.js';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref(); // a block ends when its code ends, whatever still listens
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** `name` in the run's scratch directory (DOC_TEST_SCRATCH), never in the checkout or /var/lib. */
export function scratchPath(name: string): string {
  const dir = process.env.DOC_TEST_SCRATCH ?? join(process.cwd(), 'target/doc-blocks/scratch');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

type AccountRpc = Record<string, (...params: unknown[]) => { send(): Promise<unknown> }>;

/**
 * A JSON-RPC endpoint over HTTP serving the methods of `rpc` (the Kit test
 * world's getAccountInfo and getMultipleAccounts), so `createSolanaRpc(url)`
 * in a block reads the embedded world as it would read a cluster.
 */
export function serveRpc(rpc: unknown): Promise<string> {
  const methods = rpc as AccountRpc;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', async () => {
      const { id, method, params = [] } = JSON.parse(body) as { id: unknown; method: string; params?: unknown[] };
      const answer = Object.hasOwn(methods, method)
        ? { jsonrpc: '2.0', id, result: await methods[method](...params).send() }
        : { jsonrpc: '2.0', id, error: { code: -32601, message: `the embedded world serves no ${method}` } };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)));
    });
  });
  return listen(server);
}

/**
 * An x402 facilitator over HTTP for `network` that answers `/supported` as
 * the x402 packages' own facilitator does (its fee payer a fresh key) and
 * refuses every payment: what `paywall.initialize()` asks, offline.
 */
export async function serveFacilitator(network: string): Promise<string> {
  const [{ createSolanaRpc, generateKeyPairSigner }, { x402Facilitator }, { toFacilitatorSvmSigner }, { ExactSvmScheme }] = await Promise.all([
    import('@solana/kit'),
    import('@x402/core/facilitator'),
    import('@x402/svm'),
    import('@x402/svm/exact/facilitator'),
  ]);
  const signer = await generateKeyPairSigner();
  const facilitator = new x402Facilitator().register(
    network as `${string}:${string}`,
    new ExactSvmScheme(toFacilitatorSvmSigner(signer, { [network]: createSolanaRpc('http://127.0.0.1:9') as never })),
  );
  const server = createServer((req, res) => {
    req.resume();
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET' && req.url === '/supported') res.end(JSON.stringify(facilitator.getSupported()));
    else res.end(JSON.stringify({ isValid: false, success: false, invalidReason: 'doc_test_facilitator', errorReason: 'doc_test_facilitator' }));
  });
  return listen(server);
}

/** A webhook as the operator sends it: its raw body and its request's headers, signed with `secret`. */
export function signedWebhook(secret: string): { rawBody: string; headers: Record<string, string> } {
  const rawBody = JSON.stringify({ id: 'job.refunded:doc-test:0', type: 'job.refunded', createdAt: new Date().toISOString(), data: { jobId: '2', credits: '8' } });
  return { rawBody, headers: { 'x-job-escrow-signature': signWebhook(secret, rawBody, Math.floor(Date.now() / 1000)), 'x-job-escrow-event-id': 'job.refunded:doc-test:0' } };
}
