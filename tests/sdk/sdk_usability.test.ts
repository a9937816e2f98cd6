// What a dApp developer meets first: errors in words, cheap balance reads,
// prices that follow the config, amounts checked before they are encoded,
// and one history per LiteSVM world.
import { Keypair, Transaction } from '@solana/web3.js';
import BN from 'bn.js';
import { describe, expect, it } from 'vitest';
import {
  AccountNotFoundError,
  InsufficientFundsError,
  JobEscrowError,
  JobEscrowErrorCode as E,
  getLockInstruction,
  getPurchaseInstruction,
  getUpdateConfigInstruction,
  isJobEscrowError,
  quote,
  type JobEscrowErrorCode,
} from '../../sdk/src/index.js';
import { Escrow } from '../shared/index.js';

/** A connection that counts the RPC calls made through it. */
function counting<T extends object>(target: T): { connection: T; calls: string[] } {
  const calls: string[] = [];
  const connection = new Proxy(target, {
    get(t, prop, receiver) {
      const value = Reflect.get(t, prop, receiver);
      if (typeof value !== 'function' || !String(prop).startsWith('get')) return value;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return value.apply(t, args);
      };
    },
  });
  return { connection, calls };
}

describe('SDK usability', () => {
  it('getBalance is one RPC call; the last top-up time is opt-in and costs two more (tests/sdk/rpc_calls.test.ts counts a 200-transaction history)', async () => {
    // Given a user with 21 transactions (open + purchase, then 19 purchases)
    const env = new Escrow();
    const kp = env.wallet({ usdc: 1_000_000_000n });
    const user = env.client(kp);
    for (let i = 0; i < 20; i++) await user.purchase({ credits: 100 });
    const { connection, calls } = counting(user.connection);
    Object.defineProperty(user.provider, 'connection', { value: connection });
    await user.config();
    calls.length = 0;
    // When the balance is read
    const balance = await user.getBalance();
    // Then one call answers it
    expect(balance.available).toBe(2_000n);
    expect(calls).toEqual(['getMultipleAccountsInfo']);
    // And the last top-up costs the vault's newest signatures and one batched read of their transactions, only when asked for
    calls.length = 0;
    const withTopUp = await user.getBalance({ withLastTopUp: true });
    expect(withTopUp.lastTopUpAt).toBe(Number(env.now()));
    expect(calls).toEqual(['getMultipleAccountsInfo', 'getSignaturesForAddress', 'getTransactions']);
  });

  it('client.quote follows the tier prices after update_config', async () => {
    const env = new Escrow();
    const client = env.client(env.operator);
    expect(await client.quote({ tier: 1, outputTokens: 600 })).toBe(9n);
    const tiers = [...(await client.config()).tiers];
    tiers[1] = { ...tiers[1], requestCredits: 40n };
    env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, { tiers }), [env.admin]);
    expect(await client.quote({ tier: 1, outputTokens: 600 })).toBe(41n);
    expect(quote(1, 600, { tiers })).toBe(41n);
  });

  it('names a credit account that is not opened and a job that is not locked', async () => {
    const env = new Escrow();
    const operator = env.client(env.operator);
    const stranger = Keypair.generate().publicKey;
    const lock = operator.lock({ owner: stranger, jobId: 1, tier: 0, maxOutputTokens: 100 });
    await expect(lock).rejects.toBeInstanceOf(AccountNotFoundError);
    await expect(lock).rejects.toThrow(`the credit account of ${stranger.toBase58()} is not opened`);
    const u = env.funded(100n);
    const worker = env.worker();
    const settle = operator.settle({ owner: u.wallet.publicKey, jobId: 99, outputTokens: 10, providerTokenAccount: worker.usdc });
    // A job id not in flight in the account: the program's JobNotFound, by name
    await expect(settle).rejects.toSatisfy((e) => isJobEscrowError(e, E.JobNotFound));
    await expect(settle).rejects.toThrow(/JobNotFound \(6027\): No job with this id is in flight in the credit account/);
    await expect(operator.refund({ owner: u.wallet.publicKey, jobId: 99 })).rejects.toSatisfy((e) => isJobEscrowError(e, E.JobNotFound));
  });

  it('a purchase beyond the wallet\'s USDC says "not enough USDC" and changes nothing', async () => {
    const env = new Escrow();
    const kp = env.wallet({ usdc: 5_000_000n });
    const user = env.client(kp);
    await user.purchase({ credits: 100 });
    const { creditAccount, vault } = await user.addresses();
    const before = env.snapshot([creditAccount, vault]);
    const err = await user.purchase({ credits: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientFundsError);
    expect(err).toMatchObject({ balance: 4_000_000n, needed: 5_000_000n });
    expect(String((err as Error).message)).toMatch(/^not enough USDC/);
    expect(env.snapshot([creditAccount, vault])).toEqual(before);
  });

  it('rejects amounts that do not fit their field, naming it, before anything is encoded', () => {
    const env = new Escrow();
    const accounts = { authority: env.operator.publicKey, creditAccount: env.treasury, mint: env.mint };
    const purchase = (credits: number | bigint | BN) => getPurchaseInstruction({ owner: env.admin.publicKey, mint: env.mint, source: env.treasury }, { credits });
    expect(() => purchase(new BN(-5))).toThrow(new RangeError('credits cannot be negative, got -5'));
    expect(() => purchase(1.5)).toThrow(new RangeError('credits must be a whole number, got 1.5'));
    expect(() => purchase(1n << 64n)).toThrow(new RangeError('credits must be at most 18446744073709551615 (u64), got 18446744073709551616'));
    expect(() => purchase((1n << 64n) - 1n)).not.toThrow();
    expect(() => getLockInstruction(accounts, { jobId: 1, tier: 256, maxOutputTokens: 1 })).toThrow(/^tier must be at most 255/);
    expect(() => getLockInstruction(accounts, { jobId: 1, tier: 0, maxOutputTokens: 2 ** 32 })).toThrow(/^maxOutputTokens must be at most 4294967295/);
    expect(() => getLockInstruction(accounts, { jobId: -1, tier: 0, maxOutputTokens: 1 })).toThrow(/^jobId cannot be negative/);
  });

  it('error codes are literals; isJobEscrowError rejects codes the program does not have', () => {
    const err = new JobEscrowError(E.Paused);
    expect(err.code).toBe(6014);
    expect(isJobEscrowError(err, E.Paused)).toBe(true);
    expect(isJobEscrowError(err, E.InsufficientCredits)).toBe(false);
    expect(() => isJobEscrowError(err, 7777 as JobEscrowErrorCode)).toThrow(RangeError);
    expect(() => new JobEscrowError(42)).toThrow(RangeError);
    // A copy of the class from the other build is recognised by its brand.
    const foreign = Object.assign(Object.create(Error.prototype), { code: 6014, [Symbol.for('@job-escrow/sdk:JobEscrowError')]: true });
    expect(foreign instanceof JobEscrowError).toBe(true);
    expect(isJobEscrowError(new Error('Paused'))).toBe(false);
  });

  it('one LiteSVM world records one history, whichever provider sent each transaction', async () => {
    // Given a user who buys credits and an operator who locks, settles and refunds, each through its own provider
    const env = new Escrow();
    const kp = env.wallet({ usdc: 100_000_000n });
    const user = env.client(kp);
    const operator = env.client(env.operator);
    await user.purchase({ credits: 500 });
    const owner = kp.publicKey;
    await operator.lock({ owner, jobId: 1, tier: 0, maxOutputTokens: 1000 });
    await operator.lock({ owner, jobId: 2, tier: 1, maxOutputTokens: 1000 });
    await operator.settle({ owner, jobId: 1, outputTokens: 800, providerTokenAccount: env.worker().usdc });
    await operator.refund({ owner, jobId: 2 });
    await user.withdraw({ credits: 10 });
    // A plain transfer into the vault sent by yet another wallet
    const donor = env.wallet();
    const { vault } = await user.addresses();
    const { createTransferInstruction } = await import('@solana/spl-token');
    const donorUsdc = env.createTokenAccount(donor.publicKey, 1_000_000n);
    await env.provider(donor).sendAndConfirm(new Transaction().add(createTransferInstruction(donorUsdc, vault, donor.publicKey, 1_000_000n)));
    // Then the user's history, read through the user's own client, has every entry
    const kinds = (await user.history()).map((e) => e.kind);
    expect(kinds).toEqual(['open', 'purchase', 'lock', 'lock', 'settle', 'refund', 'withdraw', 'deposit']);
  });
});

