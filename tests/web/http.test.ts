// The HTTP layer of the three public servers (sdk/src/http/, docs/http.md):
// the top-up server, the operator API and the x402 paywall in a plain
// node:http host. Each test is a defect an attacker found on the servers as
// they were: a 30-byte request that killed the process, an off-curve wallet
// that answered 500, no timeouts, an unbounded rate limiter, a 402 with an
// empty body, a handler failure that kept the lock, three error shapes.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createKeyPairSignerFromBytes, type KeyPairSigner } from '@solana/kit';
import { Keypair } from '@solana/web3.js';
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@x402/core/http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findCreditAccountPda } from '../../sdk/src/index.js';
import { RateLimiter, clientKey } from '../../sdk/src/http/index.js';
import { runCli } from '../../sdk/src/cli/index.js';
import { signAgentRequest } from '../../sdk/src/x402/index.js';
import { ROOT } from '../shared/index.js';
import { startServers, type Servers } from './setup/httpServers.js';
import { STATUS_LINE, rawRequest } from './setup/rawHttp.js';

const ERROR_CODE = /^[a-z]+(_[a-z]+)*$/;
const CAMEL = /^[a-z][a-zA-Z0-9]*$/;

/** Every key of a JSON value, nested. */
const keysOf = (v: unknown): string[] =>
  Array.isArray(v) ? v.flatMap(keysOf) : v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [k, ...keysOf(x)]) : [];

/** The one error body: error (snake_case code), message (a sentence), camelCase details. */
function expectErrorBody(body: unknown) {
  const b = body as Record<string, unknown>;
  expect(typeof b.error === 'string' && ERROR_CODE.test(b.error), JSON.stringify(b)).toBe(true);
  expect(typeof b.message === 'string' && b.message.length > 0, JSON.stringify(b)).toBe(true);
  for (const k of keysOf(b)) expect(k, JSON.stringify(b)).toMatch(CAMEL);
}

const jsonOf = (buf: Buffer) => JSON.parse(buf.toString('utf8')) as Record<string, unknown>;

