// Solana Pay top-ups, browser-safe: no Node module, no global Buffer. The
// transaction-request server and QR files are in the Node-only `./server` entry.
export * from './config.js';
export * from './createTopUpUrl.js';
export * from './parseTopUpUrl.js';
export * from './createTopUpQr.js';
export * from './findTopUp.js';
export * from './validateTopUp.js';
export * from './ensureTopUpReady.js';
