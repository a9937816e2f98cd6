// The batch forms of spec section 8: lock_batch, settle_batch and
// refund_batch take many jobs of many credit accounts in one instruction,
// each account listed once in ascending address order; one bad job rejects
// the whole instruction.
import { TOKEN_PROGRAM_ID } from '@solana/spl-token';
import type { PublicKey, TransactionInstruction } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  JobEscrowErrorCode as E,
  compareAddresses,
  getLockBatchInstruction,
  getRefundBatchInstruction,
  getSettleBatchInstruction,
  getWithdrawInstruction,
  quote,
  type JobEscrowEvent,
} from '../../sdk/src/index.js';
import { Escrow, expectProgramError, type User } from '../shared/index.js';
import { directCalls } from './setup/compute.js';

function world(n = 3, credits = 100n) {
  const env = new Escrow();
  const users = Array.from({ length: n }, () => env.funded(credits));
  return { env, users, watched: users.flatMap((u) => [u.credit, u.vault]) };
}

const lockJob = (u: User, jobId: bigint, o: { tier?: number; maxOutputTokens?: number } = {}) => ({
  creditAccount: u.credit,
  vault: u.vault,
  jobId,
  tier: o.tier ?? 1,
  maxOutputTokens: o.maxOutputTokens ?? 1_500,
});

/** Events of one kind, sorted by credit account then job id (the program emits them in the batch's order). */
function byAccount(events: JobEscrowEvent[]) {
  return events
    .map((e) => e.data as unknown as { creditAccount: PublicKey; jobId: bigint })
    .sort((a, b) => compareAddresses(a.creditAccount, b.creditAccount) || Number(a.jobId - b.jobId));
}

/** Remaining accounts start after the declared ones: 2 for lock_batch and refund_batch, 3 for settle_batch. */
function remaining(ix: TransactionInstruction, declared: number) {
  return ix.keys.slice(declared);
}

