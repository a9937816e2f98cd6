// Our HTTP layer (Node only; node:http, no framework: docs/http.md), used by
// the top-up server, the operator API and the x402 paywall.
export * from './errors.js';
export * from './methods.js';
export * from './process.js';
export * from './rateLimit.js';
export * from './request.js';
export * from './respond.js';
export * from './server.js';
