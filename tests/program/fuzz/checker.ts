// A seeded, reproducible random walk over the program in LiteSVM: many users
// with few job slots (so accounts fill up), purchases, plain deposits, locks,
// settles and refunds (single and batched, across accounts, with duplicate
// ids and bad jobs in a batch), add_job_slots, job ids reused once their slot
// is free, refunds at random clock times, withdrawals, fee collections,
// owners' spending limits and the admin's repricing. After every step it
// checks the invariants (every rejected instruction changed nothing) and
// compares each account's daily window (its start, what it holds: the day's
// allowance) and promo (balance and expiry) with a model of the
// specification (sections 4 and 7); at the end it refunds every expired job
// and withdraws everything.
// `npm run fuzz -- --steps N --seed S` runs it at any size.
import { createTransferInstruction } from '@solana/spl-token';

import {
  DEFAULTS,
  JobEscrowError,
  JobEscrowErrorCode as E,
  MAX_JOB_SLOTS,
  WITHDRAW_ALL,
  creditAccountLen,
  findOpenJob,
  getCollectFeesInstruction,
  getLockBatchInstruction,
  getRefundBatchInstruction,
  getSettleBatchInstruction,
  getSetSpendingLimitInstruction,
  getUpdateConfigInstruction,
  getWithdrawInstruction,
  openJobsOf,
  quote,
  type TierPrice,
} from '../../../sdk/src/index.js';
import { Escrow, type User } from '../../shared/index.js';

const PRICE = 10_000n;
const OPS = [
  'purchase', 'deposit', 'grant', 'lock', 'settle', 'refund', 'lockBatch', 'settleBatch', 'refundBatch', 'slots',
  'withdraw', 'collect', 'limit', 'reprice', 'expire', 'warp',
] as const;
type Op = (typeof OPS)[number];

/** Errors each operation may legitimately meet in a random walk; anything else fails the run. */
const ALLOWED: Record<Op, number[]> = {
  purchase: [E.BelowMinimumPurchase],
  deposit: [],
  lock: [E.InsufficientCredits, E.JobAlreadyLocked, E.NoFreeJobSlot, E.SpendingLimitExceeded, E.DailyLimitExceeded],
  settle: [E.JobExpired, E.OutputExceedsMax, E.ShareOutOfBounds, E.JobNotFound],
  refund: [E.JobNotExpired, E.JobNotFound],
  lockBatch: [E.InsufficientCredits, E.JobAlreadyLocked, E.NoFreeJobSlot, E.SpendingLimitExceeded, E.DailyLimitExceeded],
  settleBatch: [E.JobExpired, E.OutputExceedsMax, E.ShareOutOfBounds, E.JobNotFound],
  refundBatch: [E.JobNotExpired, E.JobNotFound],
  slots: [E.TooManyJobSlots],
  withdraw: [E.InsufficientCredits],
  collect: [E.NothingToCollect],
  grant: [E.InvalidPromoExpiry],
  limit: [],
  reprice: [],
  expire: [E.PromoNotExpired, E.NothingToExpire],
  warp: [],
};

/** mulberry32: a small seeded PRNG, so a seed reproduces a run exactly. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}

interface ModelJob {
  user: number;
  jobId: bigint;
  credits: bigint;
  maxOutputTokens: number;
  price: TierPrice;
  /** The clock at its lock: a settle or refund gives back to the window only a job locked in it. */
  lockedAt: bigint;
  state: 'locked' | 'settled' | 'refunded';
}

const DAY = 86_400n;

/** One owner's daily window and promo as the specification computes them (sections 4 and 7). */
class OwnerModel {
  limit = 0n;
  windowStart = 0n;
  spent = 0n;
  promo = 0n;
  promoExpiresAt = 0n;

  /** What a lock of `credits` at `now` does to the window: a new window 24 h or more after the last one opened; false when it goes past the limit (the lock is refused and nothing changes). */
  lock(credits: bigint, now: bigint): boolean {
    if (this.limit === 0n) return true;
    const fresh = now >= this.windowStart + DAY;
    const spent = (fresh ? 0n : this.spent) + credits;
    if (spent > this.limit) return false;
    if (fresh) this.windowStart = now;
    this.spent = spent;
    return true;
  }