describe('one HTTP layer for the three public servers', () => {
  let s: Servers;
  let all: [string, number, string][];
  beforeAll(async () => {
    s = await startServers();
    // A route each server answers 200, to show it is still serving.
    all = [
      ['top-up server', s.topUp.port, '/api/pay?credits=500'],
      ['operator API', s.operator.port, '/healthz'],
      ['x402 paywall host', s.api.port, '/v1/infer'],
    ];
  });
  afterAll(() => s?.close());

  it('a 30-byte request with a target that is no URL is a 400 with the error body, and every server keeps serving', async () => {
    for (const [name, port, alive] of all) {
      for (const target of ['//[', 'http://[', '%', '*', '/%zz']) {
        // Given the request an attacker sent (GET //[ HTTP/1.1 and a Host header: 30 bytes)
        const request = `GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`;
        // When a server gets it
        const answer = await rawRequest(port, request);
        // Then it answers 400, and the next request is served
        expect(answer.statusLine, `${name} ${target}`).toMatch(STATUS_LINE);
        expect(answer.status, `${name} ${target}`).toBe(400);
        // … in our error body; node's parser itself refuses "%" before any handler runs, and the paywall's host answers that with node's bare 400
        if (name === 'x402 paywall host' && target === '%') continue;
        expect(jsonOf(answer.body)).toMatchObject({ error: 'bad_request' });
        expectErrorBody(jsonOf(answer.body));
      }
      const next = await rawRequest(port, `GET ${alive} HTTP/1.1\r\nHost: a\r\n\r\n`);
      expect(next.status, name).toBe(name === 'x402 paywall host' ? 401 : 200);
    }
    expect(s.logs.filter((l) => /internal error/.test(l))).toEqual([]);
  });

  it('a wallet off the ed25519 curve is a 400, not a 500', async () => {
    // Given an account no key can sign for (a PDA)
    const [pda] = findCreditAccountPda(s.alice.publicKey);
    // When a wallet asks /api/pay to build a purchase for it
    const r = await fetch(`${s.topUp.url}/api/pay?credits=500`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: pda.toBase58() }) });
    // Then it is told the account is not a wallet
    expect(r.status).toBe(400);
    const body = await r.json();
    expect(body).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/off the ed25519 curve/) });
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('the top-up QR codes are SVG data URLs that decode to the links', async () => {
    const { decodeQrDataUrl } = await import('../shared/qr.js');
    const offer = (await (await fetch(`${s.topUp.url}/api/topup?owner=${s.alice.publicKey.toBase58()}&credits=500`)).json()) as Record<string, string>;
    expect(offer.transactionQr).toMatch(/^data:image\/svg\+xml/);
    expect(decodeQrDataUrl(offer.transactionQr)).toBe(offer.transactionUrl);
    expect(decodeQrDataUrl(offer.transferQr)).toBe(offer.transferUrl);
  });

  it('every server sets header, request, keep-alive and idle timeouts and its limits', () => {
    for (const server of [s.topUp.server, s.operator.server]) {
      expect({
        headersTimeout: server.headersTimeout,
        requestTimeout: server.requestTimeout,
        keepAliveTimeout: server.keepAliveTimeout,
        timeout: server.timeout,
        maxRequestsPerSocket: server.maxRequestsPerSocket,
        maxHeaderSize: (server as unknown as { maxHeaderSize: number }).maxHeaderSize,
        clientError: server.listenerCount('clientError'),
      }).toEqual({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, timeout: 30_000, maxRequestsPerSocket: 1_000, maxHeaderSize: 16_384, clientError: 1 });
    }
  });

  it('headers over the limit are a 431 in our body; a CONNECT or an unknown Expect gets our body too', async () => {
    for (const port of [s.topUp.port, s.operator.port]) {
      const big = await rawRequest(port, `GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect([big.status, jsonOf(big.body).error]).toEqual([431, 'headers_too_large']);
      const connectAnswer = await rawRequest(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
      expect([connectAnswer.status, jsonOf(connectAnswer.body).error]).toEqual([405, 'method_not_allowed']);
      const expectAnswer = await rawRequest(port, 'GET /healthz HTTP/1.1\r\nHost: a\r\nExpect: tea\r\n\r\n');
      expect([expectAnswer.status, jsonOf(expectAnswer.body).error]).toEqual([417, 'expectation_failed']);
      const noHost = await rawRequest(port, 'GET /healthz HTTP/1.1\r\n\r\n');
      expect([noHost.status, jsonOf(noHost.body).error]).toEqual([400, 'bad_request']);
    }
  });

  it('one error body and camelCase keys on every route of every server', async () => {
    const wallet = s.alice.publicKey.toBase58();
    const errors: [string, RequestInit?][] = [
      [`${s.topUp.url}/nope`],
      [`${s.topUp.url}/api/pay?credits=150`, { method: 'PUT' }],
      [`${s.topUp.url}/api/pay?credits=99`],
      [`${s.topUp.url}/api/pay?credits=500`, { method: 'POST', body: '{oops' }],
      [`${s.topUp.url}/api/pay?credits=500`, { method: 'POST', body: 'x'.repeat(5_000) }],
      [`${s.topUp.url}/api/topup?owner=bad&credits=150`],
      [`${s.topUp.url}/topup?owner=nope`],
      [`${s.topUp.url}/${'a'.repeat(3_000)}`],
      [`${s.operator.url}/nope`],
      [`${s.operator.url}/v1/account/nope`],
      [`${s.operator.url}/v1/account/${Keypair.generate().publicKey.toBase58()}`],
      [`${s.operator.url}/v1/account/${wallet}/transactions?limit=0`],
      [`${s.operator.url}/v1/account/${wallet}`, { method: 'POST' }],
      [`${s.operator.url}/${'a'.repeat(3_000)}`],
      [`${s.api.url}/v1/infer`],
      [`${s.api.url}/${'a'.repeat(9_000)}`],
    ];
    const statuses: number[] = [];
    for (const [url, init] of errors) {
      const r = await fetch(url, init);
      statuses.push(r.status);
      expect(r.headers.get('content-type'), url).toMatch(/^application\/json/);
      expectErrorBody(await r.json());
    }
    expect(statuses).toEqual([404, 405, 400, 400, 413, 400, 400, 414, 404, 400, 404, 400, 405, 414, 401, 414]);

    const ok = [
      `${s.topUp.url}/api/pay?credits=500`,
      `${s.topUp.url}/api/topup?owner=${wallet}&credits=500`,
      `${s.topUp.url}/api/balance?owner=${wallet}`,
      `${s.topUp.url}/api/status?owner=${wallet}&reference=${Keypair.generate().publicKey.toBase58()}&credits=500`,
      `${s.operator.url}/v1/account/${wallet}`,
      `${s.operator.url}/v1/account/${wallet}/transactions`,
      `${s.operator.url}/healthz`,
    ];
    for (const url of ok) {
      const r = await fetch(url);
      expect(r.status, url).toBe(200);
      for (const k of keysOf(await r.json())) expect(k, url).toMatch(CAMEL);
    }
    const account = (await (await fetch(`${s.operator.url}/v1/account/${wallet}`)).json()) as Record<string, unknown>;
    expect(Object.keys(account)).toEqual(['wallet', 'creditAccount', 'creditsRemaining', 'locked', 'withdrawable', 'promoCredits', 'promoExpiresAt', 'usdcValue', 'openJobs', 'lastTopUpAt', 'lifetime']);
    expect(account).toMatchObject({ wallet, creditsRemaining: '500' });
  });

  it('an RPC failure answers 502 upstream_error on every server, and is logged', async () => {
    const rpcDown = () => Promise.reject(new Error('fetch failed: connect ECONNREFUSED'));
    const balance = vi.spyOn(s.platform, 'getBalance').mockImplementationOnce(rpcDown);
    const account = vi.spyOn(s.platform, 'creditAccount').mockImplementationOnce(rpcDown).mockImplementationOnce(rpcDown);
    try {
      const wallet = s.alice.publicKey.toBase58();
      const signer = await createKeyPairSignerFromBytes(s.alice.secretKey);
      for (const [url, headers] of [
        [`${s.operator.url}/v1/account/${wallet}`, {}],
        [`${s.topUp.url}/api/balance?owner=${wallet}`, {}],
        [`${s.api.url}/v1/infer`, await signAgentRequest(signer, 'GET', '/v1/infer')],
      ] as const) {
        const r = await fetch(url, { headers });
        expect(r.status, url).toBe(502);
        expect(await r.json()).toMatchObject({ error: 'upstream_error' });
      }
    } finally {
      balance.mockRestore();
      account.mockRestore();
    }
    expect(s.logs.filter((l) => l.includes('ECONNREFUSED')).length).toBe(3);
  });
});

describe('timeouts', () => {
  let s: Servers;
  beforeAll(async () => {
    s = await startServers({ http: { headersTimeoutMs: 600, requestTimeoutMs: 1_200, idleTimeoutMs: 2_000, checkIntervalMs: 100 } });
  });
  afterAll(() => s?.close());

  it('a client that dribbles its headers and never finishes them is cut off with a 408', async () => {
    for (const port of [s.topUp.port, s.operator.port, s.api.port]) {
      // Given a client that sends a header byte every 100 ms, forever
      const socket = connect(port, '127.0.0.1');
      const received: Buffer[] = [];
      socket.on('data', (d) => received.push(d));
      const started = Date.now();
      const closed = new Promise<number>((r) => socket.on('close', () => r(Date.now() - started)));
      socket.on('error', () => {});
      await new Promise((r) => socket.on('connect', r));
      socket.write('GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ');
      const drip = setInterval(() => socket.writable && socket.write('a'), 100);
      // Then the server closes it soon after the headers timeout, having said why
      const after = await closed;
      clearInterval(drip);
      expect(after).toBeGreaterThanOrEqual(500);
      expect(after).toBeLessThan(3_000);
      const text = Buffer.concat(received).toString();
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      if (port !== s.api.port) expect(text).toContain('"error":"request_timeout"');
    }
  });

  it('a client that connects and says nothing, or sends half a body, is cut off', async () => {
    for (const port of [s.topUp.port, s.operator.port]) {
      const silent = await rawRequest(port, '', { timeoutMs: 5_000 });
      expect([silent.timedOut, silent.status]).toEqual([false, 408]);
    }
    // A body announced and never finished: 408 once the request timeout passes
    const started = Date.now();
    const halfBody = await rawRequest(s.topUp.port, 'POST /api/pay?credits=500 HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"acc', { timeoutMs: 5_000 });
    expect([halfBody.timedOut, halfBody.status]).toEqual([false, 408]);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('the rate limiter', () => {
  it('stays bounded under 100,000 distinct addresses, forgetting the least recently seen first', () => {
    // Given a limiter of 20 requests per second (burst 40) that remembers 1,000 clients
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 20, maxClients: 1_000, now: () => now });
    // When one client spends its burst, then 100,000 others arrive
    for (let i = 0; i < 40; i++) expect(limiter.allow('10.0.0.1')).toBe(true);
    expect(limiter.allow('10.0.0.1')).toBe(false);
    for (let i = 0; i < 998; i++) limiter.allow(`11.0.${i >> 8}.${i & 255}`);
    // Then a client seen recently is remembered (still refused) …
    expect(limiter.size).toBe(999);
    expect(limiter.allow('10.0.0.1')).toBe(false);
    const heap = process.memoryUsage().heapUsed;
    for (let i = 0; i < 100_000; i++) limiter.allow(`12.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    // … the table never holds more than 1,000, and the oldest was forgotten (a full bucket again)
    expect(limiter.size).toBe(1_000);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(16 * 1024 * 1024);
    expect(limiter.allow('10.0.0.1')).toBe(true);
    // Refill: 20 per second, up to the burst
    now += 60_000;
    for (let i = 0; i < 40; i++) expect(limiter.allow('10.0.0.2')).toBe(true);
    expect(limiter.allow('10.0.0.2')).toBe(false);
    now += 50;
    expect(limiter.allow('10.0.0.2')).toBe(true);
  });

  it('counts an IPv6 client by its /64, an IPv4-mapped one by its IPv4 address', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'));
    expect(clientKey('2001:db8:1:2::1')).not.toBe(clientKey('2001:db8:1:3::1'));
    expect(clientKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(clientKey('10.1.2.3')).toBe('10.1.2.3');
  });

  it('the operator API answers 429 rate_limited with Retry-After past the burst', async () => {
    const s = await startServers({ ratePerSecond: 2 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await fetch(`${s.operator.url}/healthz`)).status);
      expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
      const r = await fetch(`${s.operator.url}/healthz`);
      expect([r.status, r.headers.get('retry-after')]).toEqual([429, '1']);
      expect(await r.json()).toMatchObject({ error: 'rate_limited' });
    } finally {
      await s.close();
    }
  });
});

