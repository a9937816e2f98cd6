// The x402 paywall's replay store: a signed agent request and a settled
// top-up transaction are each accepted once, and on the operator's SQLite
// file "once" survives a restart and spans processes. The paywall runs on
// the embedded LiteSVM world behind a loopback HTTP server; its facilitator
// is a stand-in that reports every payment as settled in one transaction
// (what two facilitator replicas reporting the same transfer look like).
// The second process is a real `node` child (tests/operator/setup/paywall-process.mjs)
// running the built SDK on the same database file.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyPairSignerFromBytes, type KeyPairSigner } from '@solana/kit';
import { Keypair } from '@solana/web3.js';
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@x402/core/http';
import type { FacilitatorClient } from '@x402/core/server';
import { SOLANA_DEVNET_CAIP2 } from '@x402/svm';
import bs58 from 'bs58';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../sdk/src/operator/store/sqlite.js';
import { createTestWorld, type TestWorld } from '../../sdk/src/testing/index.js';
import { AgentAuthError, createCreditPaywall, createMemoryReplayStore, replayKey, signAgentRequest, verifyAgentRequest, type ReplayStore } from '../../sdk/src/x402/index.js';
import { PROGRAM_PATH, ROOT } from '../shared/index.js';

const NETWORK = SOLANA_DEVNET_CAIP2;
const FEE_PAYER = Keypair.generate().publicKey.toBase58();
const CHILD = join(ROOT, 'tests/operator/setup/paywall-process.mjs');

/** A facilitator that verifies everything and reports each payment settled in `transaction`. */
function sameSettlement(transaction: string): FacilitatorClient {
  return {
    getSupported: async () => ({ kinds: [{ x402Version: 2, scheme: 'exact', network: NETWORK, extra: { feePayer: FEE_PAYER } }], extensions: [], signers: {} }),
    verify: async () => ({ isValid: true, payer: FEE_PAYER }),
    settle: async () => ({ success: true, transaction, network: NETWORK, payer: FEE_PAYER }),
  };
}

/** The paywall on `world` behind a loopback server; every unpaid request is asked for a top-up (lowCredits), a paid one locks and refunds a job. */
async function startApi(world: TestWorld, transaction: string, replayStore?: ReplayStore) {
  const paywall = createCreditPaywall({
    client: world.client(world.operator),
    facilitator: sameSettlement(transaction),
    network: NETWORK,
    jobOf: () => ({ tier: 1, maxOutputTokens: 500 }),
    lowCredits: 1_000_000n,
    providerTokenAccount: world.treasury,
    replayStore,
  });
  await paywall.initialize();
  const server: Server = createServer((req, res) => {
    paywall
      .handle(req, res, async (job) => {
        await job.refund();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ topUp: job.topUp ?? null }));
      })
      .catch((err) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())),
  };
}