describe('lock_batch', () => {
  it('locks every job of several accounts in one instruction, the authority its only signer', () => {
    const { env, users } = world();
    const [a, b, c] = users;
    const ix = getLockBatchInstruction({ authority: env.operator.publicKey }, [lockJob(c, 1n), lockJob(a, 2n), lockJob(b, 3n), lockJob(a, 4n, { tier: 0, maxOutputTokens: 500 })]);
    expect(ix.keys.filter((k) => k.isSigner).map((k) => k.pubkey.toBase58())).toEqual([env.operator.publicKey.toBase58()]);
    const before = env.lamports(env.operator.publicKey);
    const sent = env.send(ix, [env.operator]);
    expect(before - env.lamports(env.operator.publicKey)).toBe(5_000n);
    expect(env.credit(a)).toMatchObject({ locked: quote(1, 1_500) + quote(0, 500), openJobs: 2 });
    expect(env.credit(b)).toMatchObject({ locked: 12n, openJobs: 1 });
    expect(env.credit(c)).toMatchObject({ locked: 12n, openJobs: 1 });
    expect(env.job(a, { jobId: 2n })?.slot).toBe(0);
    expect(env.job(a, { jobId: 4n })?.slot).toBe(1);
    expect(env.slotBytes(b, 0).readBigUInt64LE(0)).toBe(3n);
    // Each event names its own credit account
    expect(sent.events.map((e) => e.name)).toEqual(['JobLocked', 'JobLocked', 'JobLocked', 'JobLocked']);
    expect(byAccount(sent.events)).toEqual(
      byAccount([
        { name: 'JobLocked', data: { creditAccount: c.credit, jobId: 1n } },
        { name: 'JobLocked', data: { creditAccount: a.credit, jobId: 2n } },
        { name: 'JobLocked', data: { creditAccount: b.credit, jobId: 3n } },
        { name: 'JobLocked', data: { creditAccount: a.credit, jobId: 4n } },
      ] as unknown as JobEscrowEvent[]).map((e) => expect.objectContaining(e)),
    );
  });

  it('one job above its account’s credits rejects the whole batch, nothing changed', () => {
    const { env, users, watched } = world();
    const [a, b, c] = users;
    env.send(getWithdrawInstruction({ owner: b.wallet.publicKey, mint: env.mint, destination: b.usdc }, { credits: 95n }), [b.wallet]);
    const before = env.snapshot(watched);
    const bytes = users.map((u) => Buffer.from(env.data(u.credit)!));
    const ix = getLockBatchInstruction({ authority: env.operator.publicKey }, [lockJob(a, 1n), lockJob(b, 2n), lockJob(c, 3n)]);
    expectProgramError(() => env.send(ix, [env.operator]), E.InsufficientCredits);
    expect(env.snapshot(watched)).toEqual(before);
    users.forEach((u, i) => expect(env.data(u.credit)!.equals(bytes[i])).toBe(true));
  });

  it('a job id twice in one batch for one account → JobAlreadyLocked, nothing changed', () => {
    const { env, users, watched } = world();
    const [a, b] = users;
    const before = env.snapshot(watched);
    const ix = getLockBatchInstruction({ authority: env.operator.publicKey }, [lockJob(a, 9n), lockJob(b, 9n), lockJob(a, 9n, { tier: 0 })]);
    expectProgramError(() => env.send(ix, [env.operator]), E.JobAlreadyLocked);
    expect(env.snapshot(watched)).toEqual(before);
    // The same id in two accounts is two jobs
    env.send(getLockBatchInstruction({ authority: env.operator.publicKey }, [lockJob(a, 9n), lockJob(b, 9n)]), [env.operator]);
    expect(env.job(a, { jobId: 9n })).toBeDefined();
    expect(env.job(b, { jobId: 9n })).toBeDefined();
  });

  it('one credit account listed twice → DuplicateAccount; accounts out of ascending order → InvalidBatch', () => {
    const { env, users, watched } = world(2);
    const before = env.snapshot(watched);
    const build = () => getLockBatchInstruction({ authority: env.operator.publicKey }, users.map((u, i) => lockJob(u, BigInt(10 + i))));
    // The second pair made a copy of the first: the same account twice
    const dup = build();
    const [first, firstVault, second, secondVault] = remaining(dup, 2);
    second.pubkey = first.pubkey;
    secondVault.pubkey = firstVault.pubkey;
    expectProgramError(() => env.send(dup, [env.operator]), E.DuplicateAccount);
    // The two pairs swapped: the addresses descend
    const swapped = build();
    const keys = remaining(swapped, 2).map((k) => k.pubkey);
    swapped.keys.splice(2, 4, ...[keys[2], keys[3], keys[0], keys[1]].map((pubkey, i) => ({ pubkey, isSigner: false, isWritable: i % 2 === 0 })));
    expectProgramError(() => env.send(swapped, [env.operator]), E.InvalidBatch);
    // A job naming a pair past the list
    const past = build();
    past.keys.splice(4, 2);
    expectProgramError(() => env.send(past, [env.operator]), E.InvalidBatch);
    expect(env.snapshot(watched)).toEqual(before);
  });

  it('a job naming an earlier group than the job before it → InvalidBatch, even when the accounts it reaches ascend', () => {
    // Given three accounts listed A, C, B (a B < C swap of the sorted list) and the jobs naming groups 0, 2, 1:
    // the accounts the jobs reach, A then B then C, ascend, but the group indices do not
    const { env, users, watched } = world(3);
    const before = env.snapshot(watched);
    const ix = getLockBatchInstruction({ authority: env.operator.publicKey }, users.map((u, i) => lockJob(u, BigInt(20 + i))));
    const keys = remaining(ix, 2);
    ix.keys.splice(2, 6, keys[0], keys[1], keys[4], keys[5], keys[2], keys[3]);
    // The instruction data: the 8-byte discriminator, the job count (u32), then the jobs, each starting with its group index
    const item = (ix.data.length - 12) / 3;
    expect([0, 1, 2].map((j) => ix.data[12 + j * item])).toEqual([0, 1, 2]);
    ix.data[12 + item] = 2;
    ix.data[12 + 2 * item] = 1;
    expectProgramError(() => env.send(ix, [env.operator]), E.InvalidBatch);
    expect(env.snapshot(watched)).toEqual(before);
  });

  it('a full account rejects the batch → NoFreeJobSlot', () => {
    const env = new Escrow();
    const a = env.funded(100n, { jobSlots: 1 });
    const b = env.funded(100n);
    const watched = [a.credit, b.credit];
    env.lock(a, { jobId: 1n });
    const before = env.snapshot(watched);
    const ix = getLockBatchInstruction({ authority: env.operator.publicKey }, [lockJob(a, 2n), lockJob(b, 3n)]);
    expectProgramError(() => env.send(ix, [env.operator]), E.NoFreeJobSlot);
    expect(env.snapshot(watched)).toEqual(before);
  });
});