describe('the top-up server limits its chain-reading routes per client', () => {
  it('answers 429 rate_limited on /api past the burst (CORS headers kept); the page and its assets are not limited', async () => {
    const s = await startServers({ topUpRate: 2 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await fetch(`${s.topUp.url}/api/pay?credits=100`)).status);
      expect(statuses).toEqual([200, 200, 200, 200]);
      const r = await fetch(`${s.topUp.url}/api/pay?credits=100`);
      expect([r.status, r.headers.get('retry-after'), r.headers.get('access-control-allow-origin')]).toEqual([429, '1', '*']);
      expect(await r.json()).toMatchObject({ error: 'rate_limited' });
      for (let i = 0; i < 6; i++) expect((await fetch(`${s.topUp.url}/topup.css`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('the x402 paywall never throws into its host', () => {
  /** A signed agent request. */
  const signed = async (signer: KeyPairSigner, url: string, headers: Record<string, string> = {}) =>
    fetch(url, { headers: { ...(await signAgentRequest(signer, 'GET', new URL(url).pathname)), ...headers } });

  it('a payment that loses a race is a 402 with our error body, not an empty one', async () => {
    // Given a facilitator that verifies the payment and then fails to settle it (another payment of the same transfer landed first)
    const s = await startServers({
      facilitator: {
        verify: async (p) => ({ isValid: true, payer: (p.accepted as { payTo: string }).payTo }),
        settle: async () => ({ success: false, errorReason: 'invalid_exact_svm_transaction_simulation_failed', errorMessage: 'transaction already processed', transaction: '', network: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1' }),
      },
    });
    try {
      const signer = await createKeyPairSignerFromBytes(Keypair.generate().secretKey);
      const url = `${s.api.url}/v1/infer`;
      const asked = await signed(signer, url);
      expect(asked.status).toBe(402);
      expect(await asked.json()).toMatchObject({ error: 'credits_low' });
      const required = decodePaymentRequiredHeader(asked.headers.get('payment-required')!);
      const payment = encodePaymentSignatureHeader({ x402Version: 2, resource: required.resource, accepted: required.accepts[0], payload: { transaction: 'AQ==' } });
      // When the agent pays
      const r = await signed(signer, url, { 'payment-signature': payment });
      // Then the 402 says what happened
      expect(r.status).toBe(402);
      const body = await r.json();
      expectErrorBody(body);
      expect(body).toMatchObject({ error: 'payment_failed', reason: 'invalid_exact_svm_transaction_simulation_failed', message: expect.stringMatching(/already processed/) });
    } finally {
      await s.close();
    }
  });

  it('a payment the facilitator refuses is a 402 with our error body naming the reason', async () => {
    const s = await startServers();
    try {
      const signer = await createKeyPairSignerFromBytes(Keypair.generate().secretKey);
      const url = `${s.api.url}/v1/infer`;
      const required = decodePaymentRequiredHeader((await signed(signer, url)).headers.get('payment-required')!);
      const payment = encodePaymentSignatureHeader({ x402Version: 2, resource: required.resource, accepted: required.accepts[0], payload: { transaction: 'AQ==' } });
      const r = await signed(signer, url, { 'payment-signature': payment });
      expect(r.status).toBe(402);
      expect(await r.json()).toMatchObject({ error: 'payment_failed', reason: 'offline_test_facilitator' });
    } finally {
      await s.close();
    }
  });

  it('when the host’s handler throws, the job’s lock is refunded and a 500 is answered; once it wrote, the answer is only ended', async () => {
    let mode: 'throw' | 'half' = 'throw';
    const s = await startServers({
      onJob: async () => {
        if (mode === 'half') {
          const r = current!;
          r.writeHead(200, { 'content-type': 'text/plain' });
          r.write('partial');
        }
        throw new Error('inference crashed');
      },
    });
    let current: import('node:http').ServerResponse | undefined;
    s.api.server.prependListener('request', (_req, res) => (current = res));
    try {
      const signer = await createKeyPairSignerFromBytes(s.alice.secretKey);
      const url = `${s.api.url}/v1/infer`;
      // Given an agent with 500 credits, served from credits
      const r = await signed(signer, url);
      // Then the lock went back and the host's failure is a 500 in our body
      expect(r.status).toBe(500);
      expect(await r.json()).toMatchObject({ error: 'internal_error' });
      expect(await s.platform.getBalance({ owner: s.alice.publicKey })).toMatchObject({ available: 500n, locked: 0n });
      expect(s.logs.some((l) => l.includes('inference crashed'))).toBe(true);
      // When the handler had started its answer, it is ended as it was, never written twice
      mode = 'half';
      const half = await signed(signer, url);
      expect(half.status).toBe(200);
      expect(await half.text()).toBe('partial');
      expect(await s.platform.getBalance({ owner: s.alice.publicKey })).toMatchObject({ available: 500n, locked: 0n });
    } finally {
      await s.close();
    }
  });
});

describe('the serving commands keep serving after a stray error', () => {
  it('job-escrow serve-pay installs the guard while it serves and removes it after', async () => {
    const s = await startServers();
    await s.close();
    const before = process.listeners('uncaughtException');
    const errLines: string[] = [];
    let server: import('node:http').Server | undefined;
    const serving = runCli(['serve-pay', '--port', '0'], { provider: s.world.provider(s.world.operator), out: () => {}, err: (l) => errLines.push(l), onServer: (x) => (server = x) });
    await vi.waitFor(() => expect(server).toBeDefined());
    const added = process.listeners('uncaughtException').filter((l) => !before.includes(l));
    expect(added.length).toBe(1);
    (added[0] as (e: Error) => void)(new Error('stray throw'));
    expect(errLines.some((l) => l.startsWith('uncaught exception: Error: stray throw'))).toBe(true);
    server!.close();
    expect(await serving).toBe(0);
    expect(process.listeners('uncaughtException').filter((l) => !before.includes(l))).toEqual([]);
  });

  it('a server process with the guard logs a stray throw and rejection and goes on answering', async () => {
    // The same guard, in its own process (a stray throw there is what would end a real server).
    const out = join(ROOT, 'target/test-stray/server.mjs');
    mkdirSync(join(ROOT, 'target/test-stray'), { recursive: true });
    const { build } = await import('esbuild');
    await build({ entryPoints: [join(ROOT, 'tests/web/setup/strayErrorServer.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
    const child = spawn(process.execPath, [out], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      await vi.waitFor(() => expect(stdout).toMatch(/listening \d+/), { timeout: 20_000 });
      const port = Number(/listening (\d+)/.exec(stdout)![1]);
      await vi.waitFor(() => expect(stderr).toMatch(/unhandled rejection: Error: stray rejection/), { timeout: 5_000 });
      await vi.waitFor(() => expect(stderr).toMatch(/uncaught exception: Error: stray throw/), { timeout: 5_000 });
      const r = await fetch(`http://127.0.0.1:${port}/api/pay?credits=500`);
      expect(r.status).toBe(200);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill();
    }
  }, 40_000);
});
