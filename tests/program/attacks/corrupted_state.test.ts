// Defence in depth: every checked operation and every layout check of the
// program proven by a state the program itself never writes. Each test
// rewrites one field of a program-owned account (through the Kit client's
// generated codecs) or plants a malformed account, sends an honest
// instruction, and expects the exact error with nothing changed. Without the
// check, each of these would wrap a balance, pay out, or read garbage
// (scripts/mutate.py: the full run's survivors, docs/security.md).
import { AccountLayout, TOKEN_PROGRAM_ID } from '@solana/spl-token';
import { Keypair, TransactionInstruction, type PublicKey } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  JOB_ESCROW_PROGRAM_ID,
  JOB_SLOT_LEN,
  MAX_JOB_SLOTS,
  JobEscrowErrorCode as E,
  creditAccountLen,
  WITHDRAW_ALL,
  findConfigPda,
  getAddJobSlotsInstruction,
  getGrantCreditsInstruction,
  getInitializeConfigInstruction,
  getLockBatchInstruction,
  getLockInstruction,
  getPurchaseInstruction,
  getRefundBatchInstruction,
  getRefundInstruction,
  getSetSpendingLimitInstruction,
  getSettleBatchInstruction,
  getSettleInstruction,
  getUpdateConfigInstruction,
  getWithdrawInstruction,
  DEFAULTS,
} from '../../../sdk/src/index.js';
import {
  getConfigDecoder,
  getConfigEncoder,
  getCreditAccountDecoder,
  getCreditAccountEncoder,
  type Config,
  type CreditAccount,
  type JobSlot,
} from '../../../sdk/src/kit/index.js';
import { Escrow, TestEnv, expectProgramError } from '../../shared/index.js';
import { scenario } from './scenario.js';

const U64_MAX = (1n << 64n) - 1n;
const I64_MAX = (1n << 63n) - 1n;

type Codec<T> = { decode(b: Uint8Array): T; encode(v: T): Uint8Array };
const CREDIT: Codec<CreditAccount> = { decode: (b) => getCreditAccountDecoder().decode(b), encode: (v) => Uint8Array.from(getCreditAccountEncoder().encode(v)) };
const CONFIG: Codec<Config> = { decode: (b) => getConfigDecoder().decode(b), encode: (v) => Uint8Array.from(getConfigEncoder().encode(v)) };

/** Rewrites the program account at `address` with `change` applied to its decoded fields. */
function rewrite<T>(env: Escrow, address: PublicKey, codec: Codec<T>, change: Partial<T>) {
  env.setRaw(address, codec.encode({ ...codec.decode(env.data(address)!), ...change }), JOB_ESCROW_PROGRAM_ID);
}
const config = () => findConfigPda()[0];

/** Rewrites slot `slot` of the credit account at `address` with `change` applied. */
function rewriteSlot(env: Escrow, address: PublicKey, slot: number, change: Partial<JobSlot>) {
  const credit = CREDIT.decode(env.data(address)!);
  const jobSlots = credit.jobSlots.map((s, i) => (i === slot ? { ...s, ...change } : s));
  env.setRaw(address, CREDIT.encode({ ...credit, jobSlots }), JOB_ESCROW_PROGRAM_ID);
}

/** `ix` with one byte more of instruction data. */
const withTrailingByte = (ix: TransactionInstruction) => new TransactionInstruction({ programId: ix.programId, keys: ix.keys, data: Buffer.concat([ix.data, Buffer.from([0])]) });

describe('attack: corrupted state — settle', () => {
  it('a job slot locking less than its price at the output → ChargeExceedsLock', () => {
    const { env, victim, job, attempt } = scenario();
    rewriteSlot(env, victim.credit, 0, { creditsLocked: 1n });
    attempt(() => env.settle(victim, job), E.ChargeExceedsLock);
  });

  it('a price per credit whose charge overflows u64 → ArithmeticOverflow', () => {
    const { env, victim, job, attempt } = scenario();
    rewrite(env, config(), CONFIG, { pricePerCredit: 1n << 62n });
    attempt(() => env.settle(victim, job), E.ArithmeticOverflow);
  });

  it('a share bound above 100 % (a worker paid more than the charge) → ArithmeticOverflow', () => {
    const { env, victim, job, attempt } = scenario();
    rewrite(env, config(), CONFIG, { providerShareBpsMax: 20_000 });
    attempt(() => env.settle(victim, job, { bps: 20_000 }), E.ArithmeticOverflow);
  });

  it('fees accrued, or the lifetime charge, at u64::MAX → ArithmeticOverflow', () => {
    for (const field of ['feesAccrued', 'charged'] as const) {
      const { env, victim, job, attempt } = scenario();
      rewrite(env, victim.credit, CREDIT, { [field]: U64_MAX - 1n });
      attempt(() => env.settle(victim, job), E.ArithmeticOverflow);
    }
  });

  it('a credit account locking less than its job, or with no open job → ArithmeticOverflow', () => {
    for (const change of [{ locked: 0n }, { openJobs: 0 }]) {
      const { env, victim, job, attempt } = scenario();
      rewrite(env, victim.credit, CREDIT, change);
      attempt(() => env.settle(victim, job), E.ArithmeticOverflow);
    }
  });
});

