// `@job-escrow/sdk/x402` (Node): AI agents top up their own credit account
// through x402 (docs/x402.md). Needs the optional peers @x402/core and
// @x402/svm (the agent side also @x402/fetch and @solana/kit).
export * from './agentAuth.js';
export * from './paywall.js';
export * from './replayStore.js';
export type { OpeningBudgetOptions } from './openingBudget.js';
