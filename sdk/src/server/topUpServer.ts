// The Solana Pay transaction-request server and the top-up page, on Node's
// http module.
//
//   GET  /api/pay?credits=N[&reference=R]          {label, icon}
//   POST /api/pay?credits=N[&reference=R] {account} {transaction, message}:
//        opens the account's credit account if needed and purchases N
//        credits from its USDC ATA; R (or a fresh key) rides on the purchase
//   GET  /api/topup?owner=W&credits=N   the offer: price, one reference, the
//        transaction-request link and QR, and the transfer link and QR only
//        when W's credit account is open (a transfer to a missing vault fails)
//   GET  /api/status?owner=W&reference=R&credits=N   pending | received
//   GET  /api/balance?owner=W           available, locked, USDC value, spending limit
//   GET  /topup[?owner=W]               the page (./page/), /topup.js, /topup.css
//   GET  /icon.svg, /favicon.ico        the icon wallets and browsers show
//
// Every /api route answers CORS preflights (browser-based wallets call
// /api/pay cross-origin); a wrong method gets 405 with `Allow`. Links are
// built only from `publicUrl` (or, without it, the address the request
// arrived on), never from the Host header. The config is re-read after
// `configTtlMs`, so a raised minimum is followed. Bad input gets a 4xx with
// {message} and no transaction.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { encodeURL, FindReferenceError } from '@solana/pay';
import { Keypair, PublicKey } from '@solana/web3.js';
import QRCode from 'qrcode';
import type { JobEscrowClient } from '../client.js';
import type { Config } from '../accounts/index.js';
import { creditsToUsdc } from '../core/pricing.js';
import { maxTopUpCredits, parseTopUpCredits } from '../core/topUp.js';
import { createTopUpUrl, findTopUp, validateTopUp, ValidateTopUpError } from '../pay/index.js';
import { ICON_SVG, PAGE_CSS, topUpPage, type PageConfig } from './page/html.js';

export interface TopUpServerOptions {
  /** Reads chain state (config, accounts, blockhash); its wallet signs nothing. */
  client: JobEscrowClient;
  label?: string;
  /** An absolute URL of a square icon (SVG, PNG or WebP), per the Solana Pay spec. Default: this server's /icon.svg. */
  icon?: string;
  /**
   * Public origin used in every link it advertises, e.g.
   * "https://pay.example.com" (wallets follow only https links). Default:
   * the address the request arrived on (local use), never the Host header.
   */
  publicUrl?: string;
  /** The largest top-up offered, in credits (default 1,000,000: $10,000 at the default price). */
  maxCredits?: bigint;
  /** How long the program's config is trusted before it is read again (default 30 s). */
  configTtlMs?: number;
  /** The chain browser wallets sign for (default "solana:mainnet"; "solana:devnet", "solana:localnet"). */
  chain?: string;
}

