// The operator's HTTP API on node:http (five GET routes need no framework):
//   GET /v1/account/<wallet>                          balance (one getMultipleAccounts + the index)
//   GET /v1/account/<wallet>/transactions?limit&before=<entry id>[&format=csv]
//   GET /v1/account/<wallet>/jobs                     jobs in flight (the credit account's job slots)
//   GET /healthz, GET /metrics (Prometheus text)
// Optional bearer API key (not on /healthz), a per-client rate limit, and
// refusal of request bodies and long URLs. HTTP, timeouts, the rate limiter
// and the error body `{ error, message }` are ../http/; every JSON key is
// camelCase (docs/http.md).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { PublicKey } from '@solana/web3.js';
import type { JobEscrowClient } from '../client.js';
import { historyCsv } from '../core/csv.js';
import { formatUnits } from '../core/pricing.js';
import { isoTime } from '../core/time.js';
import { openJobsOf, type OpenJob } from '../accounts/index.js';
import { AccountNotFoundError } from '../errors.js';
import { HttpError, RateLimiter, UpstreamError, allowMethods, badRequest, createHttpServer, logToStderr, noRoute, parseTarget, publicKeyParam, quoted, send, sendJson, type HttpServerOptions } from '../http/index.js';
import type { OperatorStore, StoredEntry } from './store/index.js';
import type { OperatorMetrics } from './metrics.js';

/** Compares a presented secret in constant time (both hashed first, so their lengths do not leak either). */
function sameSecret(presented: string | undefined, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented ?? ''), digest(expected));
}

export interface ApiOptions {
  client: JobEscrowClient;
  store: OperatorStore;
  metrics: OperatorMetrics;
  /** Required as `Authorization: Bearer <key>` on /v1 and /metrics when set. */
  apiKey?: string;
  /** Requests per client address per second (token bucket; default 20, burst 40). */
  ratePerSecond?: number;
  /** Client addresses the rate limiter remembers at most (default 10,000; the least recently seen is forgotten). */
  rateLimitClients?: number;
  health: () => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Where internal errors and RPC failures are reported (default: stderr). */
  log?: (line: string) => void;
  /** Timeouts and limits of the HTTP server (defaults: ../http/server.ts). */
  http?: Omit<HttpServerOptions, 'log'>;
}

const MAX_LIMIT = 500;
/** Client text quoted in a message, cut short. */

function entryJson(e: StoredEntry) {
  return {
    id: e.id,
    type: e.kind,
    credits: e.credits.toString(),
    usdc: formatUnits(e.usdc),
    balanceAfter: e.availableAfter.toString(),
    time: isoTime(e.blockTime),
    jobId: e.jobId,
    signature: e.signature,
  };
}

/** A job in flight: named by its credit account (the response's) and its id. */
function jobJson(j: OpenJob) {
  return {
    jobId: j.jobId.toString(),
    slot: j.slot,
    tier: j.tier,
    maxOutputTokens: j.maxOutputTokens,
    creditsLocked: j.creditsLocked.toString(),
    lockedAt: isoTime(j.lockedAt),
    expiresAt: isoTime(j.expiresAt),
  };
}