describe('attack: corrupted state — job slots', () => {
  it('a slot count above what the account holds, or below it → InvalidAccountData', () => {
    for (const count of [17, 15, 0xffff_ffff]) {
      const { env, victim, job, attempt } = scenario();
      const bytes = env.data(victim.credit)!;
      bytes.writeUInt32LE(count, 229);
      env.setRaw(victim.credit, bytes, JOB_ESCROW_PROGRAM_ID);
      attempt(() => env.settle(victim, job), E.InvalidAccountData);
      attempt(() => env.lock(victim, { tier: 0, maxOutputTokens: 500 }), E.InvalidAccountData);
    }
  });

  it('65 slots, the bytes to match, → InvalidAccountData; 64 the same way still loads', () => {
    for (const count of [65, 64]) {
      // Given the victim's account grown by hand to `count` zeroed slots (its job in slot 0)
      const { env, victim, job, attempt } = scenario();
      const bytes = Buffer.concat([env.data(victim.credit)!, Buffer.alloc((count - 16) * JOB_SLOT_LEN)]);
      bytes.writeUInt32LE(count, 229);
      expect(bytes.length).toBe(creditAccountLen(count));
      env.setRaw(victim.credit, bytes, JOB_ESCROW_PROGRAM_ID);
      if (count > MAX_JOB_SLOTS) {
        attempt(() => env.settle(victim, job), E.InvalidAccountData);
      } else {
        env.settle(victim, job);
        expect(env.credit(victim).openJobs).toBe(0);
        expect(env.credit(victim).jobSlots).toHaveLength(64);
      }
    }
  });

  it('a slot expiring at i64::MAX is still refused to a stranger → JobNotExpired', () => {
    const { env, victim, attacker, job, attempt } = scenario();
    rewriteSlot(env, victim.credit, 0, { expiresAt: I64_MAX });
    env.warp(1_000_000);
    attempt(() => env.refund(victim, job, attacker.wallet), E.JobNotExpired);
  });

  it('the same job id in two slots (never written by the program): lock still refuses it → JobAlreadyLocked', () => {
    const { env, victim, job, attempt } = scenario();
    const first = CREDIT.decode(env.data(victim.credit)!).jobSlots[0];
    rewriteSlot(env, victim.credit, 5, first);
    attempt(() => env.lock(victim, { jobId: job.jobId }), E.JobAlreadyLocked);
  });
});

describe('attack: corrupted state — lock', () => {
  it('open jobs at u32::MAX → ArithmeticOverflow', () => {
    const { env, victim, attempt } = scenario();
    rewrite(env, victim.credit, CREDIT, { openJobs: 0xffff_ffff });
    attempt(() => env.lock(victim, { tier: 0, maxOutputTokens: 500 }), E.ArithmeticOverflow);
  });

  it('fees accrued above the vault → ArithmeticOverflow, never a wrapped balance', () => {
    const { env, victim, attempt } = scenario();
    rewrite(env, victim.credit, CREDIT, { feesAccrued: env.tokenBalance(victim.vault) + 1n });
    attempt(() => env.lock(victim, { tier: 0, maxOutputTokens: 500 }), E.ArithmeticOverflow);
  });

  it('a tier whose request price plus the metered part overflows u64 → ArithmeticOverflow', () => {
    const { env, victim, attempt } = scenario();
    const tiers = CONFIG.decode(env.data(config())!).tiers.map((t, i) => (i === 1 ? { ...t, requestCredits: U64_MAX - 1n } : t));
    rewrite(env, config(), CONFIG, { tiers });
    attempt(() => env.lock(victim, { tier: 1, maxOutputTokens: 1_500 }), E.ArithmeticOverflow);
  });

  it('a daily window that would end past i64::MAX, or a day\'s spend at u64::MAX → ArithmeticOverflow', () => {
    for (const change of [{ windowStart: I64_MAX - 10n }, { spentInWindow: U64_MAX - 1n }]) {
      const { env, victim, attempt } = scenario();
      env.send(getSetSpendingLimitInstruction({ owner: victim.wallet.publicKey }, { maxCreditsPerJob: 0n, dailyLimitCredits: 1_000n }), [victim.wallet]);
      rewrite(env, victim.credit, CREDIT, { windowStart: env.now(), ...change });
      attempt(() => env.lock(victim, { tier: 0, maxOutputTokens: 500 }), E.ArithmeticOverflow);
    }
  });
});

