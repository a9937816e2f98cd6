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
// onProtectedRequest hook), and a replay store (./replayStore.ts) in which
// each signed request and each settled transaction is claimed once, so a
// payment is credited once even across facilitator replicas (and, on the
// operator's SQLite file, across restarts and API processes). Locks and
// settles go through a JobBatcher (../batcher): concurrent requests of many
// wallets share lock_batch / settle_batch transactions after a bounded wait.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PublicKey } from '@solana/web3.js';
import { x402HTTPResourceServer, x402ResourceServer, type FacilitatorClient, type HTTPAdapter, type HTTPRequestContext, type HTTPResponseInstructions } from '@x402/core/server';
import { decodePaymentRequiredHeader } from '@x402/core/http';
import type { Network } from '@x402/core/types';
import { ExactSvmScheme } from '@x402/svm/exact/server';
import type { LookupTables } from '../batch/lookupTables.js';
import { JobBatcher, type BatchedOutcome } from '../batcher/index.js';
import type { JobEscrowClient } from '../client.js';
import { quote } from '../core/pricing.js';
import { JobEscrowError, PROGRAM_ERRORS } from '../errors.js';
import { UpstreamError, errorBody, logToStderr, parseTarget, send, sendError, upstream, type ErrorBody } from '../http/index.js';
import { AgentAuthError, verifyAgentRequest } from './agentAuth.js';
import { OpeningBudget, type OpeningBudgetOptions } from './openingBudget.js';
import { createMemoryReplayStore, replayKey, type ReplayStore } from './replayStore.js';

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
  /**
   * Where signed requests and settled top-up transactions are claimed once
   * (default: in this process's memory, createMemoryReplayStore). Pass
   * `operator.store.replayStore()` so a replay is refused after a restart and
   * by every API process on the same SQLite file.
   */
  replayStore?: ReplayStore;
  /** How long the program's config (prices, mint) is trusted before it is read again (default 30 s). */
  configTtlMs?: number;
  /**
   * How many credit accounts this paywall opens (paying their rent, which
   * comes back when the owner closes) for wallets that have not paid yet,
   * per period (default 20 per hour, per process). Past it a new wallet
   * gets 429 `account_opening_limited` and can open its own account.
   */
  newAccounts?: OpeningBudgetOptions;
  /** Where the paywall logs (opened accounts, top-ups, failures). Default: failures to stderr, nothing else. */
  log?: (line: string) => void;
  /**
   * The batcher locks and settles go through (share the operator's:
   * `startOperator(…).batcher`). Default: one of this paywall's own, over
   * `client`, waiting `batchWaitMs`.
   */
  batcher?: JobBatcher;
  /** How long a lock or settle waits for others to share its transaction (default 100 ms; 0: sent at once, alone). Ignored with `batcher`. */
  batchWaitMs?: number;
  /** The operator's lookup tables: the batcher's transactions are v0 over them (about 30 jobs each instead of 12). Ignored with `batcher`. */
  lookupTables?: LookupTables;
}

/**
 * A batched job's outcome as the single calls would give it: `done` or
 * `already-locked` returned, a program rejection thrown as its
 * JobEscrowError, any other failure as an UpstreamError.
 */
function settled(outcome: BatchedOutcome): 'done' | 'already-locked' {
  if (outcome.status !== 'rejected') return outcome.status;
  if (outcome.code !== undefined && PROGRAM_ERRORS.has(outcome.code)) throw new JobEscrowError(outcome.code);
  throw new UpstreamError(new Error(outcome.error));
}

const randomJobId = () => new DataView(globalThis.crypto.getRandomValues(new Uint8Array(8)).buffer).getBigUint64(0);

/** The x402 payment memo: the facilitator requires it byte for byte, and the client's 20,000-CU budget fits at most 34 bytes. */
export function topUpMemo(creditAccount: PublicKey): string {
  return `credits:${creditAccount.toBase58().slice(0, 26)}`;
}

export interface CreditPaywall {
  /** Reads the facilitator's supported kinds (its fee payer); call once before serving. */
  initialize(): Promise<void>;
  /**
   * node:http / Express-style middleware: answers 401/402 itself, or locks
   * the job and calls `next(job)` (also on `req.paidJob`). Never rejects:
   * an RPC or facilitator failure is answered 502 upstream_error, anything
   * else 500 internal_error; when `next` throws, the job's lock is refunded
   * (unless it was settled or refunded) and 500 is answered if nothing was
   * written yet.
   */
  handle(req: IncomingMessage, res: ServerResponse, next: (job: PaidJob) => void | Promise<void>): Promise<void>;
}