export function createOperatorApi(o: ApiOptions): Server {
  /** A read of the store; a store that cannot answer (Postgres restarting) is a 503 the client may retry, not a 500. */
  const storeRead = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch {
      o.metrics.storeErrors.inc();
      throw new HttpError(503, 'store_unavailable', 'The operator\'s database is not answering; retry shortly.', { headers: { 'retry-after': '1' } });
    }
  };
  const limiter = new RateLimiter({ ratePerSecond: o.ratePerSecond ?? 20, maxClients: o.rateLimitClients });
  const log = o.log ?? logToStderr;

  /** The wallet a path names (a credit account's owner: any public key, PDAs included). */
  const wallet = (segment: string) => {
    try {
      return publicKeyParam(decodeURIComponent(segment), 'wallet');
    } catch {
      throw badRequest(`Not a wallet address: ${quoted(segment)}.`);
    }
  };

  async function account(owner: PublicKey) {
    let b: Awaited<ReturnType<JobEscrowClient['getBalance']>>;
    try {
      b = await o.client.getBalance({ owner });
    } catch (err) {
      if (err instanceof AccountNotFoundError) throw new HttpError(404, 'not_found', `No credit account for ${owner.toBase58()}.`);
      o.metrics.rpcErrors.inc({ part: 'api' });
      throw new UpstreamError(err);
    }
    return {
      wallet: owner.toBase58(),
      creditAccount: b.creditAccount.toBase58(),
      creditsRemaining: b.available.toString(),
      locked: b.locked.toString(),
      withdrawable: b.withdrawable.toString(),
      promoCredits: b.promo.toString(),
      promoExpiresAt: isoTime(b.promoExpiresAt),
      usdcValue: b.usdcValue,
      openJobs: b.openJobs,
      lastTopUpAt: isoTime(await storeRead(() => o.store.lastTopUpAt(owner.toBase58()))),
      lifetime: { purchased: b.purchased.toString(), granted: b.granted.toString(), charged: b.charged.toString(), expired: b.expired.toString(), withdrawn: b.withdrawn.toString() },
    };
  }

  async function jobs(owner: PublicKey) {
    let credit: Awaited<ReturnType<JobEscrowClient['creditAccount']>>;
    try {
      credit = await o.client.creditAccount({ owner });
    } catch (err) {
      o.metrics.rpcErrors.inc({ part: 'api' });
      throw new UpstreamError(err);
    }
    if (!credit) throw new HttpError(404, 'not_found', `No credit account for ${owner.toBase58()}.`);
    const open = openJobsOf(credit).sort((a, b) => (a.expiresAt < b.expiresAt ? -1 : a.expiresAt > b.expiresAt ? 1 : 0));
    return {
      wallet: owner.toBase58(),
      creditAccount: (await o.client.addresses({ owner })).creditAccount.toBase58(),
      jobSlots: credit.jobSlots.length,
      jobs: open.map(jobJson),
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path, query } = parseTarget(req);
    allowMethods(req, res, ['GET', 'HEAD']);
    if (Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding']) throw new HttpError(413, 'payload_too_large', 'Requests to this API carry no body.', { close: true });
    limiter.take(req);
    if (path === '/healthz') return sendJson(res, 200, await o.health());
    if (o.apiKey && !sameSecret(req.headers.authorization, `Bearer ${o.apiKey}`)) throw new HttpError(401, 'unauthorized', 'Missing or wrong API key (Authorization: Bearer <key>).');
    if (path === '/metrics') return send(res, 200, await o.metrics.registry.metrics(), o.metrics.registry.contentType);
    const m = /^\/v1\/account\/([^/]+)(\/transactions|\/jobs)?$/.exec(path);
    if (!m) throw noRoute(path);
    const owner = wallet(m[1]);
    if (!m[2]) return sendJson(res, 200, await account(owner));
    if (m[2] === '/jobs') return sendJson(res, 200, await jobs(owner));
    const limitText = query.get('limit') ?? '50';
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_LIMIT) throw badRequest(`The limit must be a whole number from 1 to ${MAX_LIMIT}.`);
    const before = query.get('before') ?? undefined;
    if (before !== undefined && !/^[1-9A-HJ-NP-Za-km-z]{64,88}(:\d{1,9})?$/.test(before)) throw badRequest('The before parameter must be an entry id (<signature>:<position>, as nextBefore gives) or a transaction signature.');
    const format = query.get('format') ?? 'json';
    if (format !== 'json' && format !== 'csv') throw badRequest('The format must be json or csv.');
    const entries = await storeRead(() => o.store.entries(owner.toBase58(), { limit: Number(limitText), before }));
    const rows = entries.map(entryJson);
    if (format === 'csv') {
      // The SDK's history CSV, column for column (core/csv.ts).
      return send(res, 200, historyCsv(entries), 'text/csv; charset=utf-8', { 'content-disposition': `attachment; filename="${owner.toBase58()}.csv"` });
    }
    return sendJson(res, 200, { wallet: owner.toBase58(), transactions: rows, nextBefore: rows.length === Number(limitText) ? rows[rows.length - 1].id : null });
  }

  return createHttpServer(route, { ...o.http, log });
}