const settleJob = (u: User, jobId: bigint, w: { usdc: PublicKey }) => ({
  creditAccount: u.credit,
  vault: u.vault,
  providerTokenAccount: w.usdc,
  jobId,
  outputTokens: 1_000,
  providerShareBps: 8_000,
});

describe('settle_batch', () => {
  it('pays jobs of one account to one worker in a row as one transfer of their sum', () => {
    // Given three jobs of one account, the first two for worker 1, the third for worker 2
    const { env, users } = world(1);
    const [a] = users;
    const jobs = [300n, 301n, 302n].map((jobId) => env.lock(a, { jobId }));
    const [w1, w2] = [env.worker(), env.worker()];
    const ix = getSettleBatchInstruction({ operator: env.operator.publicKey, mint: env.mint }, [
      settleJob(a, jobs[0].jobId, w1),
      settleJob(a, jobs[1].jobId, w1),
      settleJob(a, jobs[2].jobId, w2),
    ]);
    const sent = env.send(ix, [env.operator]);
    // Then worker 1 has both shares ($0.08 each) and worker 2 one, from two token transfers
    expect(env.tokenBalance(w1.usdc)).toBe(160_000n);
    expect(env.tokenBalance(w2.usdc)).toBe(80_000n);
    expect(env.tokenBalance(a.vault)).toBe(1_000_000n - 240_000n);
    expect(env.credit(a)).toMatchObject({ locked: 0n, openJobs: 0, charged: 30n, feesAccrued: 60_000n });
    expect(directCalls(sent.logs, TOKEN_PROGRAM_ID.toBase58())).toBe(2);
  });

  it('reads an instruction’s accounts up to the 64th entry, not one more: a worker named at entry 64 is paid, at entry 65 → InvalidBatch', () => {
    for (const entries of [64, 65]) {
      // Given one job, its worker moved to entry `entries` behind copies of the config (an instruction may
      // name an account more than once; the transaction still locks a handful)
      const { env, users } = world(1);
      const [a] = users;
      const job = env.lock(a, { jobId: 400n });
      const w = env.worker();
      const ix = getSettleBatchInstruction({ operator: env.operator.publicKey, mint: env.mint }, [settleJob(a, job.jobId, w)]);
      const [worker] = ix.keys.splice(6, 1);
      const config = ix.keys[1];
      while (ix.keys.length < entries - 1) ix.keys.push({ ...config });
      ix.keys.push(worker);
      // The job's provider byte (after the 8-byte discriminator, the u32 count and the group byte) names it:
      // its index among the entries after the four fixed ones
      ix.data[13] = entries - 1 - 4;
      if (entries === 64) {
        env.send(ix, [env.operator]);
        expect(env.tokenBalance(w.usdc)).toBe(80_000n);
      } else {
        expectProgramError(() => env.send(ix, [env.operator]), E.InvalidBatch);
        expect(env.tokenBalance(w.usdc)).toBe(0n);
      }
    }
  });

  it('pays each worker its share from each account’s vault; events carry their credit account', () => {
    const { env, users } = world();
    const [a, b, c] = users;
    const jobs = users.map((u, i) => env.lock(u, { jobId: BigInt(100 + i) }));
    const extra = env.lock(a, { jobId: 200n });
    const [w1, w2] = [env.worker(), env.worker()];
    const ix = getSettleBatchInstruction({ operator: env.operator.publicKey, mint: env.mint }, [
      settleJob(b, jobs[1].jobId, w2),
      settleJob(a, jobs[0].jobId, w1),
      settleJob(c, jobs[2].jobId, w1),
      settleJob(a, extra.jobId, w2),
    ]);
    expect(ix.keys.filter((k) => k.isSigner)).toHaveLength(1);
    const sent = env.send(ix, [env.operator]);
    // 10 credits each ($0.10): $0.08 to the worker, $0.02 kept as fee
    expect(env.tokenBalance(w1.usdc)).toBe(160_000n);
    expect(env.tokenBalance(w2.usdc)).toBe(160_000n);
    expect(env.tokenBalance(a.vault)).toBe(1_000_000n - 160_000n);
    expect(env.tokenBalance(b.vault)).toBe(1_000_000n - 80_000n);
    expect(env.credit(a)).toMatchObject({ locked: 0n, openJobs: 0, charged: 20n, feesAccrued: 40_000n });
    expect(env.credit(c)).toMatchObject({ locked: 0n, openJobs: 0, charged: 10n, feesAccrued: 20_000n });
    expect(env.slotBytes(a, 0).equals(Buffer.alloc(57))).toBe(true);
    expect(env.slotBytes(a, 1).equals(Buffer.alloc(57))).toBe(true);
    expect(sent.events.every((e) => e.name === 'JobSettled')).toBe(true);
    expect(byAccount(sent.events).map((e) => [e.creditAccount.toBase58(), e.jobId])).toEqual(
      [
        [a.credit, 100n],
        [a.credit, 200n],
        [b.credit, 101n],
        [c.credit, 102n],
      ]
        .sort((x, y) => compareAddresses(x[0] as PublicKey, y[0] as PublicKey) || Number((x[1] as bigint) - (y[1] as bigint)))
        .map(([k, id]) => [(k as PublicKey).toBase58(), id]),
    );
    expect(sent.events.map((e) => (e.data as { workerAmount: bigint }).workerAmount)).toEqual([80_000n, 80_000n, 80_000n, 80_000n]);
  });

  it('a job id of another account → JobNotFound, the whole batch undone', () => {
    const { env, users, watched } = world(2);
    const [a, b] = users;
    const ja = env.lock(a, { jobId: 1n });
    const jb = env.lock(b, { jobId: 2n });
    const w = env.worker();
    const watch = [...watched, w.usdc];
    const before = env.snapshot(watch);
    const ix = getSettleBatchInstruction({ operator: env.operator.publicKey, mint: env.mint }, [
      { creditAccount: a.credit, vault: a.vault, providerTokenAccount: w.usdc, jobId: ja.jobId, outputTokens: 1_000, providerShareBps: 8_000 },
      // b's id named against b's account is fine; a's id against b's account is not
      { creditAccount: b.credit, vault: b.vault, providerTokenAccount: w.usdc, jobId: ja.jobId, outputTokens: 1_000, providerShareBps: 8_000 },
    ]);
    expectProgramError(() => env.send(ix, [env.operator]), E.JobNotFound);
    expect(env.snapshot(watch)).toEqual(before);
    expect(env.job(b, jb)?.creditsLocked).toBe(12n);
  });

  it('a later job paying another account’s vault → InvalidTokenAccount: each new worker is checked, nothing paid', () => {
    // Given two accounts with a job each, the first paid to a worker's account, the second to a's vault (owned by a PDA)
    const { env, users, watched } = world(2);
    const [a, b] = users;
    const [ja, jb] = [env.lock(a, { jobId: 1n }), env.lock(b, { jobId: 2n })];
    const w = env.worker();
    const watch = [...watched, w.usdc];
    const before = env.snapshot(watch);
    const first = a.credit.toBuffer().compare(b.credit.toBuffer()) < 0 ? [a, ja] : [b, jb];
    const second = first[0] === a ? [b, jb] : [a, ja];
    const launder = (first[0] as User).vault;
    const job = (u: User, id: bigint, provider: PublicKey) => ({ creditAccount: u.credit, vault: u.vault, providerTokenAccount: provider, jobId: id, outputTokens: 1_000, providerShareBps: 8_000 });
    // When one settle_batch settles both
    const ix = getSettleBatchInstruction({ operator: env.operator.publicKey, mint: env.mint }, [
      job(first[0] as User, (first[1] as { jobId: bigint }).jobId, w.usdc),
      job(second[0] as User, (second[1] as { jobId: bigint }).jobId, launder),
    ]);
    // Then the second worker account is checked like the first, and the whole batch is undone
    expectProgramError(() => env.send(ix, [env.operator]), E.InvalidTokenAccount);
    expect(env.snapshot(watch)).toEqual(before);
  });

  it('settling one job twice in a batch → JobNotFound, nothing paid', () => {
    const { env, users, watched } = world(1);
    const [a] = users;
    const job = env.lock(a);
    const w = env.worker();
    const before = env.snapshot([...watched, w.usdc]);
    const one = { creditAccount: a.credit, vault: a.vault, providerTokenAccount: w.usdc, jobId: job.jobId, outputTokens: 1_000, providerShareBps: 8_000 };
    expectProgramError(() => env.send(getSettleBatchInstruction({ operator: env.operator.publicKey, mint: env.mint }, [one, one]), [env.operator]), E.JobNotFound);
    expect(env.snapshot([...watched, w.usdc])).toEqual(before);
  });

  it('is the operator’s alone → Unauthorized', () => {
    const { env, users, watched } = world(1);
    const [a] = users;
    const job = env.lock(a);
    const stranger = env.wallet();
    const w = env.worker();
    const before = env.snapshot([...watched, w.usdc]);
    const ix = getSettleBatchInstruction({ operator: stranger.publicKey, mint: env.mint }, [
      { creditAccount: a.credit, vault: a.vault, providerTokenAccount: w.usdc, jobId: job.jobId, outputTokens: 1_000, providerShareBps: 8_000 },
    ]);
    expectProgramError(() => env.send(ix, [stranger]), E.Unauthorized);
    expect(env.snapshot([...watched, w.usdc])).toEqual(before);
  });
});

