// `@job-escrow/sdk/x402` (Node): AI agents top up their own credit account
// through x402 (docs/x402.md). Needs the optional peers @x402/core and
// @x402/svm (the agent side also @x402/fetch and @solana/kit).
export * from './agentAuth.js';
export * from './paywall.js';
export * from './replayStore.js';
export { JobBatcher, DEFAULT_BATCH_WAIT_MS, DEFAULT_BATCH_MAX_JOBS, type JobBatcherOptions, type BatchedLock, type BatchedSettle, type BatchedOutcome } from '../batcher/index.js';
export type { OpeningBudgetOptions } from './openingBudget.js';
