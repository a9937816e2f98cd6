// Reading a request without ever throwing past it: the target parsed safely
// (a target that does not parse is a 400, one too long a 414), the body read
// up to a byte limit (413, the connection closed after) and parsed as JSON
// (400). Everything thrown here is an HttpError.
import type { IncomingMessage } from 'node:http';
import { PublicKey } from '@solana/web3.js';
import { HttpError, badRequest } from './errors.js';

export interface RequestTarget {
  method: string;
  /** The path as sent (percent-encoding kept), always starting with "/". */
  path: string;
  query: URLSearchParams;
  /** The target resolved against http://local (or the absolute URL the client sent). */
  url: URL;
}

/** 2 KB: longer than any link these servers build or take. */
export const MAX_URL_LENGTH = 2_048;

/**
 * Method, path and query of `req`. Origin-form targets ("/a?b") are read
 * against a fixed origin; one starting "//" (which anywhere else names a
 * host) or holding a "%" that escapes nothing is refused; absolute-form
 * ("http://h/a") is accepted as HTTP/1.1 requires, its host ignored.
 * @throws HttpError 414 when longer than `maxLength`, 400 when it does not parse
 */
export function parseTarget(req: IncomingMessage, { maxLength = MAX_URL_LENGTH }: { maxLength?: number } = {}): RequestTarget {
  const target = req.url ?? '/';
  if (target.length > maxLength) throw new HttpError(414, 'uri_too_long', `The request target is longer than ${maxLength} characters.`);
  let url: URL | undefined;
  try {
    // "//x" would read as a host anywhere else; a "%" not followed by two hex digits escapes nothing.
    if (target.startsWith('/') && !target.startsWith('//')) url = new URL(`http://local${target}`);
    else if (/^https?:\/\/[^/]/i.test(target)) url = new URL(target);
  } catch {
    url = undefined;
  }
  if (!url || /%(?![0-9A-Fa-f]{2})/.test(target)) throw new HttpError(400, 'bad_request', 'The request target is not a valid path.');
  return { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, url };
}

/**
 * The body, at most `limit` bytes.
 * @throws HttpError 413 (and the connection is closed after the answer) when larger, 400 when the client stops sending
 */
export function readBody(req: IncomingMessage, { limit }: { limit: number }): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, 'payload_too_large', `The body is larger than ${limit} bytes.`, { close: true });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // drained while the answer goes out, so closing after it does not reset the connection
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    const done = () => {
      req.off('data', onData).off('end', onEnd).off('error', onFail).off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        done();
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onFail = () => {
      done();
      reject(new HttpError(400, 'bad_request', 'The body was cut off before its end.', { close: true }));
    };
    const onClose = () => {
      if (!req.complete) onFail();
    };
    req.on('data', onData).on('end', onEnd).on('error', onFail).on('close', onClose);
  });
}

/**
 * The body parsed as JSON, at most `limit` bytes.
 * @throws HttpError 413 when larger, 400 when it is not JSON (`hint` says what was expected)
 */
export async function readJson(req: IncomingMessage, { limit, hint }: { limit: number; hint?: string }): Promise<unknown> {
  const text = (await readBody(req, { limit })).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad_request', hint ? `The body must be JSON: ${hint}.` : 'The body must be JSON.');
  }
}

/**
 * A public key named by a request (a query parameter, a body field or a
 * path segment, percent-decoded by the caller): canonical base58 of 32
 * bytes; with `wallet`, also on the ed25519 curve (a key that signs; a
 * credit account's owner may be a PDA, a signer may not).
 * @throws HttpError 400 bad_request naming `name`
 */
export function publicKeyParam(value: unknown, name: string, { wallet = false }: { wallet?: boolean } = {}): PublicKey {
  const invalid = () => badRequest(`The ${name} is not a valid public key.`);
  if (typeof value !== 'string' || !/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(value)) throw invalid();
  let key: PublicKey;
  try {
    key = new PublicKey(value);
  } catch {
    throw invalid();
  }
  if (key.toBase58() !== value) throw invalid();
  if (wallet && !PublicKey.isOnCurve(key.toBytes())) throw badRequest(`The ${name} is not a wallet address (it is off the ed25519 curve, so no key can sign for it).`);
  return key;
}
