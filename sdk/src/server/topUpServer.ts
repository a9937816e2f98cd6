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
// HTTP, errors, CORS, methods, limits and timeouts are ../http/ (one error
// body, camelCase keys: docs/http.md). Every /api route answers CORS
// preflights (browser-based wallets call /api/pay cross-origin); a wrong
// method gets 405 with `Allow`. Links are built only from `publicUrl` (or,
// without it, the address the request arrived on), never from the Host
// header. The config is re-read after `configTtlMs`, so a raised minimum is
// followed. Bad input gets a 4xx with the error body and no transaction; an
// RPC failure a 502. The QR codes are SVG (a PNG costs about 20 ms of CPU to
// draw, an unauthenticated request must not).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { encodeURL, FindReferenceError } from '@solana/pay';
import { PublicKey } from '@solana/web3.js';
import type { JobEscrowClient } from '../client.js';
import { readAccountInfo, type Config } from '../accounts/index.js';
import { creditsToUsdc } from '../core/pricing.js';
import { maxTopUpCredits, parseTopUpCredits } from '../core/topUp.js';
import { RateLimiter, allowMethods, badRequest, createHttpServer, logToStderr, noRoute, parseTarget, publicKeyParam, readJson, send, sendJson, upstream, type HttpServerOptions } from '../http/index.js';
import { createTopUpQr, createTopUpUrl, findTopUp, validateTopUp, ValidateTopUpError } from '../pay/index.js';
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
  /** Where internal errors and RPC failures are reported (default: stderr). */
  log?: (line: string) => void;
  /** Timeouts and limits of the HTTP server (defaults: ../http/server.ts). */
  http?: Omit<HttpServerOptions, 'log'>;
  /**
   * Requests per second per client address on the /api routes, which read
   * the chain (token bucket, burst twice the rate; default 20). Behind a
   * proxy every client shares the proxy's address: raise it, or pass 0 for
   * none and limit at the proxy.
   */
  ratePerSecond?: number;
}

const MAX_BODY = 4 * 1024;
/** The methods of each /api route (all CORS routes); every other path takes GET and HEAD. */
const API_METHODS: Record<string, readonly string[]> = { '/api/pay': ['GET', 'POST'], '/api/topup': ['GET'], '/api/status': ['GET'], '/api/balance': ['GET'] };
/** The page loads its own script, style and icon, shows data: QR images and calls only this server. */
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";


