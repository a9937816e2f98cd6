// The operator's HTTP API on node:http (four GET routes need no framework):
//   GET /v1/account/<wallet>                          balance (one getMultipleAccounts + the index)
//   GET /v1/account/<wallet>/transactions?limit&before[&format=csv]
//   GET /healthz, GET /metrics (Prometheus text)
// Optional bearer API key (not on /healthz), a per-client rate limit, and
// refusal of request bodies and long URLs; every error is JSON `{ error }`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { PublicKey } from '@solana/web3.js';
import type { JobEscrowClient } from '../client.js';
import { formatUnits } from '../core/pricing.js';
import { isoTime } from '../core/time.js';
import { AccountNotFoundError } from '../errors.js';
import type { OperatorDb, StoredEntry } from './db.js';
import type { OperatorMetrics } from './metrics.js';

export interface ApiOptions {
  client: JobEscrowClient;
  db: OperatorDb;
  metrics: OperatorMetrics;
  /** Required as `Authorization: Bearer <key>` on /v1 and /metrics when set. */
  apiKey?: string;
  /** Requests per client address per second (token bucket; default 20, burst 40). */
  ratePerSecond?: number;
  health: () => Record<string, unknown>;
}

const MAX_URL = 2_048;
const MAX_LIMIT = 500;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function entryJson(e: StoredEntry) {
  return {
    type: e.kind,
    credits: e.credits.toString(),
    usdc: formatUnits(e.usdc),
    balance_after: e.availableAfter.toString(),
    time: isoTime(e.blockTime),
    job_id: e.jobId,
    signature: e.signature,
  };
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function createOperatorApi(o: ApiOptions): Server {
  const rate = o.ratePerSecond ?? 20;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const allow = (who: string) => {
    const now = Date.now();
    const b = buckets.get(who) ?? { tokens: rate * 2, at: now };
    b.tokens = Math.min(rate * 2, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    buckets.set(who, b);
    return true;
  };

  const wallet = (text: string) => {
    try {
      const key = new PublicKey(decodeURIComponent(text));
      if (key.toBase58() !== decodeURIComponent(text)) throw new Error('not canonical');
      return key;
    } catch {
      throw new HttpError(400, `not a wallet address: ${text}`);
    }
  };

  async function account(owner: PublicKey) {
    const b = await o.client.getBalance({ owner });
    return {
      wallet: owner.toBase58(),
      credit_account: b.creditAccount.toBase58(),
      credits_remaining: b.available.toString(),
      locked: b.locked.toString(),
      withdrawable: b.withdrawable.toString(),
      promo_credits: b.promo.toString(),
      promo_expires_at: isoTime(b.promoExpiresAt),
      usdc_value: b.usdcValue,
      open_jobs: b.openJobs,
      last_topup_at: isoTime(o.db.lastTopUpAt(owner.toBase58())),
      lifetime: { purchased: b.purchased.toString(), granted: b.granted.toString(), charged: b.charged.toString(), expired: b.expired.toString(), withdrawn: b.withdrawn.toString() },
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if ((req.url ?? '').length > MAX_URL) throw new HttpError(414, 'URL too long');
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'only GET');
    if (Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding']) throw new HttpError(413, 'requests carry no body');
    if (!allow(req.socket.remoteAddress ?? '?')) {
      res.setHeader('retry-after', '1');
      throw new HttpError(429, 'too many requests');
    }
    const url = new URL(req.url ?? '/', 'http://operator');
    if (url.pathname === '/healthz') return send(res, 200, o.health());
    if (o.apiKey && req.headers.authorization !== `Bearer ${o.apiKey}`) throw new HttpError(401, 'missing or wrong API key (Authorization: Bearer <key>)');
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': o.metrics.registry.contentType });
      res.end(await o.metrics.registry.metrics());
      return;
    }
    const m = /^\/v1\/account\/([^/]+)(\/transactions)?$/.exec(url.pathname);
    if (!m) throw new HttpError(404, `no route ${url.pathname}`);
    const owner = wallet(m[1]);
    if (!m[2]) {
      try {
        return send(res, 200, await account(owner));
      } catch (err) {
        if (err instanceof AccountNotFoundError) throw new HttpError(404, `no credit account for ${owner.toBase58()}`);
        throw err;
      }
    }
    const limitText = url.searchParams.get('limit') ?? '50';
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_LIMIT) throw new HttpError(400, `limit must be 1 to ${MAX_LIMIT}`);
    const before = url.searchParams.get('before') ?? undefined;
    if (before !== undefined && !/^[1-9A-HJ-NP-Za-km-z]{64,88}$/.test(before)) throw new HttpError(400, 'before must be a transaction signature');
    const format = url.searchParams.get('format') ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new HttpError(400, 'format must be json or csv');
    const rows = o.db.entries(owner.toBase58(), { limit: Number(limitText), before }).map(entryJson);
    if (format === 'csv') {
      const header = ['time', 'type', 'job_id', 'credits', 'usdc', 'balance_after', 'signature'];
      const text = [header.join(','), ...rows.map((r) => header.map((h) => csvCell(r[h as keyof typeof r])).join(','))].join('\n') + '\n';
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${owner.toBase58()}.csv"` });
      res.end(text);
      return;
    }
    return send(res, 200, { wallet: owner.toBase58(), transactions: rows, next_before: rows.length === Number(limitText) ? rows[rows.length - 1].signature : null });
  }

  function send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) return res.end();
      if (err instanceof HttpError) return send(res, err.status, { error: err.message });
      o.metrics.rpcErrors.inc({ part: 'api' });
      send(res, 502, { error: `upstream RPC failed: ${(err as Error)?.message ?? String(err)}` });
    });
  });
}