describe('refund_batch', () => {
  it('by a stranger before expiry → JobNotExpired; at expiry it releases every job, reason "expired"', () => {
    const { env, users, watched } = world();
    const jobs = users.map((u, i) => env.lock(u, { jobId: BigInt(300 + i) }));
    const stranger = env.wallet();
    const ix = () => getRefundBatchInstruction({ authority: stranger.publicKey }, users.map((u, i) => ({ creditAccount: u.credit, jobId: jobs[i].jobId })));
    env.warp(119);
    const before = env.snapshot(watched);
    expectProgramError(() => env.send(ix(), [stranger]), E.JobNotExpired);
    expect(env.snapshot(watched)).toEqual(before);
    env.warp(1);
    const sent = env.send(ix(), [stranger]);
    for (const u of users) {
      expect(env.credit(u)).toMatchObject({ locked: 0n, openJobs: 0 });
      expect(env.available(u)).toBe(100n);
    }
    expect(sent.events.map((e) => e.name)).toEqual(['JobRefunded', 'JobRefunded', 'JobRefunded']);
    expect(sent.events.map((e) => (e.data as { reason: number }).reason)).toEqual([1, 1, 1]);
    expect(byAccount(sent.events).map((e) => e.creditAccount.toBase58()).sort()).toEqual(users.map((u) => u.credit.toBase58()).sort());
  });

  it('the operator refunds before expiry (reason 0); an unknown id rejects the whole batch → JobNotFound', () => {
    const { env, users, watched } = world(2);
    const [a, b] = users;
    const ja = env.lock(a, { jobId: 1n });
    const before = env.snapshot(watched);
    const bad = getRefundBatchInstruction({ authority: env.operator.publicKey }, [
      { creditAccount: a.credit, jobId: ja.jobId },
      { creditAccount: b.credit, jobId: ja.jobId },
    ]);
    expectProgramError(() => env.send(bad, [env.operator]), E.JobNotFound);
    expect(env.snapshot(watched)).toEqual(before);
    const sent = env.send(getRefundBatchInstruction({ authority: env.operator.publicKey }, [{ creditAccount: a.credit, jobId: ja.jobId }]), [env.operator]);
    expect(sent.events).toEqual([{ name: 'JobRefunded', data: { creditAccount: a.credit, jobId: 1n, creditsReleased: 12n, reason: 0 } }]);
  });

  it('one credit account listed twice → DuplicateAccount', () => {
    const { env, users, watched } = world(2);
    const [a, b] = users;
    env.lock(a, { jobId: 1n });
    env.lock(b, { jobId: 2n });
    const ix = getRefundBatchInstruction({ authority: env.operator.publicKey }, [
      { creditAccount: a.credit, jobId: 1n },
      { creditAccount: b.credit, jobId: 2n },
    ]);
    const [first, second] = remaining(ix, 2);
    second.pubkey = first.pubkey;
    const before = env.snapshot(watched);
    expectProgramError(() => env.send(ix, [env.operator]), E.DuplicateAccount);
    expect(env.snapshot(watched)).toEqual(before);
  });
});
