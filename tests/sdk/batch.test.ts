// The batch path (lockMany / settleMany / refundMany, PayerPool,
// LookupTables) on the embedded bank: per-job outcomes (credit account and
// job id), balances, who signed and paid the fees, and the lookup tables'
// whole life — created, extended, reused, found again after a restart,
// deactivated when idle and closed after the cooldown with their rent back.
// The same path runs against the real validator in
// tests/validator/throughput.test.ts.
import { AddressLookupTableProgram, Keypair, LAMPORTS_PER_SOL, type PublicKey } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import { JobEscrowClient, JobEscrowErrorCode as E, LOOKUP_TABLE_COOLDOWN_SLOTS, LookupTables, PayerPool, findCreditAccountPda, quote } from '../../sdk/src/index.js';
import { LiteSVMProvider } from '../../sdk/src/litesvm/provider.js';
import { Escrow } from '../shared/index.js';

function world() {
  const env = new Escrow();
  const operator = new JobEscrowClient(new LiteSVMProvider(env.bank, env.operator));
  /** Moves the clock `slots` ahead (the bank keeps SlotHashes current for the lookup-table program). */
  const advance = (slots = 0) => {
    env.svm.warpToSlot(env.svm.getClock().slot + BigInt(slots));
  };
  advance(1_000);
  return { env, operator, advance };
}

/** The fee payer and the number of signatures of a recorded transaction. */
async function signing(env: Escrow, signature: string): Promise<{ feePayer: string; signatures: number }> {
  const { message } = (await env.bank.getTransaction(signature))!.transaction;
  return { feePayer: String(message.staticAccountKeys[0] as PublicKey), signatures: message.header.numRequiredSignatures };
}

const signaturesOf = (outcomes: readonly { status: string; signature?: string }[]) => [
  ...new Set(outcomes.flatMap((o) => (o.status === 'done' && o.signature ? [o.signature] : []))),
];

