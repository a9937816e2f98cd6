// The one error body of every route of every server (docs/http.md):
//   { "error": "<snake_case_code>", "message": "<one sentence>", …camelCase details }
// A handler throws HttpError for a refusal it means, UpstreamError (or
// `upstream(promise)`) around a call to the RPC or the facilitator; anything
// else thrown is a bug and answers 500 internal_error.

/** Codes shared by the three servers; a server may add its own (the paywall: unauthenticated, credits_low, lock_refused …). */
export type ErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'uri_too_long'
  | 'headers_too_large'
  | 'request_timeout'
  | 'expectation_failed'
  | 'rate_limited'
  | 'unauthorized'
  | 'upstream_error'
  | 'internal_error'
  | (string & {});

/** What every error answer carries. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  [detail: string]: unknown;
}

export function errorBody(error: ErrorCode, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { ...details, error, message };
}

export interface HttpErrorOptions {
  /** Response headers (Allow, Retry-After …). */
  headers?: Record<string, string>;
  /** camelCase detail fields added to the body. */
  details?: Record<string, unknown>;
  /** Close the connection after the answer (a request body left unread). */
  close?: boolean;
}

/** A refusal the server means: answered with `status` and the error body. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly options: HttpErrorOptions = {},
  ) {
    super(message);
  }

  get body(): ErrorBody {
    return errorBody(this.code, this.message, this.options.details);
  }
}

/** A call to something we depend on (the RPC, the facilitator) failed: answered 502 upstream_error. */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(readonly cause: unknown) {
    super(`upstream failed: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/** `work`, its failure marked as the upstream's (an HttpError it throws stays one). */
export async function upstream<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
  try {
    return await (typeof work === 'function' ? work() : work);
  } catch (err) {
    throw err instanceof HttpError || err instanceof UpstreamError ? err : new UpstreamError(err);
  }
}

/** 400 bad_request with `message`. */
export const badRequest = (message: string): HttpError => new HttpError(400, 'bad_request', message);

/** A client-supplied text cut to 100 characters, for quoting it in a message. */
export const quoted = (text: string): string => (text.length > 100 ? `${text.slice(0, 100)}…` : text);

/** 404 not_found for a path no route serves. */
export const noRoute = (path: string): HttpError => new HttpError(404, 'not_found', `No route for ${quoted(path)}.`);

/** Where the servers report internal errors when given no `log`. */
export const logToStderr = (line: string): void => console.error(line);

/** What a thrown value answers: itself when an HttpError, else 502 or 500 (logged, never shown: the message is generic). */
export function toHttpError(err: unknown, log: (line: string) => void): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof UpstreamError) {
    log(`http: ${err.message}`);
    return new HttpError(502, 'upstream_error', 'A service this server depends on failed; try again shortly.');
  }
  log(`http: internal error: ${(err as Error)?.stack ?? String(err)}`);
  return new HttpError(500, 'internal_error', 'Something went wrong on our side.');
}