/** How long a settled top-up's transaction is held in the replay store: well past a blockhash's life, after which the chain refuses a replay itself. */
const SETTLED_TTL_MS = 10 * 60_000;

/** Longest request target the paywall reads (a host's API may take long queries). */
const MAX_TARGET = 8_192;

/** Our body for one of x402's refusals that carries none (a refused verify: the reason is in its PAYMENT-REQUIRED header). */
function refusalBody(r: HTTPResponseInstructions): ErrorBody {
  const header = Object.entries(r.headers ?? {}).find(([k]) => k.toLowerCase() === 'payment-required')?.[1];
  let reason: string | undefined;
  try {
    reason = header ? decodePaymentRequiredHeader(header).error : undefined;
  } catch {
    reason = undefined;
  }
  return errorBody('payment_failed', reason ? `The payment was refused: ${reason}.` : 'The payment was refused.', reason ? { reason } : {});
}

/** Writes x402's answer; a failure with an empty body gets our error body (`fallback`, else refusalBody). */
function write(res: ServerResponse, r: HTTPResponseInstructions, fallback?: ErrorBody) {
  const empty = r.body === undefined || r.body === '' || (typeof r.body === 'object' && r.body !== null && Object.keys(r.body).length === 0);
  const value = empty && r.status >= 400 ? (fallback ?? refusalBody(r)) : r.body;
  const headers = Object.fromEntries(Object.entries(r.headers ?? {}).filter(([k]) => k.toLowerCase() !== 'content-type'));
  const type = value === r.body ? Object.entries(r.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] : undefined;
  send(res, r.status, typeof value === 'string' ? value : JSON.stringify(value ?? ''), type ?? 'application/json; charset=utf-8', headers);
}

