export * from './bank.js';
export * from './provider.js';