describe('attack: corrupted state — withdraw, grant, expire', () => {
  const withdraw = (env: Escrow, u: ReturnType<Escrow['funded']>, credits: bigint) =>
    env.send(getWithdrawInstruction({ owner: u.wallet.publicKey, mint: env.mint, destination: u.usdc }, { credits }), [u.wallet]);

  it('withdraw everything with a reserve (locked + promo) that overflows, in the sum or in USDC → ArithmeticOverflow', () => {
    for (const promoCredits of [U64_MAX, 1n << 62n]) {
      const { env, victim, attempt } = scenario();
      rewrite(env, victim.credit, CREDIT, { promoCredits });
      attempt(() => withdraw(env, victim, WITHDRAW_ALL), E.ArithmeticOverflow);
    }
  });

  it('withdraw everything with fees accrued above the vault → ArithmeticOverflow', () => {
    const { env, victim, attempt } = scenario();
    rewrite(env, victim.credit, CREDIT, { feesAccrued: env.tokenBalance(victim.vault) + 1n });
    attempt(() => withdraw(env, victim, WITHDRAW_ALL), E.ArithmeticOverflow);
  });

  it('a lifetime withdrawn at u64::MAX → ArithmeticOverflow', () => {
    const { env, victim, attempt } = scenario();
    rewrite(env, victim.credit, CREDIT, { withdrawn: U64_MAX });
    attempt(() => withdraw(env, victim, 1n), E.ArithmeticOverflow);
  });

  it('grant onto promo credits, or a lifetime granted, at u64::MAX → ArithmeticOverflow', () => {
    for (const field of ['promoCredits', 'granted'] as const) {
      const { env, victim, attempt } = scenario();
      const source = env.operatorUsdc;
      rewrite(env, victim.credit, CREDIT, { [field]: U64_MAX });
      attempt(() => env.send(getGrantCreditsInstruction({ operator: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, source }, { credits: 1n }), [env.operator]), E.ArithmeticOverflow);
    }
  });

  it('expire promo onto a lifetime expired at u64::MAX → ArithmeticOverflow', () => {
    const { env, victim, attempt } = scenario();
    env.grant(victim, 10n);
    rewrite(env, victim.credit, CREDIT, { expired: U64_MAX });
    attempt(() => env.expirePromo(victim), E.ArithmeticOverflow);
  });
});

