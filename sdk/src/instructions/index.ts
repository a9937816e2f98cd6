export * from './initializeConfig.js';
export * from './openCreditAccount.js';
