import type { Connection, PublicKey } from '@solana/web3.js';
import { AccountNotFoundError } from '../errors.js';
import { findConfigPda, findCreditAccountPda } from '../pdas.js';
import { JOB_ESCROW_PROGRAM_ID } from '../constants.js';
import { decodeAccountData } from '../codec.js';
import type { TierPrice } from '../constants.js';
import { toU64, type Amount } from '../idl.js';

export interface Config {
  admin: PublicKey;
  /** The nominated next admin; the default (all-zero) key when none. */
  pendingAdmin: PublicKey;
  operator: PublicKey;
  mint: PublicKey;
  treasury: PublicKey;
  pricePerCredit: bigint;
  minPurchaseCredits: bigint;
  jobTimeoutSecs: number;
  providerShareBpsMin: number;
  providerShareBpsMax: number;
  tiers: TierPrice[];
  /** The ceiling on any job's `maxOutputTokens`. */
  maxOutputTokensPerJob: number;
  paused: boolean;
  bump: number;
  /** The mint's owner, classic SPL Token or Token-2022: every vault and transfer uses it. */
  tokenProgram: PublicKey;
  /** The mint's decimals (the program's TransferChecked carries them). */
  decimals: number;
}

export interface CreditAccount {
  owner: PublicKey;
  vault: PublicKey;
  locked: bigint;
  openJobs: number;
  feesAccrued: bigint;
  maxCreditsPerJob: bigint;
  purchased: bigint;
  charged: bigint;
  withdrawn: bigint;
  createdAt: bigint;
  /** Credits jobs may take per 24-hour window (0 = no cap). */
  dailyLimitCredits: bigint;
  /** Unix time the current window opened (0 before the first limited lock). */
  windowStart: bigint;
  /** Credits charged or in flight in the current window. */
  spentInWindow: bigint;
  /** Unspent granted (promotional) credits: spent first, never withdrawable. */
  promoCredits: bigint;
  /** Unix time the promo credits expire (0 = never, or no promo). */
  promoExpiresAt: bigint;
  /** Lifetime promotional credits granted. */
  granted: bigint;
  /** Lifetime promotional credits expired or given up. */
  expired: bigint;
  /** The wallet that paid the rent when the account opened: close_credit_account pays it back. */
  rentPayer: PublicKey;
  /** Lamports `rentPayer` paid (the account's rent, and the vault's when the open created it). */
  rentPaid: bigint;
  bump: number;
  /** Every job slot of the account, free ones included (all zeros, `expiresAt` 0): see openJobsOf. */
  jobSlots: JobSlot[];
}

/** One job slot of a CreditAccount as stored: all zeros when free. */
export interface JobSlot {
  jobId: bigint;
  tier: number;
  maxOutputTokens: number;
  creditsLocked: bigint;
  /** The tier's prices when the job was locked: settle charges these. */
  price: TierPrice;
  lockedAt: bigint;
  /** Unix seconds after which anyone may refund the job; 0 = the slot is free. */
  expiresAt: bigint;
}

/** A job in flight: an occupied slot, with its index in the account's `jobSlots`. */
export interface OpenJob extends JobSlot {
  slot: number;
}

/**
 * Decodes a Config account's bytes.
 * @throws if the discriminator is not Config's.
 */
export function decodeConfig(data: Uint8Array): Config {
  return decodeAccountData('Config', data);
}

/** @throws if the discriminator is not CreditAccount's. */
export function decodeCreditAccount(data: Uint8Array): CreditAccount {
  return decodeAccountData('CreditAccount', data);
}

/** The jobs in flight of a credit account (its occupied slots, in slot order). */
export function openJobsOf(credit: Pick<CreditAccount, 'jobSlots'>): OpenJob[] {
  return credit.jobSlots.flatMap((s, slot) => (s.expiresAt !== 0n ? [{ slot, ...s }] : []));
}

/** The job `jobId` in flight in `credit`, or undefined when no slot holds it. */
export function findOpenJob(credit: Pick<CreditAccount, 'jobSlots'>, jobId: Amount): OpenJob | undefined {
  const id = toU64(jobId, 'jobId');
  const slot = credit.jobSlots.findIndex((s) => s.expiresAt !== 0n && s.jobId === id);
  return slot < 0 ? undefined : { slot, ...credit.jobSlots[slot] };
}

/** The subset of `Connection` the fetchers need (AnchorProvider, bankrun and LiteSVM providers all have it). */
export type AccountReader = Pick<Connection, 'getAccountInfo'>;

/**
 * `getAccountInfo`, with null for a missing account whether the connection
 * returns null (RPC, LiteSVM) or throws "Could not find" (anchor-bankrun).
 */
export async function readAccountInfo(connection: AccountReader, address: PublicKey) {
  try {
    return await connection.getAccountInfo(address);
  } catch (err) {
    if (/could not find/i.test(String((err as Error)?.message))) return null;
    throw err;
  }
}

/**
 * Several accounts in one RPC call (getMultipleAccountsInfo), or one call
 * each where the connection lacks it (anchor-bankrun).
 */
export async function readAccountInfos(connection: AccountReader & Partial<Pick<Connection, 'getMultipleAccountsInfo'>>, addresses: PublicKey[]) {
  if (connection.getMultipleAccountsInfo) return connection.getMultipleAccountsInfo(addresses, 'confirmed');
  return Promise.all(addresses.map((a) => readAccountInfo(connection, a)));
}

async function fetchMaybe<T>(
  connection: AccountReader,
  address: PublicKey,
  decode: (data: Uint8Array) => T,
  programId: PublicKey,
): Promise<T | null> {
  const info = await readAccountInfo(connection, address);
  if (!info || info.lamports === 0) return null;
  // A job_escrow account is only trusted when the program owns it.
  if (!info.owner.equals(programId)) return null;
  return decode(info.data);
}

async function fetchOrThrow<T>(kind: AccountNotFoundError["kind"], address: PublicKey, maybe: Promise<T | null>): Promise<T> {
  const value = await maybe;
  if (value === null) throw new AccountNotFoundError(kind, address);
  return value;
}

type Opts = { programId?: PublicKey };

/** The Config, or null when the program is not initialized. */
export function fetchMaybeConfig(connection: AccountReader, { programId = JOB_ESCROW_PROGRAM_ID }: Opts = {}): Promise<Config | null> {
  return fetchMaybe(connection, findConfigPda({ programId })[0], decodeConfig, programId);
}

/** @throws AccountNotFoundError when the program is not initialized. */
export function fetchConfig(connection: AccountReader, opts: Opts = {}): Promise<Config> {
  return fetchOrThrow('Config', findConfigPda(opts)[0], fetchMaybeConfig(connection, opts));
}

/** The CreditAccount of `owner`, or null when it is not open. */
export function fetchMaybeCreditAccount(
  connection: AccountReader,
  owner: PublicKey,
  { programId = JOB_ESCROW_PROGRAM_ID }: Opts = {},
): Promise<CreditAccount | null> {
  return fetchMaybe(connection, findCreditAccountPda(owner, { programId })[0], decodeCreditAccount, programId);
}

/** @throws AccountNotFoundError when `owner` has no credit account. */
export function fetchCreditAccount(connection: AccountReader, owner: PublicKey, opts: Opts = {}): Promise<CreditAccount> {
  return fetchOrThrow('CreditAccount', findCreditAccountPda(owner, opts)[0], fetchMaybeCreditAccount(connection, owner, opts));
}

