// The x402 bridge: an API that charges in credits answers 402 when an
// agent's credits run short, asking for an x402 `exact` USDC payment whose
// `payTo` is the agent's own CreditAccount PDA. The facilitator's
// TransferChecked lands in the PDA's associated token account (the vault),
// so the credits are the agent's at once, like a Solana Pay transfer; the
// paid request and the next ones are served by locking the job's price
// through the operator, with no new on-chain payment until the balance is
// low again.
//
// Built on @x402/core's x402HTTPResourceServer (402 bodies and headers,
// verify and settle through the facilitator client) and @x402/svm's server
// scheme. Ours: who the agent is (./agentAuth.ts), the PDA as payTo, the
// "enough credits: serve without payment" decision (the server's
// onProtectedRequest hook), and a record of settled transactions so a
// payment is credited once even across facilitator replicas.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PublicKey } from '@solana/web3.js';
import { x402HTTPResourceServer, x402ResourceServer, type FacilitatorClient, type HTTPAdapter, type HTTPRequestContext, type HTTPResponseInstructions } from '@x402/core/server';
import type { Network } from '@x402/core/types';
import { ExactSvmScheme } from '@x402/svm/exact/server';
import type { JobEscrowClient } from '../client.js';
import { quote } from '../core/pricing.js';
import { JobEscrowError } from '../errors.js';
import { AgentAuthError, verifyAgentRequest } from './agentAuth.js';

/** The job a paid (or credit-served) request runs as: its price is locked before the handler runs. */
export interface PaidJob {
  owner: PublicKey;
  jobId: bigint;
  /** Credits locked for it. */
  credits: bigint;
  /** Signature of the x402 top-up settled for this request, when one was. */
  topUp?: string;
  /** Charges the job when the work is done (the worker gets its share). */
  settle(outputTokens: number): Promise<void>;
  /** Releases the lock when the work failed. */
  refund(): Promise<void>;
}

export interface CreditPaywallOptions {
  /** The operator's client: opens credit accounts (pays their rent), locks, settles, refunds. */
  client: JobEscrowClient;
  /** The facilitator (HTTPFacilitatorClient, or an in-process x402Facilitator). */
  facilitator: FacilitatorClient;
  /** CAIP-2 network the payment is made on (SOLANA_MAINNET_CAIP2, SOLANA_DEVNET_CAIP2). */
  network: Network;
  /** RPC the server scheme reads a recent blockhash from (put in the 402 so clients need no RPC of their own). */
  rpcUrl?: string;
  /** The job a request runs as (tier and output-token cap: its price in credits is locked). */
  jobOf(req: IncomingMessage): { tier: number; maxOutputTokens: number };
  /** Credits one top-up buys (default 1,000: $10 at the default price). At least the request's price is always asked. */
  topUpCredits?: bigint;
  /** Ask for a top-up when `available` would fall below this after the request's lock (default 0: only when the request does not fit). */
  lowCredits?: bigint;
  /** The worker's USDC token account settled jobs pay. */
  providerTokenAccount: PublicKey;
  /** Worker share of settled jobs in basis points (default: the config's minimum). */
  providerShareBps?: number;
  /** Seconds an agent's signed request stays valid (default 60). */
  authMaxAgeSecs?: number;
  /** How long the program's config (prices, mint) is trusted before it is read again (default 30 s). */
  configTtlMs?: number;
  log?: (line: string) => void;
}

/** The x402 payment memo: the facilitator requires it byte for byte, and the client's 20,000-CU budget fits at most 34 bytes. */
export function topUpMemo(creditAccount: PublicKey): string {
  return `credits:${creditAccount.toBase58().slice(0, 26)}`;
}