  /** A job closed with `unspent` of its lock not charged (all of it on refund) gives that back to the window it was locked in, if that is the current one. */
  release(unspent: bigint, lockedAt: bigint): void {
    if (lockedAt >= this.windowStart) this.spent = this.spent > unspent ? this.spent - unspent : 0n;
  }

  /** Settle spends promo first; at 0 (exactly too) the expiry resets. */
  charge(charged: bigint): void {
    if (this.promo <= charged) this.promoExpiresAt = 0n;
    this.promo = this.promo > charged ? this.promo - charged : 0n;
  }

  /** The expiry of a grant: the later of the two, 0 (never) winning, or the new one when no promo was left. */
  grant(credits: bigint, expiresAt: bigint): void {
    if (this.promo === 0n) this.promoExpiresAt = expiresAt;
    else if (this.promoExpiresAt === 0n || expiresAt === 0n) this.promoExpiresAt = 0n;
    else if (expiresAt > this.promoExpiresAt) this.promoExpiresAt = expiresAt;
    this.promo += credits;
  }

  expire(credits: bigint): void {
    this.promo -= credits;
    if (this.promo === 0n) this.promoExpiresAt = 0n;
  }
}

export interface FuzzReport {
  steps: number;
  seed: number;
  ok: Record<Op, number>;
  rejected: Record<Op, number>;
  /** Rejections by the program's error name (JobAlreadyLocked, NoFreeJobSlot, ...). */
  errors: Record<string, number>;
}

