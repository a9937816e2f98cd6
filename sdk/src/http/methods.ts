// Methods and CORS in one place: a route names the methods it takes; a CORS
// route answers preflights (204 with allow-methods) and every answer of it,
// errors included, carries Access-Control-Allow-Origin; a wrong method is 405
// with `Allow`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors.js';
import { send } from './respond.js';

/** Any origin may call (browser-based wallets call /api/pay cross-origin); no credentials are involved. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'content-type, accept',
  'access-control-max-age': '86400',
};

/**
 * Checks `req.method` against `methods`. With `cors`, sets the CORS headers
 * on `res` and answers a preflight itself.
 * @returns true when it answered (a preflight), false when the route goes on
 * @throws HttpError 405 method_not_allowed with `Allow`
 */
export function allowMethods(req: IncomingMessage, res: ServerResponse, methods: readonly string[], { cors = false }: { cors?: boolean } = {}): boolean {
  const allow = (cors ? [...methods, 'OPTIONS'] : methods).join(', ');
  if (cors) for (const [k, v] of Object.entries(CORS_HEADERS)) res.setHeader(k, v);
  if (cors && req.method === 'OPTIONS') {
    send(res, 204, '', 'text/plain', { 'access-control-allow-methods': allow, allow });
    return true;
  }
  if (!methods.includes(req.method ?? '')) {
    const named = methods.filter((m) => m !== 'HEAD');
    throw new HttpError(405, 'method_not_allowed', `Use ${named.join(' or ')}.`, { headers: { allow } });
  }
  return false;
}
