// Spec section 8: the jobs of a credit account live in its slots.
// open_credit_account(job_slots), add_job_slots, and how lock, settle and
// refund take and free slots — seen through account bytes, lamports, errors
// and events.
import { Keypair, SystemProgram } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_JOB_SLOTS,
  JOB_SLOT_LEN,
  JOB_SLOTS_OFFSET,
  MAX_JOB_SLOTS,
  JobEscrowErrorCode as E,
  WITHDRAW_ALL,
  creditAccountLen,
  decodeCreditAccount,
  findCreditAccountPda,
  findVaultAddress,
  getCloseCreditAccountInstruction,
  getOpenCreditAccountInstruction,
  getWithdrawInstruction,
  openJobsOf,
} from '../../sdk/src/index.js';
import { Escrow, expectProgramError } from '../shared/index.js';
import { directCalls } from './setup/compute.js';

const FREE = Buffer.alloc(JOB_SLOT_LEN);

/** Opens the credit account of a fresh owner with `jobSlots`, `payer` paying. */
function open(env: Escrow, jobSlots?: number, payer = env.wallet()) {
  const owner = env.wallet();
  const [credit] = findCreditAccountPda(owner.publicKey);
  const sent = env.send(getOpenCreditAccountInstruction({ payer: payer.publicKey, owner: owner.publicKey, mint: env.mint }, { jobSlots }), [payer]);
  return { owner, payer, credit, vault: findVaultAddress(credit, env.mint), sent };
}

/** The slot count (u32 at 229) and the slot region of an account's bytes. */
function slots(data: Buffer) {
  return { count: data.readUInt32LE(229), region: data.subarray(JOB_SLOTS_OFFSET) };
}

describe('job slots: open_credit_account(job_slots)', () => {
  it('opens 16 free slots by default (job_slots 0): 233 + 57 x 16 bytes, rent-exempt', () => {
    const env = new Escrow();
    for (const jobSlots of [undefined, 0]) {
      const { credit } = open(env, jobSlots);
      const data = env.data(credit)!;
      expect(data.length).toBe(1_145);
      expect(creditAccountLen(DEFAULT_JOB_SLOTS)).toBe(1_145);
      expect(slots(data).count).toBe(16);
      expect(slots(data).region.equals(Buffer.alloc(16 * 57))).toBe(true);
      expect(env.lamports(credit)).toBe(env.bank.rentExemptMinimum(1_145n));
      const decoded = decodeCreditAccount(data);
      expect(decoded.jobSlots).toHaveLength(16);
      expect(decoded.openJobs).toBe(0);
      expect(openJobsOf(decoded)).toEqual([]);
    }
  });

  it('opens 4 or 64 slots when asked, and records the larger rent as paid', () => {
    const env = new Escrow();
    for (const [n, len] of [[4, 461], [64, 3_881]] as const) {
      const { credit, vault, payer } = open(env, n);
      const data = env.data(credit)!;
      expect(data.length).toBe(len);
      expect(slots(data).count).toBe(n);
      expect(slots(data).region.equals(Buffer.alloc(n * 57))).toBe(true);
      const rent = env.bank.rentExemptMinimum(BigInt(len));
      expect(env.lamports(credit)).toBe(rent);
      expect(decodeCreditAccount(data)).toMatchObject({ rentPayer: payer.publicKey, rentPaid: rent + env.lamports(vault) });
    }
  });

  it('refuses 65 slots → TooManyJobSlots, creating nothing', () => {
    const env = new Escrow();
    const payer = env.wallet();
    const owner = Keypair.generate().publicKey;
    const [credit] = findCreditAccountPda(owner);
    const before = env.lamports(payer.publicKey);
    const ix = getOpenCreditAccountInstruction({ payer: payer.publicKey, owner, mint: env.mint }, { jobSlots: MAX_JOB_SLOTS + 1 });
    expectProgramError(() => env.send(ix, [payer]), E.TooManyJobSlots);
    expect(env.data(credit)).toBeNull();
    expect(env.data(findVaultAddress(credit, env.mint))).toBeNull();
    expect(before - env.lamports(payer.publicKey)).toBe(5_000n); // the failed transaction's fee, no rent
  });
});

