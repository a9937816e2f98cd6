export * from './topup.js';
export * from './server.js';
