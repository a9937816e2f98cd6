import type { PublicKey, TransactionInstruction } from '@solana/web3.js';
import { toU64, type Amount } from '../idl.js';
import { findConfigPda, findCreditAccountPda } from '../pdas.js';
import { buildInstruction, mintAccounts, vaultOf, type MintAccounts } from './common.js';

type Opts = { programId?: PublicKey };

/** `credits` value for withdraw that takes everything withdrawable, dust included. */
export const WITHDRAW_ALL = (1n << 64n) - 1n;

/** The accounts every owner instruction shares; PDAs derive from `owner` and `mint` (and `tokenProgram`). */
export interface OwnerAccounts extends MintAccounts {
  owner: PublicKey;
  config?: PublicKey;
  creditAccount?: PublicKey;
  vault?: PublicKey;
}

function ownerAccounts(a: OwnerAccounts, programId?: PublicKey) {
  const creditAccount = a.creditAccount ?? findCreditAccountPda(a.owner, { programId })[0];
  return {
    owner: a.owner,
    config: a.config ?? findConfigPda({ programId })[0],
    credit_account: creditAccount,
    vault: vaultOf(a, creditAccount),
    ...mintAccounts(a),
  };
}

/** Builds `purchase`: `credits * price` USDC from `source` (the owner's token account) into the vault. */
export function getPurchaseInstruction(
  accounts: OwnerAccounts & { source: PublicKey },
  args: { credits: Amount },
  { programId }: Opts = {},
): TransactionInstruction {
  return buildInstruction(
    'purchase',
    { ...ownerAccounts(accounts, programId), source: accounts.source },
    { credits: toU64(args.credits, 'credits') },
    programId,
  );
}

/** Builds `withdraw`: `credits * price` USDC (or everything, with WITHDRAW_ALL) to `destination`. */
export function getWithdrawInstruction(
  accounts: OwnerAccounts & { destination: PublicKey },
  args: { credits: Amount },
  { programId }: Opts = {},
): TransactionInstruction {
  return buildInstruction(
    'withdraw',
    { ...ownerAccounts(accounts, programId), destination: accounts.destination },
    { credits: toU64(args.credits, 'credits') },
    programId,
  );
}

export interface SpendingLimits {
  /** Credits a single lock may take (0 = no cap). */
  maxCreditsPerJob: Amount;
  /** Credits jobs may take per 24-hour window (0 = no cap). */
  dailyLimitCredits?: Amount;
}

/** Builds `set_spending_limit` (0 = no cap). */
export function getSetSpendingLimitInstruction(
  accounts: { owner: PublicKey; creditAccount?: PublicKey },
  args: SpendingLimits,
  { programId }: Opts = {},
): TransactionInstruction {
  return buildInstruction(
    'set_spending_limit',
    {
      owner: accounts.owner,
      credit_account: accounts.creditAccount ?? findCreditAccountPda(accounts.owner, { programId })[0],
    },
    { max_credits_per_job: toU64(args.maxCreditsPerJob, 'maxCreditsPerJob'), daily_limit_credits: toU64(args.dailyLimitCredits ?? 0, 'dailyLimitCredits') },
    programId,
  );
}

/** Builds `collect_fees` (anyone may send it). */
export function getCollectFeesInstruction(
  accounts: MintAccounts & { creditAccount: PublicKey; treasury: PublicKey; vault?: PublicKey; config?: PublicKey },
  { programId }: Opts = {},
): TransactionInstruction {
  return buildInstruction(
    'collect_fees',
    {
      config: accounts.config ?? findConfigPda({ programId })[0],
      credit_account: accounts.creditAccount,
      vault: vaultOf(accounts, accounts.creditAccount),
      treasury: accounts.treasury,
      ...mintAccounts(accounts),
    },
    {},
    programId,
  );
}

/**
 * Builds `close_credit_account` (empty account, no open jobs): `rentPayer`
 * (the credit account's recorded `rentPayer`) gets back the rent it paid,
 * the owner the rest.
 */
export function getCloseCreditAccountInstruction(accounts: OwnerAccounts & { rentPayer: PublicKey }, { programId }: Opts = {}): TransactionInstruction {
  return buildInstruction('close_credit_account', { ...ownerAccounts(accounts, programId), rent_payer: accounts.rentPayer }, {}, programId);
}
