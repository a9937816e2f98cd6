// The @solana/kit client of job_escrow (`@job-escrow/kit`, packed from ../kit/package.json). Everything in
// ./generated is written by Codama from idl/job_escrow.json
// (scripts/gen-kit-client.mjs); the rest is what an IDL cannot say (the vault
// is an ATA, balances, prices, top-up URLs, events), and its rules come from
// ../core, the same modules the Anchor/web3.js SDK uses. No web3.js, Anchor
// or bn.js is reachable from here (tests/kit/bundle.test.ts).
export * from './generated/index.js';
export * from './addresses.js';
export * from './balance.js';
export * from './topUp.js';
export * from './events.js';
export { quote, creditsToBaseUnits, baseUnitsToCredits, creditsToUsdc, formatUnits, parseUnits } from '../core/pricing.js';
export { availableCredits, withdrawableCredits, summarizeBalance, type BalanceSummary, type BalanceInputs } from '../core/balances.js';
export { encodeTransferRequestUrl, topUpAmount, type TopUpTerms, type TransferRequestFields } from '../core/topUp.js';
export { TOKEN_PROGRAM_ADDRESSES, isTokenProgram, tokenProgramOfMint, tokenProgramAddress, type TokenProgramName } from '../core/tokenProgram.js';
/** Tier indices (0 Lite, 1 Standard, 2 Pro, 3 Max); `Tier` here is the generated price struct, as in the program. */
export { Tier as TierLevel, DEFAULTS, USDC_DECIMALS, COMPUTE_UNITS, BATCH_COMPUTE_UNITS, batchComputeUnits, DEFAULT_JOB_SLOTS, MAX_JOB_SLOTS, JOB_SLOT_LEN, JOB_SLOTS_OFFSET, creditAccountLen, type TierPrice } from '../core/constants.js';