describe('batched jobs on the embedded bank', () => {
  it('locks, settles and refunds many jobs with one outcome each; a bad job is rejected with its code and the others go through', async () => {
    const { env, operator, advance } = world();
    const users = [env.funded(100n), env.funded(100n), env.funded(100n)];
    const stranger = Keypair.generate().publicKey; // no credit account
    const payers = await PayerPool.derive(env.operator, 3);
    for (const k of payers.publicKeys) env.bank.airdrop(k, BigInt(LAMPORTS_PER_SOL));
    const tables = new LookupTables(env.bank as never, env.operator);
    advance();

    const requests = [
      ...users.flatMap((u) => [1n, 2n].map((jobId) => ({ owner: u.wallet.publicKey, jobId, tier: 1, maxOutputTokens: 500 }))), // 8 credits each
      { owner: users[2].wallet.publicKey, jobId: 3n, tier: 3, maxOutputTokens: 4_000 }, // 320 credits: more than the 84 left
      { owner: stranger, jobId: 1n, tier: 1, maxOutputTokens: 500 },
    ];
    const poolBefore = payers.publicKeys.map((k) => env.lamports(k));
    const locked = await operator.lockMany(requests, { payers, lookupTables: tables });
    expect(locked.outcomes.map((o) => o.status)).toEqual(['done', 'done', 'done', 'done', 'done', 'done', 'rejected', 'rejected']);
    // Each outcome names its job: the credit account and the job id
    expect(locked.outcomes.map((o) => [String(o.creditAccount), o.jobId])).toEqual(
      requests.map((r) => [String(findCreditAccountPda(r.owner)[0]), r.jobId]),
    );
    expect(locked.outcomes[6]).toMatchObject({ code: E.InsufficientCredits });
    expect(locked.outcomes[7]).toMatchObject({ status: 'rejected' });
    for (const u of users) expect(env.credit(u)).toMatchObject({ locked: 16n, openJobs: 2 });
    for (const u of users) expect(env.job(u, { jobId: 1n })).toMatchObject({ tier: 1, maxOutputTokens: 500, creditsLocked: 8n });
    expect(env.available(users[2])).toBe(84n);
    // One signature per transaction: the operator signs and pays the fee; the pool adds no signature and pays nothing
    const lockSignatures = signaturesOf(locked.outcomes);
    expect(lockSignatures.length).toBeGreaterThan(0);
    for (const s of lockSignatures) expect(await signing(env, s)).toEqual({ feePayer: String(env.operator.publicKey), signatures: 1 });
    expect(payers.publicKeys.map((k) => env.lamports(k))).toEqual(poolBefore);

    // The same requests again: nothing is locked twice.
    const bytes = users.map((u) => Buffer.from(env.data(u.credit)!));
    const again = await operator.lockMany(requests.slice(0, 6), { payers, lookupTables: tables });
    expect(again.outcomes.every((o) => o.status === 'already-locked')).toBe(true);
    expect(again.outcomes.map((o) => o.jobId)).toEqual([1n, 2n, 1n, 2n, 1n, 2n]);
    expect(again.stats.transactions).toBe(0);
    users.forEach((u, i) => expect(env.data(u.credit)!.equals(bytes[i])).toBe(true));

    // Settle the first job of each user; a job never locked is rejected, not sent.
    const worker = env.worker();
    const settled = await operator.settleMany(
      [...users.map((u) => ({ owner: u.wallet.publicKey, jobId: 1n, outputTokens: 400, providerShareBps: 8_000, providerTokenAccount: worker.usdc })), { owner: stranger, jobId: 1n, outputTokens: 1, providerTokenAccount: worker.usdc }],
      { payers, lookupTables: tables },
    );
    expect(settled.outcomes.map((o) => o.status)).toEqual(['done', 'done', 'done', 'rejected']);
    expect(settled.outcomes.map((o) => o.jobId)).toEqual([1n, 1n, 1n, 1n]);
    for (const s of signaturesOf(settled.outcomes)) expect(await signing(env, s)).toEqual({ feePayer: String(env.operator.publicKey), signatures: 1 });
    expect(payers.publicKeys.map((k) => env.lamports(k))).toEqual(poolBefore);

    // The operator refunds the second before expiry: its own transaction, one signature
    const refunded = await operator.refundMany(users.slice(0, 2).map((u) => ({ owner: u.wallet.publicKey, jobId: 2n })), { payers, lookupTables: tables });
    expect(refunded.outcomes.map((o) => o.status)).toEqual(['done', 'done']);
    for (const s of signaturesOf(refunded.outcomes)) expect((await signing(env, s)).signatures).toBe(1);
    // An expired job may be refunded by anyone: a pool key signs alone and pays
    env.warp(121);
    const expired = await operator.refundMany([{ owner: users[2].wallet.publicKey, jobId: 2n }], { payers, lookupTables: tables });
    expect(expired.outcomes).toMatchObject([{ status: 'done', creditAccount: users[2].credit, jobId: 2n }]);
    for (const s of signaturesOf(expired.outcomes)) {
      const { feePayer, signatures } = await signing(env, s);
      expect(signatures).toBe(1);
      expect(payers.publicKeys.map(String)).toContain(feePayer);
    }
    for (const u of users) expect(env.credit(u)).toMatchObject({ locked: 0n, openJobs: 0 });
    // Each user paid the price of 400 Standard tokens; the worker got 80 % of it.
    const charge = quote(1, 400);
    expect(users.map((u) => env.available(u))).toEqual([100n - charge, 100n - charge, 100n - charge]);
    expect(env.tokenBalance(worker.usdc)).toBe((3n * charge * 10_000n * 8_000n) / 10_000n);
  });

  it('the operator pays nothing but fees: no rent for any job', async () => {
    const { env, operator } = world();
    const users = Array.from({ length: 5 }, () => env.funded(100n));
    const before = env.lamports(env.operator.publicKey);
    const locked = await operator.lockMany(users.map((u) => ({ owner: u.wallet.publicKey, jobId: 9n, tier: 0, maxOutputTokens: 500 })));
    expect(locked.outcomes.every((o) => o.status === 'done')).toBe(true);
    const transactions = signaturesOf(locked.outcomes).length;
    expect(transactions).toBeGreaterThan(0);
    // Base fee only (5,000 lamports per signature) unless a priority fee was set: never a rent-sized amount
    const paid = before - env.lamports(env.operator.publicKey);
    expect(paid).toBeGreaterThanOrEqual(5_000n * BigInt(transactions));
    expect(paid).toBeLessThan(100_000n * BigInt(transactions));
    for (const u of users) expect(env.lamports(u.credit)).toBe(env.bank.rentExemptMinimum(BigInt(env.data(u.credit)!.length)));
  });

  it('lookup tables are reused, found again after a restart, deactivated when idle and closed after the cooldown with the rent back', async () => {
    const { env, advance } = world();
    const authority = env.operator;
    const addresses = Array.from({ length: 30 }, () => findCreditAccountPda(Keypair.generate().publicKey)[0]);
    const tables = new LookupTables(env.bank as never, authority);
    const [table] = await tables.ensure(addresses);
    expect(table.state.addresses.map(String)).toEqual(addresses.map(String));

    // Reuse: the same addresses need no transaction; more go into the same table.
    const before = env.lamports(authority.publicKey);
    expect((await tables.ensure(addresses.slice(3, 9)))[0].key.equals(table.key)).toBe(true);
    expect(env.lamports(authority.publicKey)).toBe(before);
    advance();
    const extra = Keypair.generate().publicKey;
    expect((await tables.ensure([extra]))[0].state.addresses).toHaveLength(31);
    const rent = env.bank.account(table.key)!.lamports;

    // A restarted operator finds its table on the cluster and reuses it.
    const restarted = await LookupTables.load(env.bank as never, authority);
    expect(restarted.accounts.map((t) => t.key.toBase58())).toEqual([table.key.toBase58()]);
    expect(restarted.accounts[0].state.addresses).toHaveLength(31);
    const stranger = await LookupTables.load(env.bank as never, Keypair.generate());
    expect(stranger.accounts).toHaveLength(0);

    // Used recently: maintain() leaves it alone.
    advance(100);
    expect(await restarted.maintain({ idleSlots: 1_000 })).toEqual({ deactivated: [], closed: [], reclaimed: 0 });
    // Idle past the limit: deactivated; during the cooldown, not closed.
    advance(1_000);
    const idle = await restarted.maintain({ idleSlots: 1_000 });
    expect(idle.deactivated.map(String)).toEqual([table.key.toBase58()]);
    expect(idle.closed).toEqual([]);
    const state = (await env.bank.getAddressLookupTable(table.key)).value!;
    expect(state.isActive()).toBe(false);
    advance(LOOKUP_TABLE_COOLDOWN_SLOTS - 10);
    expect((await restarted.maintain()).closed).toEqual([]);
    expect(env.bank.account(table.key)).not.toBeNull();

    // A restart during the cooldown still closes it afterwards; the rent comes back.
    const again = await LookupTables.load(env.bank as never, authority);
    expect(again.accounts).toHaveLength(0);
    expect(again.retired.map(String)).toEqual([table.key.toBase58()]);
    advance(20);
    const beforeClose = env.lamports(authority.publicKey);
    const closed = await again.maintain();
    expect(closed).toEqual({ deactivated: [], closed: [table.key], reclaimed: rent });
    expect(env.bank.account(table.key)).toBeNull();
    expect(env.lamports(authority.publicKey) - beforeClose).toBe(BigInt(rent) - 5_000n); // the rent, less the close's fee
    expect(again.retired).toEqual([]);

    // The next ensure() makes a new table.
    advance();
    const [fresh] = await again.ensure([extra]);
    expect(fresh.key.equals(table.key)).toBe(false);
    expect(AddressLookupTableProgram.programId.equals(env.bank.account(fresh.key)!.owner)).toBe(true);
  });

  it('derives the same payer pool from the same key and tops up only the keys running low', async () => {
    const { env } = world();
    const root = env.operator;
    const a = await PayerPool.derive(root, 3);
    const b = await PayerPool.derive(root, 3);
    expect(a.publicKeys.map(String)).toEqual(b.publicKeys.map(String));
    expect(new Set(a.publicKeys.map(String)).size).toBe(3);
    expect((await PayerPool.derive(Keypair.generate(), 3)).publicKeys.map(String)).not.toEqual(a.publicKeys.map(String));
    await expect(PayerPool.derive(root, 0)).rejects.toThrow(RangeError);

    env.bank.airdrop(a.publicKeys[1], 150_000_000n);
    const sent = await a.topUp(env.bank as never, root, { below: 0.05, to: 0.2 });
    expect(sent).toBe(2 * 200_000_000);
    expect(a.publicKeys.map((k) => env.lamports(k))).toEqual([200_000_000n, 150_000_000n, 200_000_000n]);
    expect(await a.topUp(env.bank as never, root, { below: 0.05, to: 0.2 })).toBe(0);
  });
});