describe('job slots: add_job_slots', () => {
  it('grows the account by free slots, the owner paying the extra rent; the jobs in flight keep their bytes', () => {
    // Given an account of 16 slots with a job in slot 0
    const env = new Escrow();
    const u = env.funded(100n);
    const job = env.lock(u);
    const slot0 = Buffer.from(env.slotBytes(u, 0));
    const creditBefore = env.lamports(u.credit);
    const ownerBefore = env.lamports(u.wallet.publicKey);
    // When the owner adds 4 slots
    const sent = env.addJobSlots(u, 4);
    // Then the account is 233 + 57 x 20 bytes, rent-exempt at that size, the owner paid the difference and the fee
    const data = env.data(u.credit)!;
    expect(data.length).toBe(creditAccountLen(20));
    expect(slots(data).count).toBe(20);
    const rent20 = env.bank.rentExemptMinimum(BigInt(creditAccountLen(20)));
    expect(env.lamports(u.credit)).toBe(rent20);
    expect(ownerBefore - env.lamports(u.wallet.publicKey)).toBe(rent20 - creditBefore + 5_000n);
    // And the job is where it was, the new slots free
    expect(env.slotBytes(u, 0).equals(slot0)).toBe(true);
    for (let i = 16; i < 20; i++) expect(env.slotBytes(u, i).equals(FREE)).toBe(true);
    expect(env.job(u, job)?.slot).toBe(0);
    expect(sent.events).toEqual([{ name: 'JobSlotsAdded', data: { jobSlots: 20 } }]);
    // And every one of the 20 slots takes a job
    for (let i = 1; i < 20; i++) env.lock(u, { tier: 0, maxOutputTokens: 0 });
    expect(env.credit(u).openJobs).toBe(20);
  });

  it('a pre-funded account: the owner tops up only what is missing, one lamport or nothing', () => {
    for (const short of [1n, 0n]) {
      // Given an account of 16 slots someone sent SOL to: the rent of 20 slots but `short` lamports
      const env = new Escrow();
      const u = env.funded(100n);
      const rent20 = env.bank.rentExemptMinimum(BigInt(creditAccountLen(20)));
      const donor = env.wallet();
      env.send(SystemProgram.transfer({ fromPubkey: donor.publicKey, toPubkey: u.credit, lamports: Number(rent20 - env.lamports(u.credit) - short) }), [donor]);
      const ownerBefore = env.lamports(u.wallet.publicKey);
      // When the owner adds 4 slots
      const sent = env.addJobSlots(u, 4);
      // Then the account holds exactly the rent of 20 slots; the owner paid the fee and the missing lamport, if any
      expect(env.data(u.credit)!.length).toBe(creditAccountLen(20));
      expect(env.lamports(u.credit)).toBe(rent20);
      expect(ownerBefore - env.lamports(u.wallet.publicKey)).toBe(short + 5_000n);
      // And the program made a System transfer only when one was due
      expect(directCalls(sent.logs, SystemProgram.programId.toBase58())).toBe(short > 0n ? 1 : 0);
    }
  });

  it('keeps the total at 64 at most → TooManyJobSlots; count 0 → ZeroAmount; nothing changes', () => {
    const env = new Escrow();
    const { owner, credit } = open(env, 60);
    const u = { wallet: owner, credit, vault: findVaultAddress(credit, env.mint), usdc: env.usdcAddress(owner.publicKey) };
    const before = env.snapshot([credit, owner.publicKey]);
    expectProgramError(() => env.addJobSlots(u, 5), E.TooManyJobSlots);
    expectProgramError(() => env.addJobSlots(u, 255), E.TooManyJobSlots);
    expectProgramError(() => env.addJobSlots(u, 0), E.ZeroAmount);
    expect(env.snapshot([credit])).toEqual(before.slice(0, 1));
    env.addJobSlots(u, 4);
    expect(env.data(credit)!.length).toBe(creditAccountLen(64));
    expectProgramError(() => env.addJobSlots(u, 1), E.TooManyJobSlots);
  });

  it('close pays rent_payer back exactly rent_paid and the owner the added slots’ rent', () => {
    // Given an account a platform opened (16 slots) to which the owner added 8 slots
    const env = new Escrow();
    const platform = env.wallet();
    const { owner, credit, vault } = open(env, undefined, platform);
    const u = { wallet: owner, credit, vault, usdc: env.usdcAddress(owner.publicKey) };
    const rentPaid = decodeCreditAccount(env.data(credit)!).rentPaid;
    expect(rentPaid).toBe(env.lamports(credit) + env.lamports(vault));
    const ownerStart = env.lamports(owner.publicKey);
    env.addJobSlots(u, 8);
    const added = env.bank.rentExemptMinimum(BigInt(creditAccountLen(24))) - env.bank.rentExemptMinimum(BigInt(creditAccountLen(16)));
    expect(ownerStart - env.lamports(owner.publicKey)).toBe(added + 5_000n);
    // And the record of who paid what is unchanged by the growth
    expect(decodeCreditAccount(env.data(credit)!)).toMatchObject({ rentPayer: platform.publicKey, rentPaid });
    // When the owner closes the empty account
    const platformBefore = env.lamports(platform.publicKey);
    const ownerBefore = env.lamports(owner.publicKey);
    env.send(getCloseCreditAccountInstruction({ owner: owner.publicKey, rentPayer: platform.publicKey, mint: env.mint }), [owner]);
    // Then the platform gets exactly what it paid, the owner what it added (less the fee)
    expect(env.data(credit)).toBeNull();
    expect(env.data(vault)).toBeNull();
    expect(env.lamports(platform.publicKey) - platformBefore).toBe(rentPaid);
    expect(env.lamports(owner.publicKey) - ownerBefore).toBe(added - 5_000n);
  });
});

