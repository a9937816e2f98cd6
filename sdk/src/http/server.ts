// The server factory of the three public servers: node:http with every
// timeout set and every failure turned into an answer.
//
// - Timeouts: the headers must arrive within `headersTimeoutMs` however
//   slowly they are dribbled, the whole request within `requestTimeoutMs`;
//   an idle keep-alive socket closes after `keepAliveTimeoutMs`, any socket
//   silent for `idleTimeoutMs` is destroyed. Node checks the first two every
//   `checkIntervalMs` (its default, 30 s, would let a slow client hold a
//   socket four times longer than the limit says).
// - Malformed HTTP (node's parser refuses it, headers over `maxHeaderSize`,
//   a timeout) is answered with the JSON error body straight on the socket,
//   or the socket is destroyed when an answer was already started on it.
// - The handler cannot throw out: whatever it throws or rejects with is
//   answered (HttpError as itself, else 502/500, logged) and the process
//   goes on serving; an answer already started is ended, never written twice.
import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpError, errorBody, logToStderr } from './errors.js';
import { sendError } from './respond.js';

export interface HttpServerOptions {
  /** Where internal errors and upstream failures are reported (default: stderr). */
  log?: (line: string) => void;
  /** Time to receive the request's headers (default 10 s). */
  headersTimeoutMs?: number;
  /** Time to receive the whole request (default 30 s). */
  requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this (default 5 s). */
  keepAliveTimeoutMs?: number;
  /** A socket with no traffic either way for this long is destroyed (default 30 s). */
  idleTimeoutMs?: number;
  /** Largest header section in bytes (default 16 KB; more is 431). */
  maxHeaderSize?: number;
  /** Requests one keep-alive connection may carry (default 1,000). */
  maxRequestsPerSocket?: number;
  /** How often node checks the headers and request timeouts (default 1 s). */
  checkIntervalMs?: number;
}

export const HTTP_SERVER_DEFAULTS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  maxHeaderSize: 16 * 1024,
  maxRequestsPerSocket: 1_000,
  checkIntervalMs: 1_000,
} as const;

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A raw HTTP/1.1 answer with the error body, for sockets that have no ServerResponse. */
function rawAnswer(status: number, code: string, message: string, details: Record<string, unknown> = {}): string {
  const body = JSON.stringify(errorBody(code, message, details));
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncache-control: no-store\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  );
}

/** What node's parser refusal (or a timeout) answers. */
function clientErrorAnswer(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return rawAnswer(431, 'headers_too_large', 'The request headers are too large.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return rawAnswer(408, 'request_timeout', 'The request took too long to arrive.');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return rawAnswer(413, 'payload_too_large', 'The chunk extensions are too large.');
    default:
      // The parser's reason (HPE_INVALID_METHOD, HPE_UNEXPECTED_CONTENT_LENGTH …) helps whoever wrote the client.
      return rawAnswer(400, 'bad_request', 'The request is not valid HTTP/1.1.', err.code ? { reason: err.code } : {});
  }
}

/** Answers `req` with `handler`; every failure becomes an answer. Never throws, never rejects. */
export async function serveSafely(req: IncomingMessage, res: ServerResponse, handler: HttpHandler, log: (line: string) => void): Promise<void> {
  // Without listeners these would be thrown as uncaught when a client goes away mid-answer.
  req.on('error', () => {});
  res.on('error', () => {});
  try {
    if (req.httpVersion === '1.1' && req.headers.host === undefined) throw new HttpError(400, 'bad_request', 'An HTTP/1.1 request needs a Host header.');
    await handler(req, res);
  } catch (err) {
    try {
      sendError(res, err, log);
    } catch {
      res.destroy();
    }
  }
}

/**
 * A node:http server running `handler` with the timeouts, limits and error
 * answers above. Not started: `listen` it.
 */
export function createHttpServer(handler: HttpHandler, options: HttpServerOptions = {}): Server {
  const o = { ...HTTP_SERVER_DEFAULTS, ...options };
  const log = options.log ?? logToStderr;
  const server = createServer(
    {
      headersTimeout: o.headersTimeoutMs,
      requestTimeout: o.requestTimeoutMs,
      keepAliveTimeout: o.keepAliveTimeoutMs,
      connectionsCheckingInterval: o.checkIntervalMs,
      maxHeaderSize: o.maxHeaderSize,
      // Our own 400 with the error body instead of node's empty one (serveSafely).
      requireHostHeader: false,
    },
    (req, res) => void serveSafely(req, res, handler, log),
  );
  server.maxRequestsPerSocket = o.maxRequestsPerSocket;
  // A socket silent for this long is destroyed (no 'timeout' listener on the server: node destroys it).
  server.timeout = o.idleTimeoutMs;
  const answered = new WeakSet<Duplex>();
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // The parser may report the same broken stream more than once: answer once.
    if (answered.has(socket)) return;
    answered.add(socket);
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    socket.end(clientErrorAnswer(err));
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      // A slow client is cut off, not left holding a half-closed socket.
      socket.once('finish', () => socket.destroy());
    } else {
      // Drained, so closing does not reset the connection before the client reads the answer.
      socket.resume();
      setTimeout(() => socket.destroy(), 1_000).unref();
    }
  });
  // `Expect` other than 100-continue: node would answer 417 with no body.
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    sendError(res, new HttpError(417, 'expectation_failed', 'Only "Expect: 100-continue" is supported.', { close: true }));
  });
  // CONNECT: node would drop the socket without a word.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => {});
    socket.end(rawAnswer(405, 'method_not_allowed', 'CONNECT is not supported.'));
    setTimeout(() => socket.destroy(), 1_000).unref();
  });
  return server;
}
