import { createTransferInstruction } from '@solana/spl-token';
import { Keypair, Transaction } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  AccountNotFoundError,
  JobEscrowClient,
  JobEscrowErrorCode as E,
  fetchCreditAccount,
  fetchMaybeCreditAccount,
  isJobEscrowError,
  toCsv,
} from '../../sdk/src/index.js';
import { isoTime } from '../../sdk/src/core/time.js';
import { LiteSVMProvider } from '../../sdk/src/litesvm/provider.js';
import { Escrow } from '../shared/index.js';

/** An initialized program and clients for a user (with $1,000), the operator and a stranger, all on one bank. */
function world(options: { priorityFeeMicroLamports?: number } = {}) {
  const env = new Escrow();
  const bank = env.bank;
  const client = (kp: Keypair) => new JobEscrowClient(new LiteSVMProvider(bank, kp), options);
  const userKp = env.wallet();
  const usdc = env.createTokenAccount(userKp.publicKey, 1_000_000_000n);
  const worker = env.worker();
  return { env, bank, client, userKp, usdc, worker, user: client(userKp), operator: client(env.operator), stranger: client(env.wallet()) };
}

describe('JobEscrowClient', () => {
  it('purchase opens the credit account in the same transaction, then reports the balance', async () => {
    const { env, user, userKp, usdc } = world();
    const first = await user.purchase({ credits: 150n });
    expect(first.opened).toBe(true);
    expect(env.tokenBalance(first.vault)).toBe(1_500_000n);
    const second = await user.purchase({ credits: 100 });
    expect(second.opened).toBe(false);
    const balance = await user.getBalance({ withLastTopUp: true });
    expect(balance).toMatchObject({ available: 250n, locked: 0n, openJobs: 0, feesAccrued: 0n, vaultAmount: 2_500_000n, usdcValue: '2.5' });
    expect(balance.lastTopUpAt).toBe(Number(env.now()));
    expect(env.tokenBalance(usdc)).toBe(1_000_000_000n - 2_500_000n);
    expect((await fetchCreditAccount(user.connection, userKp.publicKey)).purchased).toBe(250n);
  });

  it('opens a credit account for a wallet that does not sign (the platform pays)', async () => {
    const { operator } = world();
    const owner = Keypair.generate().publicKey;
    const opened = await operator.openCreditAccount({ owner });
    expect(await operator.getBalance({ owner })).toMatchObject({ available: 0n, creditAccount: opened.creditAccount, vault: opened.vault, lastTopUpAt: null });
    await expect(operator.openCreditAccount({ owner })).rejects.toSatisfy((e) => isJobEscrowError(e, E.AlreadyInitialized));
  });

  it('runs lock, settle, refund and refundExpired as the operator', async () => {
    const { env, user, userKp, operator, stranger, worker } = world();
    await user.purchase({ credits: 500n });
    const owner = userKp.publicKey;
    const a = await operator.lock({ owner, jobId: 1n, tier: 1, maxOutputTokens: 1_500 });
    expect(a).toMatchObject({ credits: 12n, alreadyLocked: false });
    await operator.settle({ owner, jobId: 1n, outputTokens: 1_000, providerShareBps: 8_000, providerTokenAccount: worker.usdc });
    expect(env.tokenBalance(worker.usdc)).toBe(80_000n);
    await operator.lock({ owner, jobId: 2n, tier: 0, maxOutputTokens: 500 });
    await operator.refund({ owner, jobId: 2n });
    // Ten jobs time out; a stranger cranks them: one refund_batch transaction
    for (let id = 10n; id < 20n; id++) await operator.lock({ owner, jobId: id, tier: 0, maxOutputTokens: 500 });
    expect((await user.getBalance({ owner })).openJobs).toBe(10);
    expect((await stranger.refundExpired()).jobs).toHaveLength(0);
    env.warp(120);
    const cranked = await stranger.refundExpired({ owner });
    expect(cranked.jobs).toHaveLength(10);
    expect(cranked.signatures).toHaveLength(1);
    expect(await user.getBalance({ owner })).toMatchObject({ locked: 0n, openJobs: 0, available: 490n });
  });

  it('treats a repeated lock with the same parameters as done and other parameters as an error', async () => {
    const { user, userKp, operator } = world();
    await user.purchase({ credits: 100n });
    const owner = userKp.publicKey;
    const first = await operator.lock({ owner, jobId: 7n, tier: 2, maxOutputTokens: 800 });
    const again = await operator.lock({ owner, jobId: 7n, tier: 2, maxOutputTokens: 800 });
    expect(again).toMatchObject({ alreadyLocked: true, signature: first.signature, credits: first.credits });
    await expect(operator.lock({ owner, jobId: 7n, tier: 3, maxOutputTokens: 800 })).rejects.toSatisfy((e) => isJobEscrowError(e, E.JobAlreadyLocked));
    expect((await user.getBalance({ owner })).locked).toBe(first.credits);
  });

  it('withdraws, caps jobs, collects fees and closes the account', async () => {
    const { env, user, userKp, operator, stranger, worker, usdc } = world();
    const owner = userKp.publicKey;
    await user.purchase({ credits: 200n });
    await user.setSpendingLimit({ maxCreditsPerJob: 10n });
    await expect(operator.lock({ owner, jobId: 1n, tier: 1, maxOutputTokens: 1_500 })).rejects.toSatisfy((e) => isJobEscrowError(e, E.SpendingLimitExceeded));
    await operator.lock({ owner, jobId: 1n, tier: 1, maxOutputTokens: 1_000 });
    await operator.settle({ owner, jobId: 1n, outputTokens: 1_000, providerTokenAccount: worker.usdc });
    const fees = (await user.getBalance({ owner })).feesAccrued;
    expect(fees).toBe(25_000n); // 10 credits at the 75 % minimum share
    await stranger.collectFees({ owner });
    expect(env.tokenBalance(env.treasury)).toBe(fees);
    await user.withdraw({ credits: 40n });
    await user.withdrawAll();
    expect(env.tokenBalance(usdc)).toBe(1_000_000_000n - 100_000n);
    await user.closeCreditAccount();
    expect(await fetchMaybeCreditAccount(user.connection, owner)).toBeNull();
    await expect(fetchCreditAccount(user.connection, owner)).rejects.toBeInstanceOf(AccountNotFoundError);
    await expect(user.getBalance()).rejects.toBeInstanceOf(AccountNotFoundError);
  });

  it('translates program errors into typed errors with code, name, message and logs', async () => {
    const { user } = world();
    await user.purchase({ credits: 100n });
    const err = await user.withdraw({ credits: 101n }).catch((e: unknown) => e);
    expect(isJobEscrowError(err, E.InsufficientCredits)).toBe(true);
    expect(err).toMatchObject({ code: 6016, name: 'InsufficientCredits', message: 'InsufficientCredits (6016): Not enough available credits' });
    expect((err as { logs: string[] }).logs.some((l) => l.includes('custom program error: 0x1780'))).toBe(true);
  });

  it('sends a compute-unit limit from measured costs and the optional priority fee', async () => {
    const { bank, user, userKp } = world({ priorityFeeMicroLamports: 5_000 });
    const { signature } = await user.purchase({ credits: 100n });
    const tx = (await bank.getTransaction(signature))!;
    const budgetIxs = tx.transaction.message.compiledInstructions.filter((ix) =>
      tx.transaction.message.accountKeys[ix.programIdIndex].toBase58().startsWith('ComputeBudget'),
    );
    expect(budgetIxs.map((ix) => ix.data[0])).toEqual([2, 3]); // SetComputeUnitLimit, SetComputeUnitPrice
    expect(Buffer.from(budgetIxs[0].data).readUInt32LE(1)).toBe(70_000); // open + purchase
    expect(Buffer.from(budgetIxs[1].data).readBigUInt64LE(1)).toBe(5_000n);
    void userKp;
  });

  it('rebuilds the wallet’s history, plain deposits included, and exports CSV', async () => {
    const { env, bank, user, userKp, operator, worker } = world();
    const owner = userKp.publicKey;
    const { vault } = await user.purchase({ credits: 300n });
    // A wallet pays $1.234567 straight into the vault (a Solana Pay transfer)
    const donor = env.wallet();
    const donorUsdc = env.createTokenAccount(donor.publicKey, 5_000_000n);
    await new LiteSVMProvider(bank, donor).sendAndConfirm(new Transaction().add(createTransferInstruction(donorUsdc, vault, donor.publicKey, 1_234_567n)));
    await operator.lock({ owner, jobId: 1n, tier: 1, maxOutputTokens: 1_500 });
    await operator.lock({ owner, jobId: 2n, tier: 0, maxOutputTokens: 500 });
    await operator.settle({ owner, jobId: 1n, outputTokens: 1_000, providerShareBps: 8_000, providerTokenAccount: worker.usdc });
    await operator.refund({ owner, jobId: 2n });
    await user.withdraw({ credits: 100n });
    const history = await user.history();
    expect(history.map((e) => [e.kind, e.credits, e.usdc, e.availableAfter, e.lockedAfter])).toEqual([
      ['open', 0n, 0n, 0n, 0n],
      ['purchase', 300n, 3_000_000n, 300n, 0n],
      ['deposit', 123n, 1_234_567n, 423n, 0n],
      ['lock', 12n, 0n, 411n, 12n],
      ['lock', 2n, 0n, 409n, 14n],
      ['settle', 10n, -80_000n, 411n, 2n],
      ['refund', 2n, 0n, 413n, 0n],
      ['withdraw', 100n, -1_000_000n, 313n, 0n],
    ]);
    expect((await user.getBalance()).available).toBe(313n);
    const csv = toCsv(history).trim().split('\n');
    expect(csv[0]).toBe('time,kind,id,job_id,credits,usdc,available_after,locked_after,signature');
    expect(csv[3]).toBe(`${isoTime(history[2].blockTime)},deposit,${history[2].id},,123,1.234567,423,0,${history[2].signature}`);
    expect(csv[6]).toMatch(/,settle,\w+:\d+,1,10,-0\.08,411,2,/);
    // Each entry's id is its signature and transaction-wide position; a plain deposit's comes after every program event of its transaction.
    for (const e of history) expect(e.id).toBe(`${e.signature}:${e.position}`);
    expect(history[2].position).toBeGreaterThan(0);
    expect(new Set(history.map((e) => e.id)).size).toBe(history.length);
  });

  it('alerts once when the balance falls below a threshold', async () => {
    const { user, userKp, operator } = world();
    const owner = userKp.publicKey;
    await user.purchase({ credits: 100n });
    const lows: bigint[] = [];
    const changes: bigint[] = [];
    const stop = await user.watchBalance({ owner,  below: 80n, onLow: (b) => lows.push(b.available), onChange: (b) => changes.push(b.available) });
    await operator.lock({ owner, jobId: 1n, tier: 1, maxOutputTokens: 1_000 }); // 10 → 90 left
    await operator.lock({ owner, jobId: 2n, tier: 1, maxOutputTokens: 1_000 }); // → 80
    await operator.lock({ owner, jobId: 3n, tier: 1, maxOutputTokens: 1_000 }); // → 70: crosses
    await operator.lock({ owner, jobId: 4n, tier: 1, maxOutputTokens: 1_000 }); // → 60: still low
    await new Promise((r) => setTimeout(r, 10));
    expect(changes).toEqual([90n, 80n, 70n, 60n]);
    expect(lows).toEqual([70n]);
    await stop();
    await operator.refund({ owner, jobId: 4n });
    await new Promise((r) => setTimeout(r, 10));
    expect(changes).toHaveLength(4);
  });
});