describe('job slots: lock, settle and refund', () => {
  it('lock writes the job into the first free slot at 233 + 57 x i', () => {
    const env = new Escrow();
    const u = env.funded(1_000n);
    env.lock(u, { jobId: 10n });
    env.lock(u, { jobId: 11n, tier: 2, maxOutputTokens: 2_000 });
    const now = env.now();
    const data = env.data(u.credit)!;
    const at = (i: number) => JOB_SLOTS_OFFSET + JOB_SLOT_LEN * i;
    expect(data.readBigUInt64LE(at(1))).toBe(11n);
    expect(data.readUInt8(at(1) + 8)).toBe(2);
    expect(data.readUInt32LE(at(1) + 9)).toBe(2_000);
    expect(data.readBigUInt64LE(at(1) + 13)).toBe(env.job(u, { jobId: 11n })!.creditsLocked);
    expect(data.readBigInt64LE(at(1) + 41)).toBe(now);
    expect(data.readBigInt64LE(at(1) + 49)).toBe(now + 120n);
    expect(data.subarray(at(2)).equals(Buffer.alloc(14 * 57))).toBe(true);
    expect(env.credit(u).openJobs).toBe(2);
  });

  it('the same job id locked twice while in flight → JobAlreadyLocked, the account bytes unchanged', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    env.lock(u, { jobId: 5n });
    env.lock(u, { jobId: 6n });
    const before = Buffer.from(env.data(u.credit)!);
    const snap = env.snapshot([u.credit, u.vault]);
    expectProgramError(() => env.lock(u, { jobId: 5n }), E.JobAlreadyLocked);
    expectProgramError(() => env.lock(u, { jobId: 6n, tier: 3, maxOutputTokens: 10 }), E.JobAlreadyLocked);
    expect(env.data(u.credit)!.equals(before)).toBe(true);
    expect(env.snapshot([u.credit, u.vault])).toEqual(snap);
  });

  it('all slots full → NoFreeJobSlot, changing nothing; a freed slot takes the next job', () => {
    const env = new Escrow();
    const u = env.funded(1_000n, { jobSlots: 4 });
    const jobs = [1n, 2n, 3n, 4n].map((jobId) => env.lock(u, { jobId }));
    const before = env.snapshot([u.credit, u.vault]);
    expectProgramError(() => env.lock(u, { jobId: 5n }), E.NoFreeJobSlot);
    expect(env.snapshot([u.credit, u.vault])).toEqual(before);
    // Refunding job 3 frees slot 2, where job 5 then goes
    env.refund(u, jobs[2]);
    expect(env.slotBytes(u, 2).equals(FREE)).toBe(true);
    env.lock(u, { jobId: 5n });
    expect(env.job(u, { jobId: 5n })?.slot).toBe(2);
    expect(openJobsOf(env.credit(u)).map((j) => j.jobId)).toEqual([1n, 2n, 5n, 4n]);
  });

  it('a job id is reused after its slot is freed: settle then lock the same id, refund then lock it again', () => {
    const env = new Escrow();
    const u = env.funded(1_000n);
    const worker = env.worker();
    const job = env.lock(u, { jobId: 77n });
    env.settle(u, job, { provider: worker.usdc });
    expect(env.job(u, job)).toBeUndefined();
    const again = env.lock(u, { jobId: 77n, tier: 0, maxOutputTokens: 500 });
    expect(again.sent.events[0]).toMatchObject({ name: 'JobLocked', data: { creditAccount: u.credit, jobId: 77n, tier: 0 } });
    expect(env.job(u, job)).toMatchObject({ slot: 0, tier: 0, maxOutputTokens: 500 });
    env.refund(u, again);
    env.lock(u, { jobId: 77n });
    expect(env.credit(u).openJobs).toBe(1);
    // Only the first job was charged
    expect(env.credit(u).charged).toBe(10n);
  });

  it('settle or refund of an id the account does not hold → JobNotFound, changing nothing', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    env.lock(u, { jobId: 1n });
    const before = env.snapshot([u.credit, u.vault]);
    expectProgramError(() => env.settle(u, { jobId: 2n }), E.JobNotFound);
    expectProgramError(() => env.refund(u, { jobId: 2n }), E.JobNotFound);
    // A free slot is all zeros: job id 0 is not in it
    expectProgramError(() => env.settle(u, { jobId: 0n }), E.JobNotFound);
    expectProgramError(() => env.refund(u, { jobId: 0n }), E.JobNotFound);
    env.warp(1_000);
    expectProgramError(() => env.refund(u, { jobId: 2n }, env.wallet()), E.JobNotFound);
    expect(env.snapshot([u.credit, u.vault])).toEqual(before);
  });

  it('an account with every slot taken can still be withdrawn from down to its locks', () => {
    const env = new Escrow();
    const u = env.funded(100n, { jobSlots: 1 });
    env.lock(u, { tier: 1, maxOutputTokens: 1_500 });
    env.send(getWithdrawInstruction({ owner: u.wallet.publicKey, mint: env.mint, destination: u.usdc }, { credits: WITHDRAW_ALL }), [u.wallet]);
    expect(env.tokenBalance(u.vault)).toBe(120_000n);
    expect(env.credit(u).locked).toBe(12n);
  });
});