export interface CreditPaywall {
  /** Reads the facilitator's supported kinds (its fee payer); call once before serving. */
  initialize(): Promise<void>;
  /**
   * node:http / Express-style middleware: answers 401/402 itself, or locks
   * the job and calls `next(job)` (also on `req.paidJob`).
   */
  handle(req: IncomingMessage, res: ServerResponse, next: (job: PaidJob) => void | Promise<void>): Promise<void>;
  /** Settled top-up transactions seen by this paywall in the last 10 minutes (each credited once), with when. */
  readonly settled: ReadonlyMap<string, number>;
}

function write(res: ServerResponse, r: HTTPResponseInstructions) {
  const body = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  const typed = Object.keys(r.headers ?? {}).some((k) => k.toLowerCase() === 'content-type');
  res.writeHead(r.status, { ...(typed ? {} : { 'content-type': 'application/json' }), ...r.headers });
  res.end(body);
}

export function createCreditPaywall(o: CreditPaywallOptions): CreditPaywall {
  const { client } = o;
  const log = o.log ?? (() => {});
  const topUpCredits = o.topUpCredits ?? 1_000n;
  const lowCredits = o.lowCredits ?? 0n;
  /** Agent wallet of each request being processed (set once its signature checked). */
  const wallets = new WeakMap<HTTPAdapter, PublicKey>();
  const requests = new WeakMap<HTTPAdapter, IncomingMessage>();
  const seenSignatures = new Map<string, number>();
  /** Settled top-ups (signature → when): kept 10 minutes, well past a blockhash's life, after which the chain refuses a replay itself. */
  const settled = new Map<string, number>();
  const config = () => client.config({ maxAgeMs: o.configTtlMs ?? 30_000 });
  let nextJob = BigInt(Date.now()) * 1_000n;

  const walletOf = (ctx: HTTPRequestContext) => {
    const w = wallets.get(ctx.adapter);
    if (!w) throw new Error('x402 paywall: the request reached payment without an authenticated wallet');
    return w;
  };
  /** Credits the request locks. */
  const priceOf = async (req: IncomingMessage) => {
    const { tier, maxOutputTokens } = o.jobOf(req);
    const { tiers } = await config();
    return { tier, maxOutputTokens, credits: quote(tier, maxOutputTokens, { tiers }) };
  };
  /** What the agent is asked to pay: the top-up, or the shortfall when one request needs more. */
  const askedCredits = async (ctx: HTTPRequestContext) => {
    const { credits } = await priceOf(requests.get(ctx.adapter)!);
    return credits + lowCredits > topUpCredits ? credits + lowCredits : topUpCredits;
  };

  const resourceServer = new x402ResourceServer(o.facilitator).register(o.network, new ExactSvmScheme(o.rpcUrl ? { rpcUrl: o.rpcUrl } : undefined));
  const http = new x402HTTPResourceServer(resourceServer, {
    accepts: {
      scheme: 'exact',
      network: o.network,
      maxTimeoutSeconds: 60,
      payTo: async (ctx) => (await client.addresses({ owner: walletOf(ctx) })).creditAccount.toBase58(),
      price: async (ctx) => {
        const { mint, pricePerCredit } = await config();
        const { creditAccount } = await client.addresses({ owner: walletOf(ctx) });
        return { asset: mint.toBase58(), amount: String((await askedCredits(ctx)) * pricePerCredit), extra: { memo: topUpMemo(creditAccount) } };
      },
    },
    description: 'top up your own job_escrow credit account; requests are then served from credits',
    mimeType: 'application/json',
    unpaidResponseBody: async (ctx) => ({
      contentType: 'application/json',
      body: { error: 'credits_low', message: `Top up ${await askedCredits(ctx)} credits: pay the credit account ${(await client.addresses({ owner: walletOf(ctx) })).creditAccount.toBase58()} (x402 exact).` },
    }),
  });
  // Enough credits and no payment offered: serve without payment. A payment that comes along is always verified and settled (or refused).
  http.onProtectedRequest(async (ctx) => {
    if (ctx.adapter.getHeader('payment-signature') || ctx.adapter.getHeader('x-payment')) return;
    const owner = walletOf(ctx);
    const { credits } = await priceOf(requests.get(ctx.adapter)!);
    const { available } = await client.getBalance({ owner });
    if (available >= credits + lowCredits) return { grantAccess: true };
  });

  async function lockFor(req: IncomingMessage, owner: PublicKey, topUp?: string): Promise<PaidJob> {
    const { tier, maxOutputTokens, credits } = await priceOf(req);
    const jobId = nextJob++;
    await client.lock({ owner, jobId, tier, maxOutputTokens });
    return {
      owner,
      jobId,
      credits,
      topUp,
      settle: async (outputTokens) => {
        await client.settle({ owner, jobId, outputTokens, providerTokenAccount: o.providerTokenAccount, providerShareBps: o.providerShareBps });
      },
      refund: async () => {
        await client.refund({ owner, jobId });
      },
    };
  }

  return {
    settled,
    initialize: () => http.initialize(),
    async handle(req, res, next) {
      const url = new URL(req.url ?? '/', 'http://local');
      let owner: PublicKey;
      try {
        owner = new PublicKey(verifyAgentRequest(req.headers, req.method ?? 'GET', url.pathname + url.search, { maxAgeSecs: o.authMaxAgeSecs, seen: seenSignatures }));
      } catch (err) {
        if (!(err instanceof AgentAuthError)) throw err;
        return write(res, { status: 401, headers: {}, body: { error: 'unauthenticated', message: err.message } });
      }
      // The operator opens the agent's credit account (and pays its rent) so the x402 transfer has a vault to land in.
      if (!(await client.creditAccount({ owner }))) {
        await client.openCreditAccount({ owner });
        log(`x402: opened the credit account of ${owner.toBase58()}`);
      }
      const adapter: HTTPAdapter = {
        getHeader: (name) => {
          const v = req.headers[name.toLowerCase()];
          return Array.isArray(v) ? v[0] : v;
        },
        getMethod: () => req.method ?? 'GET',
        getPath: () => url.pathname,
        getUrl: () => url.href,
        getAcceptHeader: () => req.headers.accept ?? '',
        getUserAgent: () => req.headers['user-agent'] ?? '',
        getQueryParams: () => Object.fromEntries(url.searchParams),
        getQueryParam: (name) => url.searchParams.get(name) ?? undefined,
      };
      wallets.set(adapter, owner);
      requests.set(adapter, req);
      const result = await http.processHTTPRequest({ adapter, path: url.pathname, method: req.method ?? 'GET' });
      if (result.type === 'payment-error') return write(res, result.response);
      let topUp: string | undefined;
      if (result.type === 'payment-verified') {
        // Settle before any work: only a landed transfer buys credits.
        const s = await http.processSettlement(result.paymentPayload, result.paymentRequirements, result.declaredExtensions);
        if (!s.success) {
          log(`x402: settlement refused for ${owner.toBase58()}: ${s.errorReason}`);
          return write(res, s.response);
        }
        for (const [signature, at] of settled) if (at < Date.now() - 10 * 60_000) settled.delete(signature);
        if (settled.has(s.transaction)) {
          // Another replica's facilitator reported the same transfer as new: credit it once.
          return write(res, { status: 402, headers: {}, body: { error: 'duplicate_settlement', message: `transaction ${s.transaction} was already credited` } });
        }
        settled.set(s.transaction, Date.now());
        topUp = s.transaction;
        for (const [k, v] of Object.entries(s.headers)) res.setHeader(k, v);
        log(`x402: ${owner.toBase58()} topped up in ${s.transaction}`);
      }
      let job: PaidJob;
      try {
        job = await lockFor(req, owner, topUp);
      } catch (err) {
        // The program refused the lock (the agent's own spending limit, a paused program…): say which.
        if (!(err instanceof JobEscrowError)) throw err;
        return write(res, { status: 403, headers: {}, body: { error: 'lock_refused', code: err.code, message: err.message } });
      }
      (req as IncomingMessage & { paidJob?: PaidJob }).paidJob = job;
      await next(job);
    },
  };
}