/** A Solana Pay reference: any 32 bytes name an account; random ones need no key generation. */
const freshReference = () => new PublicKey(randomBytes(32));

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
  const log = options.log ?? logToStderr;
  const label = options.label ?? 'Compute credits';
  const maxCredits = options.maxCredits ?? 1_000_000n;
  const ttl = options.configTtlMs ?? 30_000;
  const chain = options.chain ?? 'solana:mainnet';
  let script: string | undefined;
  /** The program's config, re-read once it is older than the TTL. */
  const config = () => upstream(client.config({ maxAgeMs: ttl }));

  async function creditsParam(value: string | null): Promise<{ credits: bigint; amount: bigint; config: Config }> {
    const c = await config();
    try {
      return { ...parseTopUpCredits(value ?? '', { ...c, maxPurchaseCredits: maxCredits }), config: c };
    } catch (err) {
      throw badRequest((err as Error).message);
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
    const { ixs, units } = await upstream(client.purchaseInstructions({ owner: account, credits }));
    // Solana Pay references ride as extra read-only keys of the purchase; the program ignores them.
    ixs[ixs.length - 1].keys.push({ pubkey: reference, isSigner: false, isWritable: false });
    const tx = client.transaction(ixs, units);
    tx.feePayer = account;
    tx.recentBlockhash = (await upstream(client.connection.getLatestBlockhash('confirmed'))).blockhash;
    const transaction = tx.serialize({ requireAllSignatures: false, verifySignatures: false }).toString('base64');
    return { transaction, message: `Buy ${credits} credits for ${creditsToUsdc(credits, pricePerCredit)} USDC` };
  }

  /** What the page shows of an owner: the balance and the spending limit the owner set (0: none). */
  async function balanceOf(owner: PublicKey) {
    const account = await upstream(client.creditAccount({ owner }));
    if (!account) return { open: false, available: '0', locked: '0', usdc: '0', maxCreditsPerJob: '0', dailyLimitCredits: '0' };
    const b = await upstream(client.getBalance({ owner }));
    return {
      open: true,
      available: b.available.toString(),
      locked: b.locked.toString(),
      usdc: b.usdcValue,
      maxCreditsPerJob: account.maxCreditsPerJob.toString(),
      dailyLimitCredits: account.dailyLimitCredits.toString(),
    };
  }

  /** An SVG data URL (the page's CSP allows data: images). */
  const qr = async (u: URL) => (await createTopUpQr(u)).dataUrl;
  const rate = options.ratePerSecond ?? 20;
  const limiter = rate > 0 ? new RateLimiter({ ratePerSecond: rate }) : undefined;

  async function route(req: IncomingMessage, res: ServerResponse) {
    const { path, query } = parseTarget(req);
    const methods = API_METHODS[path];
    if (allowMethods(req, res, methods ?? ['GET', 'HEAD'], { cors: methods !== undefined })) return;
    if (methods && limiter) limiter.take(req);
    const base = baseOf(req);

    if (path === '/api/pay') {
      const { credits, config: c } = await creditsParam(query.get('credits'));
      const ref = query.get('reference');
      const reference = ref ? publicKeyParam(ref, 'reference') : freshReference();
      if (req.method === 'GET') return sendJson(res, 200, { label, icon: options.icon ?? new URL('/icon.svg', base).toString() });
      const body = (await readJson(req, { limit: MAX_BODY, hint: '{"account": "<public key>"}' })) as { account?: unknown } | null;
      const account = publicKeyParam(body?.account, 'account', { wallet: true });
      return sendJson(res, 200, await buildPurchase(account, credits, c.pricePerCredit, reference));
    }
    if (path === '/api/topup') {
      const owner = publicKeyParam(query.get('owner'), 'owner');
      const { credits, config: c } = await creditsParam(query.get('credits'));
      const transfer = createTopUpUrl({ owner, credits, reference: freshReference(), label, message: `Top up ${credits} credits` }, { config: c, programId: client.programId });
      // Open: the program owns the CreditAccount (read at the URL's recipient, the PDA derived once).
      const info = await upstream(readAccountInfo(client.connection, transfer.recipient));
      const open = !!info && info.lamports > 0 && info.owner.equals(client.programId);
      const request = transactionRequestUrl(base, credits, transfer.reference);
      return sendJson(res, 200, {
        credits: credits.toString(),
        usdc: creditsToUsdc(credits, c.pricePerCredit),
        reference: transfer.reference.toBase58(),
        open,
        transactionUrl: String(request),
        transactionQr: await qr(request),
        ...(open ? { transferUrl: String(transfer.url), transferQr: await qr(transfer.url) } : {}),
      });
    }
    if (path === '/api/status') {
      const owner = publicKeyParam(query.get('owner'), 'owner');
      const reference = publicKeyParam(query.get('reference'), 'reference');
      const { amount, config: c } = await creditsParam(query.get('credits'));
      let signature: string;
      try {
        signature = (await findTopUp(client.connection, reference)).signature;
      } catch (err) {
        if (err instanceof FindReferenceError) return sendJson(res, 200, { status: 'pending' });
        return upstream(Promise.reject(err));
      }
      try {
        const paid = await validateTopUp(client.connection, signature, { owner, amount, reference, config: c, programId: client.programId });
        return sendJson(res, 200, { status: 'received', signature, credits: paid.credits.toString(), ...(await balanceOf(owner)) });
      } catch (err) {
        if (err instanceof ValidateTopUpError) return sendJson(res, 200, { status: 'invalid', signature, message: err.message });
        return upstream(Promise.reject(err));
      }
    }
    if (path === '/api/balance') {
      const owner = publicKeyParam(query.get('owner'), 'owner');
      return sendJson(res, 200, await balanceOf(owner));
    }
    if (path === '/topup') {
      const owner = query.get('owner');
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
    if (path === '/topup.js') return send(res, 200, (script ??= pageScript()), 'text/javascript; charset=utf-8', { 'cache-control': 'public, max-age=300' });
    if (path === '/topup.css') return send(res, 200, PAGE_CSS, 'text/css; charset=utf-8', { 'cache-control': 'public, max-age=300' });
    if (path === '/icon.svg' || path === '/favicon.ico') return send(res, 200, ICON_SVG, 'image/svg+xml', { 'cache-control': 'public, max-age=86400' });
    throw noRoute(path);
  }

  return createHttpServer(route, { ...options.http, log });
}
