// The program's constants with no Solana library types: addresses as base58
// strings, amounts as bigint. Shared by the Anchor/web3.js SDK (which wraps
// the addresses in PublicKey, in ../constants.ts) and the @solana/kit client.

/** The job_escrow program id (`declare_id!` in programs/job_escrow/src/lib.rs). */
export const PROGRAM_ADDRESS = 'JobhhA5HoGYXSMtC8aKaYFY2n3QPp4WDEwCipynkXbp';
/** The upgradeable BPF loader, owner of the program's ProgramData account. */
export const BPF_LOADER_UPGRADEABLE_ADDRESS = 'BPFLoaderUpgradeab1e11111111111111111111111';
/** The classic SPL Token program (USDC, USDT). */
export const TOKEN_PROGRAM_ADDRESS = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';
/** The Token-2022 (Token Extensions) program: a config's mint may belong to it (PYUSD); see core/tokenProgram.ts. */
export const TOKEN_2022_PROGRAM_ADDRESS = 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb';
/** The Associated Token Account program (a vault is the ATA of its credit account). */
export const ASSOCIATED_TOKEN_PROGRAM_ADDRESS = 'ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL';

const utf8 = (s: string) => new TextEncoder().encode(s);
export const CONFIG_SEED = utf8('config');
export const CREDIT_SEED = utf8('credits');

/** Job slots a credit account opens with when `open_credit_account` is given 0. */
export const DEFAULT_JOB_SLOTS = 16;
/** The most job slots a credit account may hold (open_credit_account, add_job_slots). */
export const MAX_JOB_SLOTS = 64;
/** Bytes of one JobSlot in a CreditAccount. */
export const JOB_SLOT_LEN = 57;
/** Where the job slots start in a CreditAccount: 229 bytes of fields, then the Vec's u32 count. */
export const JOB_SLOTS_OFFSET = 233;

/** Bytes of a CreditAccount holding `slots` job slots (233 + 57 × slots). */
export function creditAccountLen(slots: number = DEFAULT_JOB_SLOTS): number {
  return JOB_SLOTS_OFFSET + JOB_SLOT_LEN * slots;
}

/** USDC has 6 decimals; 1 credit = $0.01 = 10,000 base units by default. */
export const USDC_DECIMALS = 6;

/** Tier index: 0 Lite, 1 Standard, 2 Pro, 3 Max. */
export enum Tier {
  Lite = 0,
  Standard = 1,
  Pro = 2,
  Max = 3,
}

export interface TierPrice {
  requestCredits: bigint;
  per1kCredits: bigint;
  includedTokens: number;
}

/** The specification's defaults (section 2). */
export const DEFAULTS = {
  pricePerCredit: 10_000n,
  minPurchaseCredits: 100n,
  jobTimeoutSecs: 120,
  providerShareBpsMin: 7_500,
  providerShareBpsMax: 8_500,
  maxOutputTokensPerJob: 100_000,
  tiers: [
    { requestCredits: 2n, per1kCredits: 1n, includedTokens: 500 },
    { requestCredits: 8n, per1kCredits: 4n, includedTokens: 500 },
    { requestCredits: 18n, per1kCredits: 9n, includedTokens: 500 },
    { requestCredits: 40n, per1kCredits: 20n, includedTokens: 500 },
  ] as readonly TierPrice[],
} as const;

/**
 * Compute-unit limit requested per instruction (ComputeBudget), from the
 * program's measured costs with headroom for the classic SPL Token program
 * (about 4,600 CU per Transfer outside LiteSVM) and for PDA bumps below 255,
 * instead of the 200,000 default. See docs/program.md.
 */
export const COMPUTE_UNITS = {
  initialize_config: 20_000,
  update_config: 10_000,
  nominate_admin: 5_000,
  accept_admin: 5_000,
  open_credit_account: 60_000,
  purchase: 10_000,
  add_job_slots: 10_000,
  // Measured (npm run bench): lock 858, refund 617, settle 2,343 with
  // p-token and 6,981 with the classic Token program, each job in flight
  // before the one found adding about 10 (64 slots at most).
  lock: 3_000,
  settle: 10_000,
  refund: 2_000,
  withdraw: 10_000,
  set_spending_limit: 2_000,
  collect_fees: 10_000,
  close_credit_account: 12_000,
  grant_credits: 10_000,
  expire_promo: 10_000,
} as const;

/**
 * Compute units of a batch instruction: a fixed part plus a part per job and
 * per distinct credit account (each account is loaded once). Measured per
 * job (npm run bench, docs/benchmarks.md): lock_batch 682 one job per
 * wallet, 1,100 for 64 jobs of one wallet (each lock compares its id with
 * every job in flight); refund_batch under 600; settle_batch about 2,000
 * one job per wallet with p-token. settle_batch's part per job covers a
 * classic-Token transfer (about 5,700 with its CPI), as if every job paid
 * another worker.
 */
export const BATCH_COMPUTE_UNITS = {
  lock_batch: { base: 3_000, perAccount: 500, perJob: 1_400 },
  settle_batch: { base: 3_000, perAccount: 500, perJob: 8_000 },
  refund_batch: { base: 3_000, perAccount: 500, perJob: 1_200 },
} as const;

/** The compute-unit limit for one batch instruction of `jobs` jobs over `accounts` credit accounts. */
export function batchComputeUnits(name: keyof typeof BATCH_COMPUTE_UNITS, { jobs, accounts }: { jobs: number; accounts: number }): number {
  const c = BATCH_COMPUTE_UNITS[name];
  return c.base + c.perAccount * accounts + c.perJob * jobs;
}
