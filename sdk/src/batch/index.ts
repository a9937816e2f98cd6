// Operator throughput: many jobs per transaction, many transactions in
// flight, fee and rent payers from a pool, v0 transactions over lookup tables.
export * from './payerPool.js';
export * from './lookupTables.js';
export * from './send.js';
export * from './jobs.js';
