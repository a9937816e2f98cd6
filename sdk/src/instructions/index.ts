export * from './initializeConfig.js';
export * from './admin.js';
export * from './openCreditAccount.js';
export * from './credits.js';
export * from './jobs.js';
export * from './promo.js';
export type { MintAccounts } from './common.js';
