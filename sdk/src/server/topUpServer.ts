// A Solana Pay transaction-request server, and the top-up page, on Node's
// http module.
//
//   GET  /api/pay?credits=N          {label, icon}
//   POST /api/pay?credits=N {account} {transaction, message}: opens the
//        account's credit account if needed and purchases N credits from its
//        USDC ATA, with a fresh reference key on the purchase instruction
//   GET  /api/topup?owner=W&credits=N  both URLs, their QR codes, the amount
//   GET  /api/balance?owner=W          the owner's balance
//   GET  /topup?owner=W                the top-up page
//
// Bad input gets a 4xx with {message} and no transaction.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { encodeURL } from '@solana/pay';
import { Keypair, PublicKey } from '@solana/web3.js';
import QRCode from 'qrcode';
import type { JobEscrowClient } from '../client.js';
import { creditsToUsdc } from '../core/pricing.js';
import { topUpPage } from './page.js';
import { createTopUpUrl } from '../pay/index.js';

export interface TopUpServerOptions {
  /** Reads chain state (config, accounts, blockhash); its wallet signs nothing. */
  client: JobEscrowClient;
  label?: string;
  /** An absolute URL of a square icon (SVG, PNG or WebP), per the Solana Pay spec. */
  icon?: string;
  /**
   * Public https origin used in the links it advertises, e.g.
   * "https://pay.example.com" (wallets follow only https links). Default:
   * https:// plus the request's Host header (the server behind a TLS proxy).
   */
  publicUrl?: string;
}

const MAX_BODY = 4 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': type, 'access-control-allow-origin': '*', 'cache-control': 'no-store' };
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

/** Creates (does not start) the server; `listen` it yourself. */
export function createTopUpServer(options: TopUpServerOptions): Server {
  const { client } = options;
  const label = options.label ?? 'Compute credits';

  async function creditsParam(value: string | null): Promise<bigint> {
    const { minPurchaseCredits } = await client.config();
    if (!value || !/^\d{1,18}$/.test(value)) throw new HttpError(400, 'credits must be a whole number');
    const credits = BigInt(value);
    if (credits < minPurchaseCredits) throw new HttpError(400, `credits must be at least ${minPurchaseCredits}`);
    return credits;
  }

  function transactionRequestUrl(base: string, credits: bigint): URL {
    const link = new URL(`/api/pay?credits=${credits}`, base);
    return encodeURL({ link, label, message: `Buy ${credits} credits` });
  }

  async function buildPurchase(account: PublicKey, credits: bigint) {
    const { pricePerCredit } = await client.config();
    const { ixs, units } = await client.purchaseInstructions({ owner: account, credits });
    // Solana Pay references ride as extra read-only keys of the purchase; the program ignores them.
    const reference = Keypair.generate().publicKey;
    ixs[ixs.length - 1].keys.push({ pubkey: reference, isSigner: false, isWritable: false });
    const tx = client.transaction(ixs, units);
    tx.feePayer = account;
    tx.recentBlockhash = (await client.connection.getLatestBlockhash('confirmed')).blockhash;
    const transaction = tx.serialize({ requireAllSignatures: false, verifySignatures: false }).toString('base64');
    return { transaction, message: `Buy ${credits} credits for ${creditsToUsdc(credits, pricePerCredit)} USDC`, reference };
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    const base = options.publicUrl ?? `https://${req.headers.host ?? 'localhost'}`;
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname === '/api/pay') {
      const credits = await creditsParam(url.searchParams.get('credits'));
      if (req.method === 'GET') return send(res, 200, { label, icon: options.icon ?? new URL('/icon.svg', base).toString() });
      if (req.method !== 'POST') throw new HttpError(405, 'use GET or POST');
      let body: { account?: unknown };
      try {
        body = JSON.parse(await readBody(req));
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw new HttpError(400, 'the body must be JSON: {"account": "<public key>"}');
      }
      const account = publicKeyParam(body?.account, 'account');
      const { transaction, message } = await buildPurchase(account, credits);
      return send(res, 200, { transaction, message });
    }
    if (req.method !== 'GET') throw new HttpError(405, 'use GET');
    if (url.pathname === '/api/topup') {
      const owner = publicKeyParam(url.searchParams.get('owner'), 'owner');
      const credits = await creditsParam(url.searchParams.get('credits'));
      const config = await client.config();
      const transfer = createTopUpUrl({ owner, credits, label, message: `Top up ${credits} credits` }, { config, programId: client.programId });
      const request = transactionRequestUrl(base, credits);
      const qr = (u: URL) => QRCode.toDataURL(String(u), { errorCorrectionLevel: 'M', margin: 2, width: 320 });
      return send(res, 200, {
        credits: credits.toString(),
        usdc: creditsToUsdc(credits, config.pricePerCredit),
        transferUrl: String(transfer.url),
        transferQr: await qr(transfer.url),
        transactionUrl: String(request),
        transactionQr: await qr(request),
        reference: transfer.reference.toBase58(),
      });
    }
    if (url.pathname === '/api/balance') {
      const owner = publicKeyParam(url.searchParams.get('owner'), 'owner');
      if (!(await client.creditAccount({ owner }))) return send(res, 200, { open: false, available: '0', usdc: '0' });
      const b = await client.getBalance({ owner });
      return send(res, 200, { open: true, available: b.available.toString(), locked: b.locked.toString(), usdc: b.usdcValue });
    }
    if (url.pathname === '/topup') {
      publicKeyParam(url.searchParams.get('owner'), 'owner');
      const { minPurchaseCredits, pricePerCredit } = await client.config();
      return send(res, 200, topUpPage({ label, minCredits: minPurchaseCredits, pricePerCredit }), 'text/html; charset=utf-8');
    }
    if (url.pathname === '/icon.svg') {
      return send(res, 200, '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#4f46e5"/><text x="32" y="42" font-size="28" text-anchor="middle" fill="#fff" font-family="sans-serif">CR</text></svg>', 'image/svg+xml');
    }
    throw new HttpError(404, `no route for ${url.pathname}`);
  }

  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) send(res, err.status, { message: err.message });
      else send(res, 500, { message: 'internal error' });
    });
  });
}
