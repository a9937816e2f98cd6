// The Node-only entry: the Solana Pay transaction-request server with its
// top-up page, and QR codes written to files.
export * from './topUpServer.js';
export * from './writeTopUpQr.js';