export async function runFuzz({ steps, seed, users: userCount = 4 }: { steps: number; seed: number; users?: number }): Promise<FuzzReport> {
  const rnd = prng(seed);
  const env = new Escrow();
  // Few slots (1 to 3, one account at the default 16), so full accounts are common
  const slotCounts = Array.from({ length: userCount }, (_, i) => (i === 0 ? 16 : rnd.int(1, 3)));
  const users: User[] = slotCounts.map((n) => env.user({ usdc: 10_000_000_000n, jobSlots: n === 16 ? 0 : n }));
  const models = users.map(() => new OwnerModel());
  let tiers: readonly TierPrice[] = DEFAULTS.tiers;
  const donor = env.user({ usdc: 100_000_000_000n, open: false });
  const workers = [env.worker(), env.worker()];
  const strangers = [env.wallet(), env.wallet()];
  const jobs: ModelJob[] = [];
  const open = new Set<ModelJob>();
  const latest = new Map<string, ModelJob>();
  const changed = new Set<ModelJob>();
  const keyOf = (j: { user: number; jobId: bigint }) => `${j.user}:${j.jobId}`;
  let nextJobId = 1n;
  const ok = Object.fromEntries(OPS.map((o) => [o, 0])) as Record<Op, number>;
  const rejected = { ...ok };
  const errors: Record<string, number> = {};

  const tokenAccounts = [...users.flatMap((u) => [u.usdc, u.vault]), donor.usdc, ...workers.map((w) => w.usdc), env.treasury, env.operatorUsdc];
  const watched = [...users.flatMap((u) => [u.credit, u.vault, u.usdc]), ...workers.map((w) => w.usdc), env.treasury];
  const totalUsdc = () => tokenAccounts.reduce((s, a) => s + env.tokenBalance(a), 0n);
  const initialTotal = totalUsdc();

  const fail = (msg: string): never => {
    throw new Error(`fuzz seed ${seed}: ${msg}`);
  };

  function checkInvariants(step: number) {
    for (const [i, u] of users.entries()) {
      const c = env.credit(u);
      const vault = env.tokenBalance(u.vault);
      if (vault < PRICE * c.locked + c.feesAccrued) fail(`step ${step}: user ${i} vault ${vault} < price*locked + fees`);
      // Section 7: every promo credit stays backed by USDC in the vault.
      if ((vault - c.feesAccrued) / PRICE < c.promoCredits) fail(`step ${step}: user ${i} promo ${c.promoCredits} not backed (vault ${vault}, fees ${c.feesAccrued})`);
      const mine = [...open].filter((j) => j.user === i);
      const lockedSum = mine.reduce((s, j) => s + j.credits, 0n);
      if (c.locked !== lockedSum) fail(`step ${step}: user ${i} locked ${c.locked} != sum of open jobs ${lockedSum}`);
      if (c.openJobs !== mine.length) fail(`step ${step}: user ${i} open_jobs ${c.openJobs} != ${mine.length}`);
      // Section 8: the slots hold exactly the model's jobs in flight, each id once, in an account of the model's size
      if (c.jobSlots.length !== slotCounts[i]) fail(`step ${step}: user ${i} has ${c.jobSlots.length} slots, not ${slotCounts[i]}`);
      if (env.data(u.credit)!.length !== creditAccountLen(slotCounts[i])) fail(`step ${step}: user ${i} account is not 233 + 57 x ${slotCounts[i]} bytes`);
      const inSlots = openJobsOf(c);
      if (new Set(inSlots.map((j) => j.jobId)).size !== inSlots.length) fail(`step ${step}: user ${i} holds one job id in two slots`);
      if (inSlots.length !== mine.length) fail(`step ${step}: user ${i} holds ${inSlots.length} jobs in its slots, the model ${mine.length}`);
      // open_jobs counts the slots in use: lock's walk over the slots stops on it
      if (c.openJobs !== inSlots.length) fail(`step ${step}: user ${i} open_jobs ${c.openJobs}, ${inSlots.length} slots in use`);
      for (const s of c.jobSlots) if (s.expiresAt === 0n && (s.jobId !== 0n || s.creditsLocked !== 0n)) fail(`step ${step}: user ${i} has a free slot that is not all zeros`);
      // Sections 4 and 7: the day's window (so its allowance, limit - spent) and the promo balance and expiry, as the model has them
      const m = models[i];
      const got = { limit: c.dailyLimitCredits, windowStart: c.windowStart, spent: c.spentInWindow, promo: c.promoCredits, promoExpiresAt: c.promoExpiresAt };
      const want = { limit: m.limit, windowStart: m.windowStart, spent: m.spent, promo: m.promo, promoExpiresAt: m.promoExpiresAt };
      for (const k of Object.keys(want) as (keyof typeof want)[]) {
        if (got[k] !== want[k]) fail(`step ${step}: user ${i} ${k} ${got[k]}, the model ${want[k]} (window start ${m.windowStart}, now ${env.now()})`);
      }
      for (const j of mine) {
        const slot = findOpenJob(c, j.jobId);
        if (!slot) fail(`step ${step}: user ${i} job ${j.jobId} is in flight but in no slot`);
        else if (slot.creditsLocked !== j.credits || slot.maxOutputTokens !== j.maxOutputTokens) fail(`step ${step}: job ${j.jobId} slot changed`);
      }
    }
    // Every job this step closed is in no slot, unless a lock reused its id
    // (a new job: only the latest job of an id is judged).
    for (const j of changed) {
      if (latest.get(keyOf(j)) !== j || j.state === 'locked') continue;
      if (findOpenJob(env.credit(users[j.user]), j.jobId)) fail(`step ${step}: job ${j.jobId} is ${j.state} but still in a slot`);
    }
    if (totalUsdc() !== initialTotal) fail(`step ${step}: USDC total ${totalUsdc()} != ${initialTotal}`);
    changed.clear();
  }

  /** The model's state changes of a job, recorded for the invariant check; a settle's `charged` (else a refund's nothing) goes to the window and the promo. */
  function track(j: ModelJob, state: ModelJob['state'], charged = 0n) {
    if (j.state === 'locked' && state !== 'locked') {
      models[j.user].release(j.credits - charged, j.lockedAt);
      if (state === 'settled') models[j.user].charge(charged);
    }
    j.state = state;
    changed.add(j);
    if (state === 'locked') {
      open.add(j);
      latest.set(keyOf(j), j);
    } else open.delete(j);
  }

  /** Records the job `jobId` of user `ui` that a lock just put in a slot, priced `tier` of the current table at `maxOutputTokens`. */
  function recordLock(step: number, ui: number, jobId: bigint, tier: number, maxOutputTokens: number) {
    const c = env.credit(users[ui]);
    const slot = findOpenJob(c, jobId);
    if (!slot) return fail(`step ${step}: job ${jobId} locked but in no slot`);
    if (c.maxCreditsPerJob !== 0n && slot.creditsLocked > c.maxCreditsPerJob) fail(`step ${step}: a lock above the per-job cap`);
    if (c.dailyLimitCredits !== 0n && c.spentInWindow > c.dailyLimitCredits) fail(`step ${step}: a lock above the daily limit`);
    const credits = quote(tier, maxOutputTokens, { tiers });
    if (slot.creditsLocked !== credits) fail(`step ${step}: job ${jobId} locked ${slot.creditsLocked}, the tier table says ${credits}`);
    if (slot.lockedAt !== env.now()) fail(`step ${step}: job ${jobId} locked at ${slot.lockedAt}, not now (${env.now()})`);
    if (!models[ui].lock(credits, env.now())) fail(`step ${step}: job ${jobId} locked past the daily limit of the model`);
    const job: ModelJob = { user: ui, jobId, credits: slot.creditsLocked, maxOutputTokens: slot.maxOutputTokens, price: slot.price, lockedAt: env.now(), state: 'locked' };
    jobs.push(job);
    track(job, 'locked');
  }

  /** The rejection of a lock agrees with the model: an id in flight, a full account, or a job past the day's allowance. */
  function checkLockRejection(step: number, code: number | undefined, locks: { user: number; jobId: bigint; tier: number; maxOutputTokens: number }[]) {
    if (code === E.DailyLimitExceeded) {
      // Some job of the batch, in order, goes past its owner's allowance (on copies: a refused lock changes nothing)
      const copies = new Map<number, OwnerModel>();
      const over = locks.some((l) => {
        const m = copies.get(l.user) ?? Object.assign(new OwnerModel(), models[l.user]);
        copies.set(l.user, m);
        return !m.lock(quote(l.tier, l.maxOutputTokens, { tiers }), env.now());
      });
      if (!over) fail(`step ${step}: DailyLimitExceeded within the model's allowance`);
    }
    const inFlight = (l: { user: number; jobId: bigint }) => [...open].some((j) => j.user === l.user && j.jobId === l.jobId);
    const dupInBatch = new Set(locks.map(keyOf)).size !== locks.length;
    if (code === E.JobAlreadyLocked && !dupInBatch && !locks.some(inFlight)) fail(`step ${step}: JobAlreadyLocked for ids not in flight`);
    if (code === E.NoFreeJobSlot) {
      const wanted = new Map<number, number>();
      for (const l of locks) wanted.set(l.user, (wanted.get(l.user) ?? 0) + 1);
      const full = [...wanted].some(([ui, n]) => [...open].filter((j) => j.user === ui).length + n > slotCounts[ui]);
      if (!full) fail(`step ${step}: NoFreeJobSlot with free slots`);
    }
  }

  /** The program error code of the last rejected attempt. */
  let lastCode: number | undefined;

  /** Mostly a job still in flight, sometimes any job (closed ones must be refused). */
  const pickJob = (): ModelJob => {
    // The latest job of the id: an old, closed job whose id a lock reused is that new job now
    const j = open.size > 0 && rnd.chance(0.85) ? rnd.pick([...open]) : rnd.pick(jobs);
    return latest.get(keyOf(j)) ?? j;
  };

  /**
   * Runs one operation; a program error must be in the op's allowed list and
   * leave every account of the users and workers as it was. Returns true on success.
   */
  function attempt(op: Op, f: () => void): boolean {
    const before = JSON.stringify(env.snapshot(watched));
    try {
      f();
      ok[op]++;
      return true;
    } catch (err) {
      if (err instanceof JobEscrowError && ALLOWED[op].includes(err.code)) {
        lastCode = err.code;
        rejected[op]++;
        errors[err.name] = (errors[err.name] ?? 0) + 1;
        if (JSON.stringify(env.snapshot(watched)) !== before) fail(`${op} was rejected (${err.name}) but changed an account`);
        return false;
      }
      throw new Error(`fuzz seed ${seed}: ${op} failed unexpectedly: ${(err as Error).message}\n${((err as { logs?: string[] }).logs ?? []).join('\n')}`);
    }
  }

  for (let step = 0; step < steps; step++) {
    // Let the test runner's messages through now and then (the walk is synchronous).
    if (step % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
    const op = rnd.pick(OPS);
    const ui = rnd.int(0, users.length - 1);
    const u = users[ui];
    switch (op) {
      case 'purchase':
        attempt(op, () => env.purchase(u, BigInt(rnd.int(90, 400))));
        break;
      case 'deposit':
        attempt(op, () => env.send(createTransferInstruction(donor.usdc, u.vault, donor.wallet.publicKey, BigInt(rnd.int(1, 3_000_000))), [donor.wallet]));
        break;
      case 'lock': {
        const reuse = jobs.length > 0 && rnd.chance(0.15);
        const jobId = reuse ? rnd.pick(jobs).jobId : nextJobId++;
        const tier = rnd.int(0, 3);
        const maxOutputTokens = rnd.int(0, 4_000);
        const byOwner = rnd.chance(0.3);
        if (attempt(op, () => env.lock(u, { jobId, tier, maxOutputTokens, authority: byOwner ? u.wallet : env.operator }))) recordLock(step, ui, jobId, tier, maxOutputTokens);
        else checkLockRejection(step, lastCode, [{ user: ui, jobId, tier, maxOutputTokens }]);
        break;
      }
      case 'lockBatch': {
        // 1 to 5 jobs over random accounts; now and then an id twice, or one already in flight
        const locks = Array.from({ length: rnd.int(1, 5) }, () => {
          const user = rnd.int(0, users.length - 1);
          const jobId = jobs.length > 0 && rnd.chance(0.1) ? rnd.pick(jobs).jobId : nextJobId++;
          return { user, jobId, tier: rnd.int(0, 3), maxOutputTokens: rnd.int(0, 3_000) };
        });
        if (rnd.chance(0.1)) locks.push({ ...locks[0], tier: 0 });
        const ix = getLockBatchInstruction(
          { authority: env.operator.publicKey },
          locks.map((l) => ({ creditAccount: users[l.user].credit, vault: users[l.user].vault, jobId: l.jobId, tier: l.tier, maxOutputTokens: l.maxOutputTokens })),
        );
        if (attempt(op, () => env.send(ix, [env.operator]))) {
          if (new Set(locks.map(keyOf)).size !== locks.length) fail(`step ${step}: a batch locked one id twice`);
          for (const l of locks) recordLock(step, l.user, l.jobId, l.tier, l.maxOutputTokens);
        } else checkLockRejection(step, lastCode, locks);
        break;
      }
      case 'settle': {
        if (jobs.length === 0) break;
        const j = pickJob();
        const outputTokens = rnd.int(0, j.maxOutputTokens + 50);
        const bps = rnd.int(7_400, 8_600);
        let sent: ReturnType<typeof env.settle> | undefined;
        if (attempt(op, () => (sent = env.settle(users[j.user], j, { outputTokens, bps, provider: rnd.pick(workers).usdc })))) {
          if (j.state !== 'locked') fail(`step ${step}: a ${j.state} job settled`);
          // Charged at the lock-time prices stored in the slot, whatever the admin repriced since
          const charged = sent!.events[0].data.creditsCharged as bigint;
          if (charged !== quote(0, outputTokens, { tiers: [j.price] })) fail(`step ${step}: job ${j.jobId} charged ${charged}, not its lock-time price`);
          track(j, 'settled', charged);
        } else if (lastCode === E.JobNotFound && j.state === 'locked') fail(`step ${step}: job ${j.jobId} in flight not found`);
        break;
      }
      case 'settleBatch': {
        if (jobs.length === 0) break;
        const picked = Array.from({ length: rnd.int(1, 4) }, pickJob);
        const settles = picked.map((j) => ({ j, outputTokens: rnd.int(0, j.maxOutputTokens + 20), bps: rnd.int(7_450, 8_550) }));
        const ix = getSettleBatchInstruction(
          { operator: env.operator.publicKey, mint: env.mint },
          settles.map(({ j, outputTokens, bps }) => ({
            creditAccount: users[j.user].credit,
            vault: users[j.user].vault,
            providerTokenAccount: rnd.pick(workers).usdc,
            jobId: j.jobId,
            outputTokens,
            providerShareBps: bps,
          })),
        );
        let sent: ReturnType<typeof env.send> | undefined;
        if (attempt(op, () => (sent = env.send(ix, [env.operator])))) {
          if (new Set(picked).size !== picked.length) fail(`step ${step}: a batch settled one job twice`);
          for (const { j, outputTokens } of settles) {
            if (j.state !== 'locked') fail(`step ${step}: a ${j.state} job settled in a batch`);
            const event = sent!.events.find((e) => e.name === 'JobSettled' && e.data.jobId === j.jobId && String(e.data.creditAccount) === String(users[j.user].credit));
            if (!event) fail(`step ${step}: no JobSettled naming job ${j.jobId} and its credit account`);
            else if (event.data.creditsCharged !== quote(0, outputTokens, { tiers: [j.price] })) fail(`step ${step}: job ${j.jobId} charged off its lock-time price in a batch`);
            track(j, 'settled', quote(0, outputTokens, { tiers: [j.price] }));
          }
        } else if (lastCode === E.JobNotFound && new Set(picked).size === picked.length && picked.every((j) => j.state === 'locked')) {
          fail(`step ${step}: jobs in flight not found in a batch`);
        }
        break;
      }
      case 'refund': {
        if (jobs.length === 0) break;
        const j = pickJob();
        const authority = rnd.chance(0.5) ? env.operator : rnd.pick(strangers);
        if (attempt(op, () => env.refund(users[j.user], j, authority))) {
          if (j.state !== 'locked') fail(`step ${step}: a ${j.state} job refunded`);
          track(j, 'refunded');
        } else if (lastCode === E.JobNotFound && j.state === 'locked') fail(`step ${step}: job ${j.jobId} in flight not found`);
        break;
      }
      case 'refundBatch': {
        if (jobs.length === 0) break;
        const picked = Array.from({ length: rnd.int(1, 5) }, pickJob);
        const authority = rnd.chance(0.5) ? env.operator : rnd.pick(strangers);
        const ix = getRefundBatchInstruction({ authority: authority.publicKey }, picked.map((j) => ({ creditAccount: users[j.user].credit, jobId: j.jobId })));
        if (attempt(op, () => env.send(ix, [authority]))) {
          if (new Set(picked).size !== picked.length) fail(`step ${step}: a batch refunded one job twice`);
          for (const j of picked) {
            if (j.state !== 'locked') fail(`step ${step}: a ${j.state} job refunded in a batch`);
            track(j, 'refunded');
          }
        }
        break;
      }
      case 'slots': {
        // Now and then only, and past 8 slots always 1 to 3 beyond the 64 a credit account may hold (refused,
        // nothing changes): accounts stay small enough to fill up however long the walk.
        if (!rnd.chance(0.3)) break;
        const count = slotCounts[ui] >= 8 ? MAX_JOB_SLOTS - slotCounts[ui] + rnd.int(1, 3) : rnd.int(1, 3);
        if (attempt(op, () => env.addJobSlots(u, count))) slotCounts[ui] += count;
        else if (slotCounts[ui] + count <= MAX_JOB_SLOTS) fail(`step ${step}: add_job_slots refused ${count} more to ${slotCounts[ui]}`);
        break;
      }
      case 'withdraw': {
        const credits = rnd.chance(0.2) ? WITHDRAW_ALL : BigInt(rnd.int(1, 300));
        attempt(op, () =>
          env.send(getWithdrawInstruction({ owner: u.wallet.publicKey, mint: env.mint, destination: u.usdc }, { credits }), [u.wallet]),
        );
        break;
      }
      case 'collect':
        attempt(op, () => env.send(getCollectFeesInstruction({ creditAccount: u.credit, mint: env.mint, treasury: env.treasury }), [rnd.pick(strangers)]));
        break;
      case 'grant': {
        // The operator grants a bonus: never expiring, or expiring soon or later (sometimes already past)
        const expiresAt = rnd.chance(0.3) ? 0n : env.now() + BigInt(rnd.int(-5, 400));
        const before = env.credit(u).promoCredits;
        const credits = BigInt(rnd.int(1, 120));
        if (attempt(op, () => env.grant(u, credits, expiresAt))) {
          if (env.credit(u).promoCredits !== before + credits) fail(`step ${step}: grant did not add ${credits} promo`);
          models[ui].grant(credits, expiresAt);
        } else if (expiresAt === 0n || expiresAt > env.now()) fail(`step ${step}: a grant expiring in the future refused`);
        break;
      }
      case 'expire': {
        // A stranger (only once expired) or the owner (any time)
        const byOwner = rnd.chance(0.3);
        const before = env.credit(u);
        const treasuryBefore = env.tokenBalance(env.treasury);
        // What it may take: the promo, as far as the vault backs it beyond the locks and fees
        const backed = (env.tokenBalance(u.vault) - before.feesAccrued) / PRICE - before.locked;
        const expected = models[ui].promo < backed ? models[ui].promo : backed;
        if (attempt(op, () => env.expirePromo(u, byOwner ? u.wallet : rnd.pick(strangers)))) {
          const after = env.credit(u);
          const r = before.promoCredits - after.promoCredits;
          if (r !== expected) fail(`step ${step}: expire_promo took ${r}, the model ${expected}`);
          models[ui].expire(r);
          if (r <= 0n || after.expired !== before.expired + r) fail(`step ${step}: expire_promo counted ${r}`);
          if (env.tokenBalance(env.treasury) - treasuryBefore !== r * PRICE) fail(`step ${step}: expire_promo moved a different amount than its credits`);
          if (!byOwner && (before.promoExpiresAt === 0n || env.now() < before.promoExpiresAt)) fail(`step ${step}: a stranger expired promo before its expiry`);
        } else if (lastCode === E.NothingToExpire && expected !== 0n) fail(`step ${step}: NothingToExpire with ${expected} promo credits to take`);
        break;
      }
      case 'limit': {
        // The owner sets, changes or clears its caps
        const maxCreditsPerJob = rnd.chance(0.5) ? 0n : BigInt(rnd.int(5, 80));
        const dailyLimitCredits = rnd.chance(0.5) ? 0n : BigInt(rnd.int(20, 400));
        if (attempt(op, () => env.send(getSetSpendingLimitInstruction({ owner: u.wallet.publicKey }, { maxCreditsPerJob, dailyLimitCredits }), [u.wallet]))) {
          models[ui].limit = dailyLimitCredits;
        }
        break;
      }
      case 'reprice': {
        // The admin changes the tier prices (within the bounds); jobs in flight keep theirs
        const next = DEFAULTS.tiers.map((t) => ({ ...t, requestCredits: BigInt(rnd.int(1, 60)), per1kCredits: BigInt(rnd.int(1, 30)) }));
        if (attempt(op, () => env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, { tiers: next }), [env.admin]))) tiers = next;
        break;
      }
      case 'warp':
        env.warp(rnd.int(1, rnd.chance(0.02) ? 90_000 : 40));
        ok.warp++;
        break;
    }
    checkInvariants(step);
  }

  // Wind down: every job expires and anyone refunds it; fees go to the
  // treasury; every owner withdraws everything. Then every vault is empty.
  env.warp(1_000);
  for (const j of [...open]) {
    env.refund(users[j.user], j, strangers[0]);
    track(j, 'refunded');
  }
  for (const [i, u] of users.entries()) {
    const promo = env.credit(u).promoCredits;
    if (promo > 0n) {
      env.expirePromo(u);
      models[i].expire(promo - env.credit(u).promoCredits);
    }
    if (env.credit(u).feesAccrued > 0n) env.send(getCollectFeesInstruction({ creditAccount: u.credit, mint: env.mint, treasury: env.treasury }), [strangers[0]]);
    if (env.tokenBalance(u.vault) > 0n) {
      env.send(getWithdrawInstruction({ owner: u.wallet.publicKey, mint: env.mint, destination: u.usdc }, { credits: WITHDRAW_ALL }), [u.wallet]);
    }
  }
  checkInvariants(steps);
  for (const [i, u] of users.entries()) {
    if (env.tokenBalance(u.vault) !== 0n) fail(`user ${i}: vault not empty after winding down`);
  }
  return { steps, seed, ok, rejected, errors };
}

export function formatReport(r: FuzzReport): string {
  const rows = OPS.map((o) => `${o.padEnd(11)} ${String(r.ok[o]).padStart(6)} ok ${String(r.rejected[o]).padStart(6)} rejected`);
  const errors = Object.entries(r.errors).sort(([a], [b]) => a.localeCompare(b)).map(([name, n]) => `  ${name.padEnd(22)} ${String(n).padStart(6)}`);
  return [`fuzz: ${r.steps} steps, seed ${r.seed}`, ...rows, 'rejections by error:', ...errors].join('\n');
}

