// HTTP fuzzing of the three public servers on real sockets: the top-up
// server, the operator API and the x402 paywall mounted in a plain node:http
// host as docs/x402.md shows (tests/web/setup/httpServers.ts; its facilitator
// answers getSupported like the x402 packages' own and refuses every
// payment, the real one being exercised in tests/validator/x402.test.ts).
//
// fast-check generates the requests (seeded: HTTP_FUZZ_SEED, HTTP_FUZZ_RUNS
// per server): every method, request targets of every kind (the routes with
// fuzzed queries, malformed ones like //[ , http://[ , % , very long ones,
// raw bytes), header sets (duplicate, huge, odd content-length and
// transfer-encoding, Expect, Upgrade, forged agent signatures and payments,
// and for the paywall real agent signatures), bodies of every size and
// framing. Each goes out as raw bytes over its own net socket. Then slow
// clients (headers dribbled) and half-closed clients.
//
// Every answer must be a well-formed status line; none a 500 or 502 (the
// LiteSVM upstream never fails); every error answer of our servers carries
// the error body, every JSON key is camelCase; afterwards every server
// answers a normal request and the heap has not grown past a bound.
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { connect } from 'node:net';
import { createKeyPairSignerFromBytes, generateKeyPairSigner, type KeyPairSigner } from '@solana/kit';
import { Keypair } from '@solana/web3.js';
import { encodePaymentSignatureHeader } from '@x402/core/http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findCreditAccountPda } from '../../sdk/src/index.js';
import { signAgentRequest } from '../../sdk/src/x402/index.js';
import { NETWORK, startServers, type Servers } from './setup/httpServers.js';
import { STATUS_LINE, rawRequest, type RawAnswer } from './setup/rawHttp.js';

const SEED = Number(process.env.HTTP_FUZZ_SEED ?? 27);
const RUNS = Number(process.env.HTTP_FUZZ_RUNS ?? 2_000);
const IN_FLIGHT = 24;
/** Short limits so incomplete and slow requests end quickly (the defaults are 10 s and 30 s). */
const LIMITS = { headersTimeoutMs: 1_000, requestTimeoutMs: 1_500, idleTimeoutMs: 3_000, checkIntervalMs: 100 };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

type ServerName = 'topUp' | 'operator' | 'api';

interface FuzzRequest {
  method: string;
  target: string;
  version: string;
  host: 'one' | 'none' | 'two';
  headers: [string, string][];
  body: Uint8Array;
  framing: 'length' | 'chunked' | 'chunked-bad' | 'short' | 'none' | 'both';
  /** Paywall only: sign the request as a real agent (alice, with credits, or a stranger). */
  sign: 'no' | 'alice' | 'stranger';
}

const CAMEL = /^[a-z][a-zA-Z0-9]*$/;
const ERROR_CODE = /^[a-z]+(_[a-z]+)*$/;
const keysOf = (v: unknown): string[] =>
  Array.isArray(v) ? v.flatMap(keysOf) : v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [k, ...keysOf(x)]) : [];