const MAX_BODY = 4 * 1024;
const API_METHODS: Record<string, string> = { '/api/pay': 'GET, POST, OPTIONS', '/api/topup': 'GET, OPTIONS', '/api/status': 'GET, OPTIONS', '/api/balance': 'GET, OPTIONS' };
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'content-type, accept',
  'access-control-max-age': '86400',
};
/** The page loads its own script, style and icon, shows data: QR images and calls only this server. */
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json', extra: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra };
  if (status === 413) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        // Stop reading; the 413 goes out and the connection closes after it.
        req.pause();
        reject(new HttpError(413, `body larger than ${MAX_BODY} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function publicKeyParam(value: unknown, name: string): PublicKey {
  if (typeof value !== 'string' || !/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(value)) throw new HttpError(400, `${name} is not a valid public key`);
  try {
    return new PublicKey(value);
  } catch {
    throw new HttpError(400, `${name} is not a valid public key`);
  }
}

/** The browser bundle of the page (built by tsup into dist/; from the sources, sdk/dist is read). */
function pageScript(): string {
  for (const candidate of ['./topup-page.js', '../topup-page.js', '../../dist/topup-page.js']) {
    try {
      return readFileSync(new URL(candidate, import.meta.url), 'utf8');
    } catch {
      /* next */
    }
  }
  throw new Error('the top-up page bundle (dist/topup-page.js) is missing: build the SDK (npm run build in sdk/)');
}

/** Creates (does not start) the server; `listen` it yourself. */
export function createTopUpServer(options: TopUpServerOptions): Server {
  const { client } = options;
  const label = options.label ?? 'Compute credits';
  const maxCredits = options.maxCredits ?? 1_000_000n;
  const ttl = options.configTtlMs ?? 30_000;
  const chain = options.chain ?? 'solana:mainnet';
  let script: string | undefined;
  /** The program's config, re-read once it is older than the TTL. */
  const config = () => client.config({ maxAgeMs: ttl });

  async function creditsParam(value: string | null): Promise<{ credits: bigint; amount: bigint; config: Config }> {
    const c = await config();
    try {
      return { ...parseTopUpCredits(value ?? '', { ...c, maxPurchaseCredits: maxCredits }), config: c };
    } catch (err) {
      throw new HttpError(400, (err as Error).message);
    }
  }

  function baseOf(req: IncomingMessage): string {
    if (options.publicUrl) return options.publicUrl;
    const { localAddress = '127.0.0.1', localPort } = req.socket;
    const address = localAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, ''); // an IPv4 client on a dual-stack socket
    return `http://${address.includes(':') ? `[${address}]` : address}:${localPort}`;
  }

  function transactionRequestUrl(base: string, credits: bigint, reference: PublicKey): URL {
    const link = new URL(`/api/pay?credits=${credits}&reference=${reference.toBase58()}`, base);
    return encodeURL({ link, label, message: `Buy ${credits} credits` });
  }

  async function buildPurchase(account: PublicKey, credits: bigint, pricePerCredit: bigint, reference: PublicKey) {
    const { ixs, units } = await client.purchaseInstructions({ owner: account, credits });
    // Solana Pay references ride as extra read-only keys of the purchase; the program ignores them.
    ixs[ixs.length - 1].keys.push({ pubkey: reference, isSigner: false, isWritable: false });
    const tx = client.transaction(ixs, units);
    tx.feePayer = account;
    tx.recentBlockhash = (await client.connection.getLatestBlockhash('confirmed')).blockhash;
    const transaction = tx.serialize({ requireAllSignatures: false, verifySignatures: false }).toString('base64');
    return { transaction, message: `Buy ${credits} credits for ${creditsToUsdc(credits, pricePerCredit)} USDC` };
  }

  /** What the page shows of an owner: the balance and the spending limit the owner set (0: none). */
  async function balanceOf(owner: PublicKey) {
    const account = await client.creditAccount({ owner });
    if (!account) return { open: false, available: '0', locked: '0', usdc: '0', maxCreditsPerJob: '0', dailyLimitCredits: '0' };
    const b = await client.getBalance({ owner });
    return {
      open: true,
      available: b.available.toString(),
      locked: b.locked.toString(),
      usdc: b.usdcValue,
      maxCreditsPerJob: account.maxCreditsPerJob.toString(),
      dailyLimitCredits: account.dailyLimitCredits.toString(),
    };
  }

  const qr = (u: URL) => QRCode.toDataURL(String(u), { errorCorrectionLevel: 'M', margin: 2, width: 320 });

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local');
    const methods = API_METHODS[url.pathname];
    if (methods) {
      if (req.method === 'OPTIONS') return send(res, 204, '', 'text/plain', { ...CORS, 'access-control-allow-methods': methods, allow: methods });
      if (!methods.split(', ').includes(req.method ?? '')) throw new HttpError(405, `use ${methods.replace(', OPTIONS', '').replace(', ', ' or ')}`, { allow: methods });
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, 'use GET', { allow: 'GET, HEAD' });
    }
    const base = baseOf(req);

    if (url.pathname === '/api/pay') {
      const { credits, config: c } = await creditsParam(url.searchParams.get('credits'));
      const ref = url.searchParams.get('reference');
      const reference = ref ? publicKeyParam(ref, 'reference') : Keypair.generate().publicKey;
      if (req.method === 'GET') return send(res, 200, { label, icon: options.icon ?? new URL('/icon.svg', base).toString() }, 'application/json', CORS);
      let body: { account?: unknown };
      try {
        body = JSON.parse(await readBody(req));
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw new HttpError(400, 'the body must be JSON: {"account": "<public key>"}');
      }
      const account = publicKeyParam(body?.account, 'account');
      return send(res, 200, await buildPurchase(account, credits, c.pricePerCredit, reference), 'application/json', CORS);
    }
    if (url.pathname === '/api/topup') {
      const owner = publicKeyParam(url.searchParams.get('owner'), 'owner');
      const { credits, config: c } = await creditsParam(url.searchParams.get('credits'));
      const open = (await client.creditAccount({ owner })) !== null;
      const transfer = createTopUpUrl({ owner, credits, label, message: `Top up ${credits} credits` }, { config: c, programId: client.programId });
      const request = transactionRequestUrl(base, credits, transfer.reference);
      return send(
        res,
        200,
        {
          credits: credits.toString(),
          usdc: creditsToUsdc(credits, c.pricePerCredit),
          reference: transfer.reference.toBase58(),
          open,
          transactionUrl: String(request),
          transactionQr: await qr(request),
          ...(open ? { transferUrl: String(transfer.url), transferQr: await qr(transfer.url) } : {}),
        },
        'application/json',
        CORS,
      );
    }
    if (url.pathname === '/api/status') {
      const owner = publicKeyParam(url.searchParams.get('owner'), 'owner');
      const reference = publicKeyParam(url.searchParams.get('reference'), 'reference');
      const { amount, config: c } = await creditsParam(url.searchParams.get('credits'));
      let signature: string;
      try {
        signature = (await findTopUp(client.connection, reference)).signature;
      } catch (err) {
        if (err instanceof FindReferenceError) return send(res, 200, { status: 'pending' }, 'application/json', CORS);
        throw err;
      }
      try {
        const paid = await validateTopUp(client.connection, signature, { owner, amount, reference, config: c, programId: client.programId });
        return send(res, 200, { status: 'received', signature, credits: paid.credits.toString(), ...(await balanceOf(owner)) }, 'application/json', CORS);
      } catch (err) {
        if (err instanceof ValidateTopUpError) return send(res, 200, { status: 'invalid', signature, message: err.message }, 'application/json', CORS);
        throw err;
      }
    }
    if (url.pathname === '/api/balance') {
      const owner = publicKeyParam(url.searchParams.get('owner'), 'owner');
      return send(res, 200, await balanceOf(owner), 'application/json', CORS);
    }
    if (url.pathname === '/topup') {
      const owner = url.searchParams.get('owner');
      if (owner) publicKeyParam(owner, 'owner');
      const c = await config();
      const page: PageConfig = {
        label,
        chain,
        minCredits: c.minPurchaseCredits.toString(),
        maxCredits: maxTopUpCredits({ ...c, maxPurchaseCredits: maxCredits }).toString(),
        pricePerCredit: c.pricePerCredit.toString(),
      };
      return send(res, 200, topUpPage(page), 'text/html; charset=utf-8', { 'content-security-policy': PAGE_CSP, 'referrer-policy': 'no-referrer' });
    }
    if (url.pathname === '/topup.js') return send(res, 200, (script ??= pageScript()), 'text/javascript; charset=utf-8', { 'cache-control': 'public, max-age=300' });
    if (url.pathname === '/topup.css') return send(res, 200, PAGE_CSS, 'text/css; charset=utf-8', { 'cache-control': 'public, max-age=300' });
    if (url.pathname === '/icon.svg' || url.pathname === '/favicon.ico') return send(res, 200, ICON_SVG, 'image/svg+xml', { 'cache-control': 'public, max-age=86400' });
    throw new HttpError(404, `no route for ${url.pathname}`);
  }

  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const cors = API_METHODS[new URL(req.url ?? '/', 'http://local').pathname] ? CORS : {};
      if (err instanceof HttpError) send(res, err.status, { message: err.message }, 'application/json', { ...cors, ...err.headers });
      else send(res, 500, { message: 'internal error' }, 'application/json', cors);
    });
  });
}
