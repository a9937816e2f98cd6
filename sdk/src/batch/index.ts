// Operator throughput: many jobs per transaction, many transactions in
// flight, fee payers from a pool for refunds of expired jobs, v0 transactions
// over lookup tables.
export * from './payerPool.js';
export * from './lookupTables.js';
export * from './send.js';
export * from './jobs.js';