describe('spending limits at account opening', () => {
  it('purchase({ limits }) opens the account with its caps in the same transaction', async () => {
    const env = new Escrow();
    const kp = env.wallet({ usdc: 100_000_000n });
    const user = env.client(kp);
    const { signature, opened } = await user.purchase({ credits: 5_000, limits: { maxCreditsPerJob: 100, dailyLimitCredits: 1_000 } });
    expect(opened).toBe(true);
    expect(await user.creditAccount()).toMatchObject({ maxCreditsPerJob: 100n, dailyLimitCredits: 1_000n, purchased: 5_000n });
    const tx = await env.bank.getTransaction(signature);
    const kinds = (await user.history()).map((e) => e.kind);
    expect(kinds).toEqual(['open', 'limit', 'purchase']);
    expect(tx).not.toBeNull();
  });

  it('openCreditAccount({ limits }) for another owner is refused before anything is sent', async () => {
    const env = new Escrow();
    const platform = env.client(env.operator);
    const owner = Keypair.generate().publicKey;
    await expect(platform.openCreditAccount({ owner, limits: { maxCreditsPerJob: 1 } })).rejects.toThrow(/only by the owner/);
    expect(await platform.creditAccount({ owner })).toBeNull();
  });
});

describe('promotional credits through the client', () => {
  it('grants, spends promo first, reports withdrawable and lifetime totals, and closes giving the rest up', async () => {
    const env = new Escrow();
    env.warp(1_000);
    const kp = env.wallet({ usdc: 10_000_000n });
    const user = env.client(kp);
    const operator = env.client(env.operator);
    env.createTokenAccount(env.operator.publicKey, 10_000_000n);
    const owner = kp.publicKey;
    await user.purchase({ credits: 100 });
    const granted = await operator.grantCredits({ owner, credits: 40, expiresIn: 3_600 });
    expect(granted.expiresAt).toBe(env.now() + 3_600n);
    expect(await user.getBalance()).toMatchObject({ available: 140n, withdrawable: 100n, promo: 40n, promoExpiresAt: Number(env.now() + 3_600n), granted: 40n, purchased: 100n });
    await operator.lock({ owner, jobId: 1, tier: 1, maxOutputTokens: 1_500 });
    await operator.settle({ owner, jobId: 1, outputTokens: 1_500, providerTokenAccount: env.worker().usdc });
    expect(await user.getBalance()).toMatchObject({ available: 128n, withdrawable: 100n, promo: 28n, charged: 12n });
    // A stranger cannot expire it early; the user withdraws everything withdrawable, then closes (giving 28 up)
    await expect(env.client(env.wallet()).expirePromo({ owner })).rejects.toSatisfy((e) => isJobEscrowError(e, E.PromoNotExpired));
    await user.withdrawAll();
    await operator.collectFees({ owner });
    await user.closeCreditAccount();
    expect(await user.creditAccount()).toBeNull();
    expect((await user.history()).map((e) => e.kind)).toEqual(['open', 'purchase', 'grant', 'lock', 'settle', 'withdraw', 'fees', 'expire', 'close']);
    await expect(operator.grantCredits({ owner, credits: 1, expiresAt: 5, expiresIn: 5 })).rejects.toThrow(TypeError);
  });
});