/** The generator of one server's requests. */
function requests(paths: string[], keys: string[]): fc.Arbitrary<FuzzRequest> {
  const queryValue = fc.oneof(
    fc.constantFrom(...keys),
    fc.bigInt({ min: -5n, max: 10n ** 22n }).map(String),
    fc.constantFrom('', '100', '500', '1e3', '0x10', '100.0', ' 100', '%00', '%ff', '..', 'null', '[]', 'json', 'csv', '-1', '501'),
    fc.string({ maxLength: 60 }),
    fc.string({ minLength: 100, maxLength: 3_000 }),
  );
  const query = fc
    .array(fc.tuple(fc.constantFrom('credits', 'owner', 'reference', 'account', 'limit', 'before', 'format', 'x', ''), queryValue, fc.boolean()), { maxLength: 4 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v, raw]) => `${k}=${raw ? v.replace(/[\s#]/g, '') : encodeURIComponent(v)}`).join('&')}` : ''));
  // Queries a client of the route would send, each parameter right most of the time, fuzzed or left out otherwise.
  const param = (name: string, good: string[]) =>
    fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...good) }, { weight: 2, arbitrary: queryValue }, { weight: 2, arbitrary: fc.constant(undefined) }).map((v) => (v === undefined ? '' : `${name}=${encodeURIComponent(v)}`));
  const plausible = fc
    .tuple(fc.constantFrom(...paths), param('credits', ['500', '100', '1000']), param('owner', [keys[0]]), param('reference', [keys[1]]), param('limit', ['10', '50']), param('format', ['json', 'csv']))
    .map(([p, ...q]) => `${p}?${q.filter(Boolean).join('&')}`);
  const target = fc.oneof(
    { weight: 8, arbitrary: plausible },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...paths), query).map(([p, q]) => p + q) },
    { weight: 2, arbitrary: fc.constantFrom('//[', 'http://[', '%', '/%', '/%zz', '*', '//', '///', 'http://', 'https://x', 'http://x/api/pay?credits=500', '/\\..\\', '/?', '/#frag', '/%00', '/..%2f..', '/%E9', 'ftp://x/', '?x', '', '/?%', '/a b', '/\u00e9', '/\ud83d\ude00', '/%5B', '/[', '/]', '/{}', '/|', '/"') },
    { weight: 1, arbitrary: fc.integer({ min: 1_900, max: 20_000 }).map((n) => `/${'a'.repeat(n)}`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...paths), fc.integer({ min: 1_000, max: 10_000 })).map(([p, n]) => `${p}?credits=${'9'.repeat(n)}`) },
    { weight: 1, arbitrary: fc.webPath() },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => `/${Buffer.from(b).toString('latin1')}`) },
  );
  // Headers a client may well send, then ones that break framing or limits.
  const validHeader = fc.oneof(
    fc.constantFrom<[string, string]>(
      ['Content-Type', 'application/json'],
      ['Content-Type', 'text/plain; charset=latin1'],
      ['Content-Type', 'multipart/form-data; boundary=x'],
      ['Content-Encoding', 'gzip'],
      ['Expect', '100-continue'],
      ['Connection', 'close'],
      ['Connection', 'keep-alive'],
      ['Accept', 'text/html'],
      ['Accept', '*/*'],
      ['User-Agent', 'Mozilla/5.0'],
      ['Origin', 'https://evil.example'],
      ['Access-Control-Request-Method', 'POST'],
      ['Authorization', 'Bearer nope'],
      ['X-Forwarded-For', '1.2.3.4'],
      ['x-agent-wallet', '11111111111111111111111111111111'],
      ['x-agent-signature', '1'],
      ['x-agent-timestamp', '99999999999999999999'],
      ['x-agent-nonce', 'zzzzzzzzzzzz'],
      ['payment-signature', 'not-base64!'],
      ['payment-signature', Buffer.from('{"x402Version":2}').toString('base64')],
      ['X-Payment', 'e30='],
      ['Cookie', 'a=b'],
      ['Range', 'bytes=0-1'],
    ),
    fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/), fc.stringMatching(/^[\x20-\x7e]{0,60}$/)).map(([k, v]) => [`X-${k}`, v.trim()] as [string, string]),
  );
  const messyHeader = fc.oneof(
    fc.constantFrom<[string, string]>(
      ['Content-Length', '5'],
      ['Content-Length', '-1'],
      ['Content-Length', 'abc'],
      ['Content-Length', '99999999999999999999'],
      ['Content-Length', '1e3'],
      ['Content-Length', ' 7 '],
      ['Transfer-Encoding', 'chunked'],
      ['Transfer-Encoding', 'gzip, chunked'],
      ['Transfer-Encoding', 'chunked, gzip'],
      ['Transfer-Encoding', 'identity'],
      ['Transfer-Encoding', 'CHUNKED'],
      ['Transfer-Encoding', 'x'],
      ['Expect', 'tea'],
      ['Connection', 'Upgrade'],
      ['Upgrade', 'websocket'],
      ['Upgrade', 'h2c'],
    ),
    fc.tuple(fc.constantFrom('X-Big', 'Cookie', 'x-agent-wallet'), fc.integer({ min: 4_000, max: 20_000 })).map(([k, n]) => [k, 'b'.repeat(n)] as [string, string]),
    fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })),
  );
  const headers = fc.oneof(
    { weight: 6, arbitrary: fc.array(validHeader, { maxLength: 5 }) },
    { weight: 3, arbitrary: fc.array(fc.oneof(validHeader, messyHeader), { minLength: 1, maxLength: 6 }) },
    { weight: 1, arbitrary: fc.array(validHeader, { minLength: 50, maxLength: 200 }) },
  );
  const body = fc.oneof(
    { weight: 5, arbitrary: fc.constant(new Uint8Array()) },
    { weight: 3, arbitrary: fc.oneof(fc.constantFrom(...keys), fc.string(), fc.constant(null), fc.integer()).map((account) => Buffer.from(JSON.stringify({ account }))) },
    { weight: 2, arbitrary: fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }).map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 3_900, max: 6_000 }).map((n) => Buffer.from(JSON.stringify({ account: 'x'.repeat(n) }))) },
  );
  return fc.record({
    method: fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom('GET', 'POST', 'GET', 'POST', 'GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'TRACE') },
      { weight: 1, arbitrary: fc.constantFrom('CONNECT', 'PROPFIND', 'PURGE', 'QUERY', 'get', 'G ET', 'G\u00c9T', '', 'M-SEARCH', 'SOURCE') },
      { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,12}$/) },
    ),
    target,
    version: fc.oneof({ weight: 25, arbitrary: fc.constant('HTTP/1.1') }, { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.1x', '', 'http/1.1', 'HTTP/1.2') }),
    host: fc.oneof({ weight: 10, arbitrary: fc.constant('one' as const) }, { weight: 1, arbitrary: fc.constantFrom('none' as const, 'two' as const) }),
    headers,
    body,
    framing: fc.oneof(
      { weight: 12, arbitrary: fc.constant('length' as const) },
      { weight: 3, arbitrary: fc.constant('chunked' as const) },
      { weight: 1, arbitrary: fc.constantFrom('chunked-bad' as const, 'none' as const, 'both' as const) },
      { weight: 1, arbitrary: fc.constant('short' as const) },
    ),
    sign: fc.oneof({ weight: 1, arbitrary: fc.constant('no' as const) }, { weight: 1, arbitrary: fc.constantFrom('alice' as const, 'stranger' as const) }),
  });
}

/** The request's bytes: what a client of any quality might send. */
function assemble(r: FuzzRequest, extra: [string, string][]): Buffer {
  const head: string[] = [`${r.method} ${r.target}${r.version ? ` ${r.version}` : ''}`];
  if (r.host !== 'none') head.push('Host: 127.0.0.1');
  if (r.host === 'two') head.push('Host: other.example');
  for (const [k, v] of [...extra, ...r.headers]) head.push(`${k}: ${v}`);
  const body = Buffer.from(r.body);
  let payload = body;
  if (r.framing === 'length' && (body.length || r.method === 'POST')) head.push(`Content-Length: ${body.length}`);
  if (r.framing === 'short') head.push(`Content-Length: ${body.length + 10}`);
  if (r.framing === 'both') head.push(`Content-Length: ${body.length}`, 'Transfer-Encoding: chunked');
  if (r.framing === 'chunked' || r.framing === 'both') {
    head.push('Transfer-Encoding: chunked');
    const parts: Buffer[] = [];
    for (let i = 0; i < body.length; i += 1_000) {
      const part = body.subarray(i, i + 1_000);
      parts.push(Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n'));
    }
    payload = Buffer.concat([...parts, Buffer.from('0\r\n\r\n')]);
  }
  if (r.framing === 'chunked-bad') {
    head.push('Transfer-Encoding: chunked');
    payload = Buffer.concat([Buffer.from('zz\r\n'), body, Buffer.from('\r\n0\r\n\r\n')]);
  }
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

/** Runs `work` over `items` with at most `n` in flight. */
async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

/** Sends `bytes` a few at a time, `everyMs` apart, until the server closes; resolves with what it sent back and when it closed. */
function slowClient(port: number, bytes: string, everyMs: number): Promise<{ text: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let at = 0;
    const timer = setInterval(() => {
      if (socket.writable && at < bytes.length) socket.write(bytes[at++]);
    }, everyMs);
    socket.on('data', (d) => (text += d));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ text, ms: Date.now() - started });
    });
  });
}

describe('HTTP fuzzing of the three public servers (raw sockets)', () => {
  let s: Servers;
  let alice: KeyPairSigner;
  let strangers: KeyPairSigner[];
  const counts: Record<string, number> = {};
  beforeAll(async () => {
    s = await startServers({ http: LIMITS });
    // x402 warns on every payment header it cannot decode; the fuzz sends hundreds.
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    // The paywall's host runs with the same short limits (startServers applies them).
    alice = await createKeyPairSignerFromBytes(s.alice.secretKey);
    strangers = await Promise.all(Array.from({ length: 4 }, () => generateKeyPairSigner()));
  });
  afterAll(async () => {
    console.log(`http fuzz (seed ${SEED}): ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    vi.restoreAllMocks();
    await s?.close();
  });

  const servers: ServerName[] = ['topUp', 'operator', 'api'];

  it('answers thousands of generated requests with well-formed answers, no 500, one error body, and keeps serving', async () => {
    const alicePk = s.alice.publicKey.toBase58();
    const keys = [alicePk, Keypair.generate().publicKey.toBase58(), findCreditAccountPda(s.alice.publicKey)[0].toBase58(), '11111111111111111111111111111111', 'So11111111111111111111111111111111111111112', `${'1'.repeat(64)}`, '3'.repeat(88)];
    const paths: Record<ServerName, string[]> = {
      topUp: ['/api/pay', '/api/pay', '/api/topup', '/api/status', '/api/balance', '/topup', '/topup.js', '/topup.css', '/icon.svg', '/favicon.ico', '/', '/api', '/api/pay/'],
      operator: ['/healthz', '/metrics', `/v1/account/${alicePk}`, `/v1/account/${alicePk}/transactions`, `/v1/account/${keys[2]}`, '/v1/account/', '/v1/account/%ZZ', '/v1/account/nope/transactions', '/'],
      api: ['/v1/infer', '/v1/infer', '/', '/v1/infer/x'],
    };
    const heapBefore = (gc(), process.memoryUsage().heapUsed);
    const failures: string[] = [];
    for (const [i, name] of servers.entries()) {
      const samples = fc.sample(requests(paths[name], keys), { seed: SEED + i, numRuns: RUNS });
      const port = s[name].port;
      let sent = 0;
      await pool(samples, IN_FLIGHT, async (r) => {
        const extra: [string, string][] = [];
        if (name === 'api' && r.sign !== 'no' && r.target.startsWith('/') && !r.target.startsWith('//')) {
          const signer = r.sign === 'alice' ? alice : strangers[r.target.length % strangers.length];
          extra.push(...Object.entries(await signAgentRequest(signer, r.method, r.target)));
          if (r.body.length % 3 === 0) extra.push(['payment-signature', encodePaymentSignatureHeader({ x402Version: 2, accepted: { scheme: 'exact', network: NETWORK, asset: keys[1], amount: '1', payTo: keys[0], maxTimeoutSeconds: 60, extra: {} }, payload: { transaction: 'AQ==' } })]);
        }
        const bytes = assemble(r, extra);
        const answer = await rawRequest(port, bytes, { head: r.method === 'HEAD', timeoutMs: 5_000 });
        sent++;
        const problem = check(name, r, answer);
        const key = `${name} ${answer.status ?? (answer.closed ? 'closed' : 'none')}${/"error":"(\w+)"/.exec(answer.body.toString())?.[1]?.replace(/^/, ' ') ?? ''}`;
        counts[key] = (counts[key] ?? 0) + 1;
        if (problem) failures.push(`${name}: ${problem}\n  request: ${JSON.stringify(bytes.subarray(0, 300).toString('latin1'))}\n  answer: ${JSON.stringify(answer.raw.subarray(0, 300).toString('latin1'))}`);
      });
      counts[`${name} requests`] = sent;
    }
    expect(failures.slice(0, 10), `${failures.length} failures`).toEqual([]);

    // Every server still answers a normal request
    await expectServing();
    gc();
    const grown = process.memoryUsage().heapUsed - heapBefore;
    console.log(`http fuzz: heap grew ${(grown / 1024 / 1024).toFixed(1)} MB over ${servers.length * RUNS} requests`);
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    expect(s.logs.filter((l) => /internal error|upstream failed/.test(l))).toEqual([]);
  }, 120_000);

  it('cuts off slow clients that dribble their headers, and survives half-closed ones', async () => {
    const request = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'a'.repeat(200) + '\r\n\r\n';
    const slow = await Promise.all(servers.flatMap((name) => Array.from({ length: 10 }, () => slowClient(s[name].port, request, 40).then((r) => ({ name, ...r })))));
    for (const r of slow) {
      // The headers timeout (1 s, checked every 100 ms) ends each, with a 408
      expect(r.ms, r.name).toBeLessThan(2_500);
      expect(r.text, r.name).toMatch(/^HTTP\/1\.1 408 /);
      if (r.name !== 'api') expect(r.text, r.name).toContain('"error":"request_timeout"');
    }
    counts['slow clients'] = slow.length;

    // Half-closed: a request cut anywhere, then FIN; or a whole one, then FIN at once
    const whole = 'POST /api/pay?credits=500 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n' + JSON.stringify({ account: Keypair.generate().publicKey.toBase58() }).padEnd(60);
    const cuts = fc.sample(fc.integer({ min: 0, max: whole.length }), { seed: SEED, numRuns: 60 });
    let halfClosed = 0;
    for (const name of servers) {
      await pool(cuts, IN_FLIGHT, async (cut) => {
        const answer = await rawRequest(s[name].port, whole.slice(0, cut), { halfClose: true, timeoutMs: 4_000 });
        halfClosed++;
        expect(answer.timedOut, `${name} cut at ${cut}`).toBe(false);
        if (answer.raw.length) expect(answer.statusLine, `${name} cut at ${cut}`).toMatch(STATUS_LINE);
        if (answer.status) expect(answer.status, `${name} cut at ${cut}`).toBeLessThan(500);
      });
    }
    counts['half-closed clients'] = halfClosed;
    await expectServing();
  }, 60_000);

  async function expectServing() {
    expect((await fetch(`${s.topUp.url}/api/pay?credits=500`)).status).toBe(200);
    expect((await fetch(`${s.operator.url}/v1/account/${s.alice.publicKey.toBase58()}`)).status).toBe(200);
    expect((await fetch(`${s.api.url}/v1/infer`)).status).toBe(401);
  }
});

