// Writing answers: once, with our default headers, never twice. A response
// already started when something fails is ended as it is.
import type { ServerResponse } from 'node:http';
import { toHttpError } from './errors.js';

const DEFAULT_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/** Writes `body` with `status` unless an answer was already started (then ends it). Never throws. */
export function send(res: ServerResponse, status: number, body: string | Buffer, type: string, headers: Record<string, string> = {}): void {
  try {
    if (res.headersSent || res.writableEnded) {
      if (!res.writableEnded) res.end();
      return;
    }
    const all: Record<string, string> = { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...DEFAULT_HEADERS };
    // Lower-cased, so a caller's "Cache-Control" replaces ours instead of going out twice.
    for (const [k, v] of Object.entries(headers)) all[k.toLowerCase()] = v;
    res.writeHead(status, all);
    res.end(body);
  } catch {
    // A header value the client made invalid, a socket already gone: nothing more can be said.
    res.destroy();
  }
}

/** Writes `body` as JSON (camelCase keys, docs/http.md). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8', headers);
}

/** Answers whatever was thrown: an HttpError as itself, anything else as 502/500 with a generic message (logged). */
export function sendError(res: ServerResponse, err: unknown, log: (line: string) => void = () => {}): void {
  const e = toHttpError(err, log);
  sendJson(res, e.status, e.body, { ...e.options.headers, ...(e.options.close ? { connection: 'close' } : {}) });
}
