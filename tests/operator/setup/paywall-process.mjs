// A second API process for tests/operator/x402_replay.test.ts: the credit paywall of
// the built SDK (sdk/dist, which the test run's global setup builds) on a
// LiteSVM world of its own, its replay store on the SQLite file the test
// names, behind a loopback HTTP server. Its facilitator is a stand-in that
// reports every payment as settled in the transaction the test names, as a
// second facilitator replica reporting the same transfer would. Prints
// "listening <url>" and serves until killed.
//
//   node tests/operator/setup/paywall-process.mjs <db path> <program .so> <settled transaction> <fee payer>
import { createServer } from 'node:http';

const dist = (entry) => new URL(`../../../sdk/dist/${entry}.js`, import.meta.url).href;
const { createTestWorld } = await import(dist('testing'));
const { openStore } = await import(dist('operator'));
const { createCreditPaywall } = await import(dist('x402'));
const { SOLANA_DEVNET_CAIP2 } = await import('@x402/svm');

const [dbPath, programPath, transaction, feePayer] = process.argv.slice(2);
const network = SOLANA_DEVNET_CAIP2;
const world = createTestWorld({ programPath });
const db = await openStore(dbPath);
const paywall = createCreditPaywall({
  client: world.client(world.operator),
  facilitator: {
    getSupported: async () => ({ kinds: [{ x402Version: 2, scheme: 'exact', network, extra: { feePayer } }], extensions: [], signers: {} }),
    verify: async () => ({ isValid: true, payer: feePayer }),
    settle: async () => ({ success: true, transaction, network, payer: feePayer }),
  },
  network,
  jobOf: () => ({ tier: 1, maxOutputTokens: 500 }),
  lowCredits: 1_000_000n,
  providerTokenAccount: world.treasury,
  replayStore: db.replayStore(),
});
await paywall.initialize();
const server = createServer((req, res) => {
  paywall
    .handle(req, res, async (job) => {
      await job.refund();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ topUp: job.topUp ?? null, process: 'second' }));
    })
    .catch((err) => res.writeHead(500).end(String(err?.stack ?? err)));
});
server.listen(0, '127.0.0.1', () => console.log(`listening http://127.0.0.1:${server.address().port}`));
const stop = () => {
  server.close(() => (db.close(), process.exit(0)));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