/** What is wrong with `answer` to `r` from server `name`, or undefined. */
function check(name: ServerName, r: FuzzRequest, answer: RawAnswer): string | undefined {
  const ours = name !== 'api';
  if (!answer.raw.length) {
    // node drops a CONNECT nobody listens for; the paywall's host is plain node:http (ours answer it)
    if (!ours && r.method === 'CONNECT') return undefined;
    return answer.timedOut ? 'no answer within 5 s' : 'closed without an answer';
  }
  if (!answer.statusLine || !STATUS_LINE.test(answer.statusLine)) return `malformed status line ${JSON.stringify(answer.statusLine)}`;
  if (answer.status === undefined || answer.timedOut) return 'incomplete answer';
  if (answer.status >= 500) return `status ${answer.status}`;
  const type = answer.headers['content-type'] ?? '';
  const empty = answer.body.length === 0;
  if (r.method === 'HEAD' || answer.status === 204 || (answer.status < 400 && !type.startsWith('application/json'))) return undefined;
  // node's own bare 400/408/417/431 in the paywall's host (the paywall always sends a content type)
  if (empty && !ours && answer.status >= 400 && !type) return undefined;
  if (!ours && type.startsWith('text/html')) return undefined; // x402's paywall page for a browser
  let body: unknown;
  try {
    body = JSON.parse(answer.body.toString('utf8'));
  } catch {
    return `body is not JSON (${type})`;
  }
  const b = body as Record<string, unknown>;
  if (answer.status >= 400 && !(typeof b.error === 'string' && ERROR_CODE.test(b.error) && typeof b.message === 'string' && b.message.length > 0)) return 'not the error body';
  const bad = keysOf(body).find((k) => !CAMEL.test(k));
  if (bad) return `key ${bad} is not camelCase`;
  return undefined;
}
