// A seeded, reproducible random walk over the program in LiteSVM: many users,
// purchases, plain deposits, locks, settles, refunds at random clock times,
// withdrawals, fee collections, owners' spending limits and the admin's
// repricing. After every step it checks the
// invariants; at the end it refunds every expired job and withdraws
// everything. `npm run fuzz -- --steps N --seed S` runs it at any size.
import { createTransferInstruction } from '@solana/spl-token';

import {
  DEFAULTS,
  JobEscrowError,
  JobEscrowErrorCode as E,
  WITHDRAW_ALL,
  getCollectFeesInstruction,
  getSetSpendingLimitInstruction,
  getUpdateConfigInstruction,
  getWithdrawInstruction,
  quote,
} from '../../sdk/src/index.js';
import { Escrow, type LockedJob, type User } from '../setup.js';

const PRICE = 10_000n;
const OPS = ['purchase', 'deposit', 'grant', 'lock', 'settle', 'refund', 'withdraw', 'collect', 'limit', 'reprice', 'expire', 'warp'] as const;
type Op = (typeof OPS)[number];

/** Errors each operation may legitimately meet in a random walk; anything else fails the run. */
const ALLOWED: Record<Op, number[]> = {
  purchase: [E.BelowMinimumPurchase],
  deposit: [],
  lock: [E.InsufficientCredits, E.AlreadyInitialized, E.SpendingLimitExceeded, E.DailyLimitExceeded],
  settle: [E.JobExpired, E.OutputExceedsMax, E.ShareOutOfBounds, E.InvalidAccountOwner],
  refund: [E.JobNotExpired, E.InvalidAccountOwner],
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

interface ModelJob extends LockedJob {
  user: number;
  credits: bigint;
  state: 'locked' | 'settled' | 'refunded';
}

export interface FuzzReport {
  steps: number;
  seed: number;
  ok: Record<Op, number>;
  rejected: Record<Op, number>;
}

export async function runFuzz({ steps, seed, users: userCount = 4 }: { steps: number; seed: number; users?: number }): Promise<FuzzReport> {
  const rnd = prng(seed);
  const env = new Escrow();
  const users: User[] = Array.from({ length: userCount }, () => env.user({ usdc: 10_000_000_000n }));
  const donor = env.user({ usdc: 100_000_000_000n, open: false });
  const workers = [env.worker(), env.worker()];
  const strangers = [env.wallet(), env.wallet()];
  const jobs: ModelJob[] = [];
  const open = new Set<ModelJob>();
  const latest = new Map<string, ModelJob>();
  const changed = new Set<ModelJob>();
  let nextJobId = 1n;
  const ok = Object.fromEntries(OPS.map((o) => [o, 0])) as Record<Op, number>;
  const rejected = { ...ok };

  const tokenAccounts = [...users.flatMap((u) => [u.usdc, u.vault]), donor.usdc, ...workers.map((w) => w.usdc), env.treasury, env.operatorUsdc];
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
    }
    // Every open job, and every job this step closed: a closed job stays
    // closed until a lock reuses its id, which is a new job at the same
    // address (only the latest job at an address is judged).
    for (const j of new Set([...open, ...changed])) {
      if (latest.get(j.address.toBase58()) !== j) continue;
      const exists = env.data(j.address) !== null;
      if (exists !== (j.state === 'locked')) fail(`step ${step}: job ${j.jobId} is ${j.state} but its account ${exists ? 'exists' : 'is gone'}`);
      if (exists && env.job(j).creditsLocked !== j.credits) fail(`step ${step}: job ${j.jobId} lock changed`);
    }
    if (totalUsdc() !== initialTotal) fail(`step ${step}: USDC total ${totalUsdc()} != ${initialTotal}`);
    changed.clear();
  }

  /** The model's state changes of a job, recorded for the invariant check. */
  function track(j: ModelJob, state: ModelJob['state']) {
    j.state = state;
    changed.add(j);
    if (state === 'locked') {
      open.add(j);
      latest.set(j.address.toBase58(), j);
    } else open.delete(j);
  }

  /** Mostly a job still in flight, sometimes any job (closed ones must be refused). */
  const pickJob = () => {
    return open.size > 0 && rnd.chance(0.85) ? rnd.pick([...open]) : rnd.pick(jobs);
  };

  /** Runs one operation; a program error must be in the op's allowed list. Returns true on success. */
  function attempt(op: Op, f: () => void): boolean {
    try {
      f();
      ok[op]++;
      return true;
    } catch (err) {
      if (err instanceof JobEscrowError && ALLOWED[op].includes(err.code)) {
        rejected[op]++;
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
        const reuse = jobs.length > 0 && rnd.chance(0.1);
        const jobId = reuse ? rnd.pick(jobs).jobId : nextJobId++;
        const tier = rnd.int(0, 3);
        const maxOutputTokens = rnd.int(0, 4_000);
        const byOwner = rnd.chance(0.3);
        let locked: LockedJob | undefined;
        if (attempt(op, () => (locked = env.lock(u, { jobId, tier, maxOutputTokens, authority: byOwner ? u.wallet : env.operator })))) {
          const c = env.credit(u);
          if (c.maxCreditsPerJob !== 0n && env.job(locked!).creditsLocked > c.maxCreditsPerJob) fail(`step ${step}: a lock above the per-job cap`);
          if (c.dailyLimitCredits !== 0n && c.spentInWindow > c.dailyLimitCredits) fail(`step ${step}: a lock above the daily limit`);
          const job: ModelJob = { ...locked!, user: ui, credits: env.job(locked!).creditsLocked, state: 'locked' };
          jobs.push(job);
          track(job, 'locked');
        }
        break;
      }
      case 'settle': {
        if (jobs.length === 0) break;
        const j = pickJob();
        const max = env.data(j.address) ? env.job(j).maxOutputTokens : 1_000;
        const outputTokens = rnd.int(0, max + 50);
        const bps = rnd.int(7_400, 8_600);
        const price = env.data(j.address) ? env.job(j).price : undefined;
        let sent: ReturnType<typeof env.settle> | undefined;
        if (attempt(op, () => (sent = env.settle(users[j.user], j, { outputTokens, bps, provider: rnd.pick(workers).usdc })))) {
          if (j.state !== 'locked') fail(`step ${step}: a ${j.state} job settled`);
          // Charged at the lock-time prices stored in the Job, whatever the admin repriced since
          const charged = sent!.events[0].data.creditsCharged as bigint;
          if (charged !== quote(0, outputTokens, { tiers: [price!] })) fail(`step ${step}: job ${j.jobId} charged ${charged}, not its lock-time price`);
          track(j, 'settled');
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
        }
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
        if (attempt(op, () => env.grant(u, credits, expiresAt)) && env.credit(u).promoCredits !== before + credits) fail(`step ${step}: grant did not add ${credits} promo`);
        break;
      }
      case 'expire': {
        // A stranger (only once expired) or the owner (any time)
        const byOwner = rnd.chance(0.3);
        const before = env.credit(u);
        const treasuryBefore = env.tokenBalance(env.treasury);
        if (attempt(op, () => env.expirePromo(u, byOwner ? u.wallet : rnd.pick(strangers)))) {
          const after = env.credit(u);
          const r = before.promoCredits - after.promoCredits;
          if (r <= 0n || after.expired !== before.expired + r) fail(`step ${step}: expire_promo counted ${r}`);
          if (env.tokenBalance(env.treasury) - treasuryBefore !== r * PRICE) fail(`step ${step}: expire_promo moved a different amount than its credits`);
          if (!byOwner && (before.promoExpiresAt === 0n || env.now() < before.promoExpiresAt)) fail(`step ${step}: a stranger expired promo before its expiry`);
        }
        break;
      }
      case 'limit': {
        // The owner sets, changes or clears its caps
        const maxCreditsPerJob = rnd.chance(0.5) ? 0n : BigInt(rnd.int(5, 80));
        const dailyLimitCredits = rnd.chance(0.5) ? 0n : BigInt(rnd.int(20, 400));
        attempt(op, () => env.send(getSetSpendingLimitInstruction({ owner: u.wallet.publicKey }, { maxCreditsPerJob, dailyLimitCredits }), [u.wallet]));
        break;
      }
      case 'reprice': {
        // The admin changes the tier prices (within the bounds); jobs in flight keep theirs
        const tiers = DEFAULTS.tiers.map((t) => ({ ...t, requestCredits: BigInt(rnd.int(1, 60)), per1kCredits: BigInt(rnd.int(1, 30)) }));
        attempt(op, () => env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, { tiers }), [env.admin]));
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
  for (const u of users) {
    if (env.credit(u).promoCredits > 0n) env.expirePromo(u);
    if (env.credit(u).feesAccrued > 0n) env.send(getCollectFeesInstruction({ creditAccount: u.credit, mint: env.mint, treasury: env.treasury }), [strangers[0]]);
    if (env.tokenBalance(u.vault) > 0n) {
      env.send(getWithdrawInstruction({ owner: u.wallet.publicKey, mint: env.mint, destination: u.usdc }, { credits: WITHDRAW_ALL }), [u.wallet]);
    }
  }
  checkInvariants(steps);
  for (const [i, u] of users.entries()) {
    if (env.tokenBalance(u.vault) !== 0n) fail(`user ${i}: vault not empty after winding down`);
  }
  return { steps, seed, ok, rejected };
}

export function formatReport(r: FuzzReport): string {
  const rows = OPS.map((o) => `${o.padEnd(9)} ${String(r.ok[o]).padStart(6)} ok ${String(r.rejected[o]).padStart(6)} rejected`);
  return [`fuzz: ${r.steps} steps, seed ${r.seed}`, ...rows].join('\n');
}