export function createCreditPaywall(o: CreditPaywallOptions): CreditPaywall {
  const { client } = o;
  const log = o.log ?? (() => {});
  /** Failures are logged even with no `log` given (to stderr): they are what an operator must see. */
  const logError = o.log ?? logToStderr;
  const topUpCredits = o.topUpCredits ?? 1_000n;
  const lowCredits = o.lowCredits ?? 0n;
  const batcher = o.batcher ?? new JobBatcher({ client, maxWaitMs: o.batchWaitMs, send: { lookupTables: o.lookupTables } });
  /** Agent wallet of each request being processed (set once its signature checked). */
  const wallets = new WeakMap<HTTPAdapter, PublicKey>();
  const requests = new WeakMap<HTTPAdapter, IncomingMessage>();
  const replayStore = o.replayStore ?? createMemoryReplayStore();
  const openings = new OpeningBudget(o.newAccounts);
  /** Opens in flight, per wallet: concurrent first requests of one wallet share one open (and one budget slot). */
  const opening = new Map<string, Promise<void>>();

  /**
   * Makes sure `owner` has a credit account, opening it (within the budget)
   * when it has none. An open that fails but whose account exists after all
   * (it landed despite the error, or another process opened it) counts as
   * opened; only an open that did not happen gives its budget slot back.
   */
  async function ensureOpen(owner: PublicKey): Promise<{ ok: true } | { ok: false; retryAfterSecs: number }> {
    const key = owner.toBase58();
    const joining = opening.get(key);
    if (joining) return upstream(joining).then(() => ({ ok: true }));
    if (await upstream(client.creditAccount({ owner }))) return { ok: true };
    const started = opening.get(key); // another request began opening while we read the chain
    if (started) return upstream(started).then(() => ({ ok: true }));
    const taken = openings.take(key);
    if (!taken.ok) return taken;
    const open = (async () => {
      try {
        await client.openCreditAccount({ owner });
        log(`x402: opened the credit account of ${key}`);
      } catch (err) {
        const account = await client.creditAccount({ owner }).catch(() => undefined);
        if (account === null) openings.release(key); // it did not happen
        if (!account) throw err; // not opened, or unknown (the slot stays taken: it may have landed)
        if (!account.rentPayer.equals(client.wallet)) openings.release(key); // someone else opened (and paid for) it
      }
    })();
    opening.set(key, open);
    try {
      await upstream(open);
    } finally {
      opening.delete(key);
    }
    return { ok: true };
  }
  const config = () => client.config({ maxAgeMs: o.configTtlMs ?? 30_000 });

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

  /** Jobs settled or refunded through their PaidJob (a failed handler's lock is refunded unless it is one). */
  const closedJobs = new WeakSet<PaidJob>();

  async function lockFor(req: IncomingMessage, owner: PublicKey, topUp?: string): Promise<PaidJob> {
    const { tier, maxOutputTokens, credits } = await priceOf(req);
    // A random 64-bit id: unique across restarts and across API processes on one wallet (an id already in
    // flight in the account would make lock answer `already-locked` and serve two requests on one lock: draw again).
    let jobId = randomJobId();
    while (settled(await batcher.lock({ owner, jobId, tier, maxOutputTokens })) === 'already-locked') jobId = randomJobId();
    const job: PaidJob = {
      owner,
      jobId,
      credits,
      topUp,
      settle: async (outputTokens) => {
        settled(await batcher.settle({ owner, jobId, outputTokens, providerTokenAccount: o.providerTokenAccount, providerShareBps: o.providerShareBps }));
        closedJobs.add(job);
      },
      refund: async () => {
        await client.refund({ owner, jobId });
        closedJobs.add(job);
      },
    };
    return job;
  }

  return {
    initialize: () => http.initialize(),
    // Never rejects into its host: whatever fails is answered (docs/http.md).
    handle: (req, res, next) => serve(req, res, next).catch((err: unknown) => sendError(res, err, logError)),
  };

  async function serve(req: IncomingMessage, res: ServerResponse, next: (job: PaidJob) => void | Promise<void>): Promise<void> {
    const { url } = parseTarget(req, { maxLength: MAX_TARGET });
    let owner: PublicKey;
    try {
      owner = new PublicKey(await verifyAgentRequest(req.headers, req.method ?? 'GET', url.pathname + url.search, { maxAgeSecs: o.authMaxAgeSecs, replayStore }));
    } catch (err) {
      if (!(err instanceof AgentAuthError)) throw err;
      return write(res, { status: 401, headers: {}, body: { error: 'unauthenticated', message: err.message } });
    }
    // The operator opens the agent's credit account so the x402 transfer has a vault to land in. The
    // program records the operator as its rent payer and pays the rent back when the owner closes it;
    // the opening budget bounds how much rent wallets that never pay can keep tied up.
    const opened = await ensureOpen(owner);
    if (!opened.ok) {
      return write(res, {
        status: 429,
        headers: { 'retry-after': String(opened.retryAfterSecs) },
        body: {
          error: 'account_opening_limited',
          message: `Too many credit accounts were opened for wallets that have not paid yet; open your own (open_credit_account, any payer) or retry in ${opened.retryAfterSecs} s.`,
          retryAfterSecs: opened.retryAfterSecs,
        },
      });
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
    const result = await upstream(http.processHTTPRequest({ adapter, path: url.pathname, method: req.method ?? 'GET' }));
    if (result.type === 'payment-error') return write(res, result.response);
    let topUp: string | undefined;
    if (result.type === 'payment-verified') {
      // Settle before any work: only a landed transfer buys credits.
      const s = await upstream(http.processSettlement(result.paymentPayload, result.paymentRequirements, result.declaredExtensions));
      if (!s.success) {
        // Lost a race with another payment, the facilitator refused…: x402 answers 402 with an empty body, we say why.
        log(`x402: settlement refused for ${owner.toBase58()}: ${s.errorReason}`);
        return write(res, s.response, errorBody('payment_failed', `The payment did not settle: ${s.errorMessage ?? s.errorReason}.`, { reason: s.errorReason }));
      }
      if (!(await replayStore.claim(replayKey.settlement(s.transaction), Date.now() + SETTLED_TTL_MS))) {
        // Another replica's facilitator reported the same transfer as new: credit it once.
        return write(res, { status: 402, headers: {}, body: { error: 'duplicate_settlement', message: `transaction ${s.transaction} was already credited` } });
      }
      topUp = s.transaction;
      openings.paid(owner.toBase58());
      for (const [k, v] of Object.entries(s.headers)) res.setHeader(k, v);
      log(`x402: ${owner.toBase58()} topped up in ${s.transaction}`);
    }
    let job: PaidJob;
    try {
      job = await lockFor(req, owner, topUp);
    } catch (err) {
      // The program refused the lock (the agent's own spending limit, a paused program…): say which.
      if (!(err instanceof JobEscrowError)) throw err instanceof UpstreamError ? err : new UpstreamError(err);
      return write(res, { status: 403, headers: {}, body: { error: 'lock_refused', code: err.code, message: err.message } });
    }
    (req as IncomingMessage & { paidJob?: PaidJob }).paidJob = job;
    try {
      await next(job);
    } catch (err) {
      // The host's handler failed: the credits go back to the agent now, not when the job expires.
      if (!closedJobs.has(job)) await job.refund().catch((e: unknown) => logError(`x402: refunding job ${job.jobId} after its handler failed: ${(e as Error)?.message ?? e}`));
      throw err;
    }
  }
}
