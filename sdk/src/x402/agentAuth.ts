// Who is asking: an agent proves it holds its wallet's key on every request
// by signing the method, path, time and a random nonce (ed25519, the
// wallet's own key; the nonce makes two requests in one second differ).
// Without it anyone could spend another agent's credits by naming its
// wallet. Signed by the agent (signAgentRequest, any Kit signer that signs
// messages), checked by the paywall (verifyAgentRequest, node:crypto), which
// claims each signature once in a ReplayStore (./replayStore.ts).
import { createPublicKey, verify } from 'node:crypto';
import bs58 from 'bs58';
import { replayKey, type ReplayStore } from './replayStore.js';

export const AGENT_WALLET_HEADER = 'x-agent-wallet';
export const AGENT_TIMESTAMP_HEADER = 'x-agent-timestamp';
export const AGENT_SIGNATURE_HEADER = 'x-agent-signature';
export const AGENT_NONCE_HEADER = 'x-agent-nonce';

/** The bytes an agent signs for one request. */
export function agentRequestMessage(method: string, pathAndQuery: string, timestamp: number, nonce: string): Uint8Array {
  return new TextEncoder().encode(`job_escrow agent request v1\n${method.toUpperCase()} ${pathAndQuery}\n${timestamp}\n${nonce}`);
}

/** A refusal the paywall answers with 401. */
export class AgentAuthError extends Error {
  name = 'AgentAuthError';
}

export interface AgentSignatureOptions {
  /** Seconds a signed request stays valid either side of the server's clock (default 60). */
  maxAgeSecs?: number;
  /** The server's clock, unix milliseconds (default Date.now()). */
  now?: number;
}

/** A request whose signature checked out: who signed it, the signature, and its time (unix seconds). */
export interface AgentSignature {
  wallet: string;
  signature: string;
  timestamp: number;
}

/**
 * Checks who signed this request, without recording it: the headers, the
 * time window and the ed25519 signature over method, path and query, time
 * and nonce. A signature passes this check again and again; the paywall
 * uses verifyAgentRequest, which also claims it once.
 * @throws AgentAuthError, one of:
 * - `sign the request with your wallet: …` (a header missing, the timestamp not an integer, the nonce not 8 to 64 base58 characters);
 * - `the request's timestamp is more than <maxAgeSecs> s away from the server's clock`;
 * - `the wallet or signature is not base58`;
 * - `the wallet or signature has the wrong length` (not 32 and 64 bytes);
 * - `the signature does not match the wallet` (another wallet, method, path, query, time or nonce).
 */
export function verifyAgentSignature(
  headers: Record<string, string | string[] | undefined>,
  method: string,
  pathAndQuery: string,
  { maxAgeSecs = 60, now = Date.now() }: AgentSignatureOptions = {},
): AgentSignature {
  const one = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const wallet = one(AGENT_WALLET_HEADER);
  const timestamp = Number(one(AGENT_TIMESTAMP_HEADER));
  const signature = one(AGENT_SIGNATURE_HEADER);
  const nonce = one(AGENT_NONCE_HEADER) ?? '';
  if (!wallet || !signature || !Number.isSafeInteger(timestamp) || !/^[1-9A-HJ-NP-Za-km-z]{8,64}$/.test(nonce)) {
    throw new AgentAuthError(
      `sign the request with your wallet: ${AGENT_WALLET_HEADER}, ${AGENT_TIMESTAMP_HEADER} (unix seconds), ${AGENT_NONCE_HEADER} (random base58) and ${AGENT_SIGNATURE_HEADER} (base58 ed25519 signature)`,
    );
  }
  if (Math.abs(now / 1000 - timestamp) > maxAgeSecs) throw new AgentAuthError(`the request's timestamp is more than ${maxAgeSecs} s away from the server's clock`);
  let key: Uint8Array;
  let sig: Uint8Array;
  try {
    key = bs58.decode(wallet);
    sig = bs58.decode(signature);
  } catch {
    throw new AgentAuthError('the wallet or signature is not base58');
  }
  if (key.length !== 32 || sig.length !== 64) throw new AgentAuthError('the wallet or signature has the wrong length');
  let valid: boolean;
  try {
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key).toString('base64url') }, format: 'jwk' });
    valid = verify(null, agentRequestMessage(method, pathAndQuery, timestamp, nonce), publicKey, sig);
  } catch {
    valid = false; // 32 bytes that are not a key
  }
  if (!valid) throw new AgentAuthError('the signature does not match the wallet');
  return { wallet, signature, timestamp };
}

export interface AgentRequestOptions extends AgentSignatureOptions {
  /** Where each signature is claimed once (createMemoryReplayStore, or the operator store's replayStore() to survive restarts and span processes). */
  replayStore: ReplayStore;
}

/**
 * The wallet that signed this request, accepting each signed request once:
 * verifyAgentSignature, then a claim of `agent-request:<signature>` in
 * `replayStore` until one second past the end of its time window (after
 * which the time check refuses it anyway).
 * @throws AgentAuthError, one of verifyAgentSignature's, or
 * `this signed request was already used: sign each request afresh` (the
 * store already holds the signature: a replay, also after a restart or on
 * another process sharing the store).
 */
export async function verifyAgentRequest(
  headers: Record<string, string | string[] | undefined>,
  method: string,
  pathAndQuery: string,
  { replayStore, maxAgeSecs = 60, now = Date.now() }: AgentRequestOptions,
): Promise<string> {
  const { wallet, signature, timestamp } = verifyAgentSignature(headers, method, pathAndQuery, { maxAgeSecs, now });
  if (!(await replayStore.claim(replayKey.agentRequest(signature), (timestamp + maxAgeSecs + 1) * 1000))) {
    throw new AgentAuthError('this signed request was already used: sign each request afresh');
  }
  return wallet;
}

/** A Kit message signer (a KeyPairSigner is one). */
export interface AgentSigner {
  address: string;
  signMessages(messages: readonly { content: Uint8Array; signatures: Record<string, Uint8Array> }[]): Promise<readonly Record<string, Uint8Array>[]>;
}

/** The headers that sign one request as `signer`. */
export async function signAgentRequest(signer: AgentSigner, method: string, pathAndQuery: string, now = Date.now()): Promise<Record<string, string>> {
  const timestamp = Math.floor(now / 1000);
  const nonce = bs58.encode(globalThis.crypto.getRandomValues(new Uint8Array(16)));
  const [signatures] = await signer.signMessages([{ content: agentRequestMessage(method, pathAndQuery, timestamp, nonce), signatures: {} }]);
  return {
    [AGENT_WALLET_HEADER]: signer.address,
    [AGENT_TIMESTAMP_HEADER]: String(timestamp),
    [AGENT_NONCE_HEADER]: nonce,
    [AGENT_SIGNATURE_HEADER]: bs58.encode(signatures[signer.address]),
  };
}

/**
 * `fetch` that signs every request as `signer` (wrap it with x402's
 * wrapFetchWithPayment, so the paid retry is signed afresh too).
 */
export function withAgentAuth(signer: AgentSigner, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    for (const [k, v] of Object.entries(await signAgentRequest(signer, request.method, url.pathname + url.search))) headers.set(k, v);
    return base(new Request(request, { headers }));
  };
}
