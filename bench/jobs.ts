// npm run bench, job-slot section (issue 28, spec section 8) on LiteSVM 1.5
// (SBPF v3): compute units per job of the single and batch forms against
// their floor (Clock read, events, token CPIs, curve checks), jobs per
// transaction, compute units and fee lamports per job on the SDK's real
// batched path (lockMany / settleMany / refundMany: v0 transactions over the
// operator's lookup tables, the payer pool on) for one job per wallet (100
// wallets) and for one wallet with 64 slots; and the on-chain lamports per
// x402 request served from credits (50 concurrent agents behind one
// paywall, its batcher sharing transactions). Merges `jobs` into
// bench/results.json and prints one table.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { createKeyPairSignerFromBytes } from '@solana/kit';
import { Keypair } from '@solana/web3.js';
import type { FacilitatorClient } from '@x402/core/server';
import { SOLANA_DEVNET_CAIP2 } from '@x402/svm';
import { JobBatcher } from '../sdk/src/batcher/index.js';
import { createCreditPaywall, signAgentRequest } from '../sdk/src/x402/index.js';
import { Escrow, ROOT } from '../tests/shared/index.js';
import { FIXED_UNITS, batchedWorld, floorUnits, type RoundCost } from '../tests/program/setup/batched.js';

/** The single forms, one job in a fresh account: the whole transaction's units and its floor. */
function singleRuns() {
  const env = new Escrow();
  const u = env.funded(1_000n);
  const worker = env.worker().usdc;
  const lock = env.lock(u, { jobId: 1n }).sent;
  const settle = env.settle(u, { jobId: 1n }, { provider: worker });
  env.lock(u, { jobId: 2n });
  const refund = env.refund(u, { jobId: 2n });
  return [
    { case: 'lock (single)', cu: lock.computeUnits, floor: floorUnits(lock.logs) },
    { case: 'settle (single)', cu: settle.computeUnits, floor: floorUnits(settle.logs, { curves: 1 }) },
    { case: 'refund (single)', cu: refund.computeUnits, floor: floorUnits(refund.logs) },
  ];
}

async function batchedRuns(): Promise<RoundCost[]> {
  const wallets = await batchedWorld({ users: 100 });
  const oneWallet = await batchedWorld({ users: 1, jobSlots: 64 });
  return [...(await wallets.lifecycle('100 wallets, 1 job each', 1)), ...(await oneWallet.lifecycle('1 wallet, 64 jobs', 64))];
}

/** x402: `agents` concurrent requests served from credits; the operator's lamports spent per request (only fees: a lock takes no rent). */
async function x402Run(agents: number, batchWaitMs: number) {
  const { env, operator, users, worker, lookupTables } = await batchedWorld({ users: agents, credits: 1_000n });
  const network = SOLANA_DEVNET_CAIP2;
  // No payment is made here (every agent has credits): a facilitator that lists `exact` and refuses.
  const facilitator = {
    getSupported: async () => ({ kinds: [{ x402Version: 2, scheme: 'exact', network, extra: { feePayer: Keypair.generate().publicKey.toBase58() } }], extensions: [], signers: {} }),
    verify: async () => ({ isValid: false, invalidReason: 'no_payment_in_this_bench' }),
    settle: async () => ({ success: false, errorReason: 'no_payment_in_this_bench', transaction: '', network }),
  } as unknown as FacilitatorClient;
  const paywall = createCreditPaywall({
    client: operator,
    facilitator,
    network,
    jobOf: () => ({ tier: 1, maxOutputTokens: 500 }),
    providerTokenAccount: worker,
    batcher: new JobBatcher({ client: operator, maxWaitMs: batchWaitMs, send: { lookupTables } }),
  });
  await paywall.initialize();
  const server = createServer((req, res) => {
    void paywall.handle(req, res, async (job) => {
      await job.settle(300);
      res.writeHead(200).end('served');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/infer`;
  const before = env.lamports(env.operator.publicKey);
  const txBefore = (await env.bank.getSignaturesForAddress(env.operator.publicKey)).length;
  const statuses = await Promise.all(
    users.map(async (u) => {
      const signer = await createKeyPairSignerFromBytes(u.wallet.secretKey);
      return (await fetch(url, { headers: await signAgentRequest(signer, 'GET', '/v1/infer') })).status;
    }),
  );
  server.close();
  server.closeAllConnections();
  const served = statuses.filter((s) => s === 200).length;
  if (served !== agents) throw new Error(`x402: ${agents - served} of ${agents} requests not served: ${statuses.join(',')}`);
  const spent = Number(before - env.lamports(env.operator.publicKey));
  const transactions = (await env.bank.getSignaturesForAddress(env.operator.publicKey)).length - txBefore;
  return { agents, batchWaitMs, served, transactions, lamportsPerRequest: spent / agents };
}

async function main() {
  const single = singleRuns();
  const batched = await batchedRuns();
  // The batcher's default wait (100 ms), a shorter and a longer one.
  const x402 = [await x402Run(50, 20), await x402Run(50, 100), await x402Run(50, 250)];
  const path = `${ROOT}/bench/results.json`;
  const results = JSON.parse(readFileSync(path, 'utf8'));
  results.jobs = { runtime: 'litesvm 1.5.0, SBPF v3 build; the batched path with v0 transactions, lookup tables and a 4-key payer pool', fixedUnits: FIXED_UNITS, single, batched, x402 };
  writeFileSync(path, JSON.stringify(results, null, 2) + '\n');

  const r = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log('\njob slots (LiteSVM, SBPF v3): compute units per job against the floor (Clock read, events, token CPIs, curve checks)');
  console.log(`${'case'.padEnd(58)}${'jobs'.padStart(5)}${'tx'.padStart(4)}${'max/tx'.padStart(7)}${'CU/job'.padStart(8)}${'floor'.padStart(7)}${'ratio'.padStart(7)}${'fee/job'.padStart(9)}`);
  for (const s of single) console.log(`${s.case.padEnd(58)}${'1'.padStart(5)}${'1'.padStart(4)}${'1'.padStart(7)}${r(s.cu).padStart(8)}${r(s.floor).padStart(7)}${(s.cu / s.floor).toFixed(2).padStart(7)}${'5,000'.padStart(9)}`);
  for (const b of batched)
    console.log(`${b.case.padEnd(58)}${String(b.jobs).padStart(5)}${String(b.transactions).padStart(4)}${String(b.maxJobsPerTx).padStart(7)}${r(b.cuPerJob).padStart(8)}${r(b.floorPerJob).padStart(7)}${(b.cuPerJob / b.floorPerJob).toFixed(2).padStart(7)}${r(b.feePerJob).padStart(9)}`);
  for (const x of x402)
    console.log(`x402, ${x.agents} concurrent requests served from credits, batch wait ${x.batchWaitMs} ms: ${x.transactions} transactions, ${r(x.lamportsPerRequest)} lamports on-chain per request (an exact payment: 10,001)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