describe('attack: malformed accounts and data', () => {
  it('a CreditAccount one byte longer, or with another discriminator → InvalidAccountData', () => {
    for (const bytes of [(b: Buffer) => Buffer.concat([b, Buffer.from([0])]), (b: Buffer) => Buffer.concat([Buffer.from(b.subarray(0, 8)).fill(7), b.subarray(8)])]) {
      const { env, victim, attempt } = scenario();
      env.setRaw(victim.credit, bytes(env.data(victim.credit)!), JOB_ESCROW_PROGRAM_ID);
      attempt(() => env.purchase(victim, 100n), E.InvalidAccountData);
    }
  });

  it('a worker token account one byte longer, or frozen → InvalidTokenAccount', () => {
    for (const mangle of [(b: Buffer) => Buffer.concat([b, Buffer.from([0])]), (b: Buffer) => ((b[108] = 2), b)]) {
      const { env, victim, job, worker, attempt } = scenario();
      env.setRaw(worker.usdc, mangle(Buffer.from(env.data(worker.usdc)!)), TOKEN_PROGRAM_ID);
      attempt(() => env.settle(victim, job, { provider: worker.usdc }), E.InvalidTokenAccount);
    }
  });

  it('a vault whose token owner is not the credit account → InvalidVault', () => {
    const { env, victim, attacker, attempt } = scenario();
    const vault = AccountLayout.decode(env.data(victim.vault)!);
    const bytes = Buffer.alloc(AccountLayout.span);
    AccountLayout.encode({ ...vault, owner: attacker.wallet.publicKey }, bytes);
    env.setRaw(victim.vault, bytes, TOKEN_PROGRAM_ID);
    attempt(() => withdrawAll(env, victim), E.InvalidVault);
  });

  it('a mint that is not initialized, or one byte longer → InvalidMint (initialize_config)', () => {
    for (const mangle of [(b: Buffer) => ((b[45] = 0), b), (b: Buffer) => Buffer.concat([b, Buffer.from([0])])]) {
      const env = new TestEnv(false);
      const mint = Keypair.generate().publicKey;
      env.setRaw(mint, mangle(Buffer.from(env.data(env.mint)!)), TOKEN_PROGRAM_ID);
      const ix = getInitializeConfigInstruction({ admin: env.admin.publicKey, mint, treasury: env.treasury }, { operator: env.operator.publicKey });
      expectProgramError(() => env.send(ix, [env.admin]), E.InvalidMint);
      expect(env.data(config())).toBeNull();
    }
  });

  it('instruction data with a trailing byte → InvalidInstructionData, for every instruction with arguments', () => {
    const { env, victim, job, worker, attempt } = scenario();
    const owner = victim.wallet.publicKey;
    const cases: [TransactionInstruction, Keypair[]][] = [
      [getPurchaseInstruction({ owner, mint: env.mint, source: victim.usdc }, { credits: 100n }), [victim.wallet]],
      [getWithdrawInstruction({ owner, mint: env.mint, destination: victim.usdc }, { credits: 1n }), [victim.wallet]],
      [getSetSpendingLimitInstruction({ owner }, { maxCreditsPerJob: 50n }), [victim.wallet]],
      [
        getSettleInstruction(
          { operator: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, providerTokenAccount: worker.usdc },
          { jobId: job.jobId, outputTokens: 1_000, providerShareBps: 8_000 },
        ),
        [env.operator],
      ],
      [getLockInstruction({ authority: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint }, { jobId: 950n, tier: 0, maxOutputTokens: 10 }), [env.operator]],
      [getRefundInstruction({ authority: env.operator.publicKey, creditAccount: victim.credit }, { jobId: job.jobId }), [env.operator]],
      [getAddJobSlotsInstruction({ owner }, { count: 1 }), [victim.wallet]],
      [getLockBatchInstruction({ authority: env.operator.publicKey }, [{ creditAccount: victim.credit, vault: victim.vault, jobId: 951n, tier: 0, maxOutputTokens: 10 }]), [env.operator]],
      [
        getSettleBatchInstruction({ operator: env.operator.publicKey, mint: env.mint }, [
          { creditAccount: victim.credit, vault: victim.vault, providerTokenAccount: worker.usdc, jobId: job.jobId, outputTokens: 1_000, providerShareBps: 8_000 },
        ]),
        [env.operator],
      ],
      [getRefundBatchInstruction({ authority: env.operator.publicKey }, [{ creditAccount: victim.credit, jobId: job.jobId }]), [env.operator]],
      [getGrantCreditsInstruction({ operator: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, source: env.operatorUsdc }, { credits: 1n }), [env.operator]],
      // update_config's optional fields are read by the program's Borsh reader, which must consume every byte.
      [getUpdateConfigInstruction({ admin: env.admin.publicKey }, { paused: true }), [env.admin]],
      [getUpdateConfigInstruction({ admin: env.admin.publicKey }, { jobTimeoutSecs: 300, tiers: DEFAULTS.tiers }), [env.admin]],
    ];
    for (const [ix, signers] of cases) attempt(() => env.send(withTrailingByte(ix), signers), E.InvalidInstructionData);
  });
});

function withdrawAll(env: Escrow, u: ReturnType<Escrow['funded']>) {
  return env.send(getWithdrawInstruction({ owner: u.wallet.publicKey, mint: env.mint, destination: u.usdc }, { credits: WITHDRAW_ALL }), [u.wallet]);
}