/** The second process: the built SDK's paywall on its own world, on `dbPath`. */
async function startChild(dbPath: string, transaction: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('node', [CHILD, dbPath, PROGRAM_PATH, transaction, FEE_PAYER], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening (\S+)/.exec(d.toString());
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the second process exited with ${code}: ${stderr}`)));
  });
  return { child, url };
}

const PATH = '/v1/infer';
const send = (url: string, headers: Record<string, string>) => fetch(`${url}${PATH}`, { headers });
const outcome = async (res: Response) => ({ status: res.status, text: await res.text() });

/** An x402 payment for `url`'s own 402 (fresh signatures for both requests); returns the paid request's answer and headers. */
async function pay(url: string, signer: KeyPairSigner) {
  const unpaid = await send(url, await signAgentRequest(signer, 'GET', PATH));
  expect(unpaid.status).toBe(402);
  const required = decodePaymentRequiredHeader(unpaid.headers.get('payment-required')!);
  const payment = encodePaymentSignatureHeader({ x402Version: required.x402Version, resource: required.resource, accepted: required.accepts[0], payload: { transaction: 'stand-in' } });
  const headers = { ...(await signAgentRequest(signer, 'GET', PATH)), 'payment-signature': payment };
  return { headers, ...(await outcome(await send(url, headers))) };
}

describe('the replay store', () => {
  it('in memory: a key once until it expires, an expired claim refused, and a hard cap that forgets the oldest', async () => {
    let now = 1_000_000;
    const store = createMemoryReplayStore({ maxEntries: 3, now: () => now });
    expect(await store.claim('a', now + 60_000)).toBe(true);
    expect(await store.claim('a', now + 60_000)).toBe(false);
    expect(await store.claim('late', now)).toBe(false); // already expired: nothing to hold
    expect(await store.claim('b', now + 60_000)).toBe(true);
    expect(await store.claim('c', now + 60_000)).toBe(true);
    expect(await store.claim('d', now + 60_000)).toBe(true);
    expect(store.size).toBe(3); // the cap: 'a', the oldest, was forgotten
    expect(await store.claim('d', now + 60_000)).toBe(false);
    now += 60_001;
    expect(await store.claim('b', now + 60_000)).toBe(true); // expired, so claimable again; the expired ones are swept
    expect(store.size).toBe(1);
  });

  it('on SQLite: a key once, expired rows pruned, and still held after the database is closed and opened again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    try {
      let now = 1_000_000;
      let db = SqliteStore.open(join(dir, 'operator.sqlite'));
      const rows = () => (db.db.prepare('SELECT COUNT(*) AS n FROM replay').get() as { n: number }).n;
      let store = db.replayStore({ now: () => now });
      expect(await store.claim('k', now + 1_000)).toBe(true);
      expect(await store.claim('k', now + 1_000)).toBe(false);
      expect(await store.claim('late', now)).toBe(false);
      expect(await store.claim('other', now + 5_000)).toBe(true);
      await db.close();
      db = SqliteStore.open(join(dir, 'operator.sqlite'));
      store = db.replayStore({ now: () => now });
      expect(await store.claim('k', now + 1_000)).toBe(false);
      now += 1_000;
      expect(await store.claim('k', now + 1_000)).toBe(true); // expired at now: pruned, claimable again
      expect(rows()).toBe(2);
      now += 10_000;
      expect(await store.claim('new', now + 1_000)).toBe(true);
      expect(rows()).toBe(1);
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a paywall on the operator’s database refuses replays after a restart and in a second process', () => {
  let world: TestWorld;
  let signer: KeyPairSigner;
  let dir: string;
  let child: ChildProcess | undefined;
  /** The transaction the stand-in facilitator reports every payment as settled in. */
  const settled = bs58.encode(randomBytes(64));

  beforeAll(async () => {
    world = createTestWorld({ programPath: PROGRAM_PATH });
    const agent = world.wallet({ usdc: 10_000_000n });
    await world.client(agent).purchase({ credits: 100n }); // enough for the paid request's lock
    signer = await createKeyPairSignerFromBytes(agent.secretKey);
    dir = mkdtempSync(join(tmpdir(), 'replay-paywall-'));
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a signed request and a settled top-up are each accepted once', async () => {
    const dbPath = join(dir, 'operator.sqlite');
    // Given a paywall whose replay store is the operator's database file
    let db = SqliteStore.open(dbPath);
    let api = await startApi(world, settled, db.replayStore());
    const request = await signAgentRequest(signer, 'GET', PATH);
    const first = await outcome(await send(api.url, request));
    expect(first.status).toBe(402); // authenticated: asked for a top-up
    expect(await outcome(await send(api.url, request))).toMatchObject({ status: 401, text: expect.stringMatching(/already used/) });
    const paid = await pay(api.url, signer);
    expect(paid.status).toBe(200);
    expect(JSON.parse(paid.text)).toEqual({ topUp: settled });

    // When the API restarts: the database closed and opened again from the same file, a new paywall
    await api.close();
    await db.close();
    db = SqliteStore.open(dbPath);
    api = await startApi(world, settled, db.replayStore());
    // Then the same signed request is refused, and the same settled transaction is not credited again
    expect(await outcome(await send(api.url, request))).toMatchObject({ status: 401, text: expect.stringMatching(/already used/) });
    expect(await pay(api.url, signer)).toMatchObject({ status: 402, text: expect.stringMatching(/already credited/) });
    expect(await outcome(await send(api.url, paid.headers))).toMatchObject({ status: 401, text: expect.stringMatching(/already used/) });
    await expect(verifyAgentRequest(request, 'GET', PATH, { replayStore: db.replayStore() })).rejects.toThrow(AgentAuthError);
    await expect(verifyAgentRequest(request, 'GET', PATH, { replayStore: db.replayStore() })).rejects.toThrow(/already used/);
    expect(await db.replayStore().claim(replayKey.settlement(settled), Date.now() + 60_000)).toBe(false);

    // When a second process serves from the same file
    const second = await startChild(dbPath, settled);
    child = second.child;
    // Then it refuses both as well
    expect(await outcome(await send(second.url, request))).toMatchObject({ status: 401, text: expect.stringMatching(/already used/) });
    expect(await pay(second.url, signer)).toMatchObject({ status: 402, text: expect.stringMatching(/already credited/) });
    // And a request the second process accepted is refused here
    const elsewhere = await signAgentRequest(signer, 'GET', PATH);
    expect((await outcome(await send(second.url, elsewhere))).status).toBe(402);
    expect(await outcome(await send(api.url, elsewhere))).toMatchObject({ status: 401, text: expect.stringMatching(/already used/) });

    await api.close();
    await db.close();
  });

  it('with the in-memory default a restart forgets (the behaviour the database store replaces)', async () => {
    let api = await startApi(world, bs58.encode(randomBytes(64)));
    const request = await signAgentRequest(signer, 'GET', PATH);
    expect((await send(api.url, request)).status).toBe(402);
    expect((await send(api.url, request)).status).toBe(401);
    await api.close();
    api = await startApi(world, bs58.encode(randomBytes(64)));
    expect((await send(api.url, request)).status).toBe(402); // accepted again: a new process knows nothing
    await api.close();
  });
});
