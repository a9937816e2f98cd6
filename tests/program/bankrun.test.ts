// The same program, executed by solana-bankrun (BPFLoader2 deployment, its
// own builtin SPL programs): initialize_config and open_credit_account built
// with Anchor's coder, accounts decoded and events parsed with it.
import { AccountLayout } from '@solana/spl-token';
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, Transaction, type TransactionInstruction } from '@solana/web3.js';
import { Clock, type ProgramTestContext } from 'solana-bankrun';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  JobEscrowErrorCode as E,
  decodeConfig,
  decodeCreditAccount,
  errorCodeFromLogs,
  WITHDRAW_ALL,
  findConfigPda,
  findCreditAccountPda,
  getExpirePromoInstruction,
  getGrantCreditsInstruction,
  getLockInstruction,
  getPurchaseInstruction,
  getRefundInstruction,
  getSettleInstruction,
  getWithdrawInstruction,
  findVaultAddress,
  getInitializeConfigInstruction,
  getOpenCreditAccountInstruction,
  parseEvents,
} from '../../sdk/src/index.js';
import { mintAccount, startBankrun, tokenAccount, walletAccount } from '../shared/bankrun.js';

const admin = Keypair.generate();
const user = Keypair.generate();
const userUsdc = Keypair.generate().publicKey;
const workerUsdc = Keypair.generate().publicKey;
const operatorKp = Keypair.generate();
const operator = operatorKp.publicKey;
const mint = Keypair.generate().publicKey;
const treasury = Keypair.generate().publicKey;
const operatorUsdc = Keypair.generate().publicKey;
const promoUser = Keypair.generate();

let ctx: ProgramTestContext;

async function send(ixs: TransactionInstruction[], signers: Keypair[]) {
  const tx = new Transaction().add(...ixs);
  tx.recentBlockhash = (await ctx.banksClient.getLatestBlockhash())![0];
  tx.feePayer = signers[0].publicKey;
  tx.sign(...signers);
  const result = await ctx.banksClient.tryProcessTransaction(tx);
  const logs = result.meta?.logMessages ?? [];
  return { error: result.result, code: errorCodeFromLogs(logs), logs, events: parseEvents(logs) };
}

describe('solana-bankrun', () => {
  beforeAll(async () => {
    ctx = await startBankrun(admin, [
      mintAccount(mint),
      tokenAccount(treasury, mint, Keypair.generate().publicKey),
      walletAccount(operator),
      walletAccount(user.publicKey),
      tokenAccount(userUsdc, mint, user.publicKey, 5_000_000n),
      tokenAccount(workerUsdc, mint, Keypair.generate().publicKey),
      tokenAccount(operatorUsdc, mint, operator, 10_000_000n),
      walletAccount(promoUser.publicKey),
    ]);
  });

  it('initializes the config and opens a credit account', async () => {
    // Given bankrun with the built program and an admin who is the upgrade authority
    const init = getInitializeConfigInstruction({ admin: admin.publicKey, mint, treasury }, { operator });
    // When the admin initializes the config
    const first = await send([init], [admin]);
    expect(first.error, first.logs.join('\n')).toBeNull();
    // Then the Config decodes with Anchor's coder and ConfigUpdated was emitted
    const config = decodeConfig((await ctx.banksClient.getAccount(findConfigPda()[0]))!.data);
    expect(config.operator).toEqual(operator);
    expect(config.tiers).toEqual(DEFAULTS.tiers);
    expect(first.events.map((e) => e.name)).toEqual(['ConfigUpdated']);

    // When a payer opens a credit account for an owner
    const payer = admin;
    const owner = Keypair.generate().publicKey;
    const [credit, bump] = findCreditAccountPda(owner);
    const open = await send([getOpenCreditAccountInstruction({ payer: payer.publicKey, owner, mint })], [payer]);
    expect(open.error, open.logs.join('\n')).toBeNull();
    // Then the account and its vault exist, and the event names them
    const account = decodeCreditAccount((await ctx.banksClient.getAccount(credit))!.data);
    const vault = findVaultAddress(credit, mint);
    expect(account.owner).toEqual(owner);
    expect(account.vault).toEqual(vault);
    expect(account.bump).toBe(bump);
    const vaultData = AccountLayout.decode(Buffer.from((await ctx.banksClient.getAccount(vault))!.data));
    expect(vaultData.owner).toEqual(credit);
    expect(open.events).toEqual([{ name: 'CreditAccountOpened', data: { owner, creditAccount: credit, vault } }]);
  });

  it('runs the job lifecycle: purchase, lock, settle, refund after expiry, withdraw', async () => {
    const balance = async (a: PublicKey) => AccountLayout.decode(Buffer.from((await ctx.banksClient.getAccount(a))!.data)).amount;
    const ok = async (ix: TransactionInstruction, signers: Keypair[]) => {
      const r = await send([ix], signers);
      expect(r.error, r.logs.join('\n')).toBeNull();
      return r;
    };
    const [credit] = findCreditAccountPda(user.publicKey);
    const vault = findVaultAddress(credit, mint);
    await ok(getOpenCreditAccountInstruction({ payer: user.publicKey, owner: user.publicKey, mint }), [user]);
    // Buy 300 credits ($3)
    await ok(getPurchaseInstruction({ owner: user.publicKey, mint, source: userUsdc }, { credits: 300n }), [user]);
    expect(await balance(vault)).toBe(3_000_000n);
    // The owner locks two Standard jobs of 12 credits (each in a slot of the credit account)
    const lock = (jobId: bigint) =>
      ok(getLockInstruction({ authority: user.publicKey, creditAccount: credit, mint }, { jobId, tier: 1, maxOutputTokens: 1_500 }), [user]);
    await lock(1n);
    await lock(2n);
    const locked = decodeCreditAccount((await ctx.banksClient.getAccount(credit))!.data);
    expect(locked).toMatchObject({ locked: 24n, openJobs: 2 });
    expect(locked.jobSlots.slice(0, 3).map((s) => s.jobId)).toEqual([1n, 2n, 0n]);
    // The operator settles job 1: 10 credits, 80 % to the worker
    const settled = await ok(
      getSettleInstruction(
        { operator: operatorKp.publicKey, creditAccount: credit, mint, providerTokenAccount: workerUsdc },
        { jobId: 1n, outputTokens: 1_000, providerShareBps: 8_000 },
      ),
      [operatorKp],
    );
    expect(settled.events[0]).toEqual({ name: 'JobSettled', data: { creditAccount: credit, jobId: 1n, creditsCharged: 10n, workerAmount: 80_000n } });
    expect(await balance(workerUsdc)).toBe(80_000n);
    // Job 2 expires; anyone may refund it
    const clock = await ctx.banksClient.getClock();
    ctx.setClock(new Clock(clock.slot, clock.epochStartTimestamp, clock.epoch, clock.leaderScheduleEpoch, clock.unixTimestamp + 121n));
    const refunded = await ok(
      getRefundInstruction({ authority: admin.publicKey, creditAccount: credit }, { jobId: 2n }),
      [admin],
    );
    expect(refunded.events[0].data).toMatchObject({ creditAccount: credit, jobId: 2n, creditsReleased: 12n, reason: 1 });
    // Withdraw everything: $3 - $0.10 charged, the $0.02 fee stays for the treasury
    await ok(getWithdrawInstruction({ owner: user.publicKey, mint, destination: userUsdc }, { credits: WITHDRAW_ALL }), [user]);
    expect(await balance(vault)).toBe(20_000n);
    expect(await balance(userUsdc)).toBe(5_000_000n - 100_000n);
  });

  it('runs promotional credits: granted from the operator, spent first, never withdrawn, given up at close', async () => {
    const balance = async (a: PublicKey) => AccountLayout.decode(Buffer.from((await ctx.banksClient.getAccount(a))!.data)).amount;
    const ok = async (ix: TransactionInstruction, signers: Keypair[]) => {
      const r = await send([ix], signers);
      expect(r.error, r.logs.join('\n')).toBeNull();
      return r;
    };
    const owner = promoUser.publicKey;
    const [credit] = findCreditAccountPda(owner);
    const vault = findVaultAddress(credit, mint);
    const account = async () => decodeCreditAccount((await ctx.banksClient.getAccount(credit))!.data);
    await ok(getOpenCreditAccountInstruction({ payer: owner, owner, mint }), [promoUser]);
    // The operator grants 30 credits of its own USDC, expiring in an hour
    const now = (await ctx.banksClient.getClock()).unixTimestamp;
    const granted = await ok(getGrantCreditsInstruction({ operator, creditAccount: credit, mint, source: operatorUsdc }, { credits: 30n, expiresAt: now + 3_600n }), [operatorKp]);
    expect(granted.events).toEqual([{ name: 'CreditsGranted', data: { credits: 30n, expiresAt: now + 3_600n } }]);
    expect(await balance(operatorUsdc)).toBe(10_000_000n - 300_000n);
    // A 12-credit job settles: all 12 from the promo balance
    await ok(getLockInstruction({ authority: operator, creditAccount: credit, mint }, { jobId: 1n, tier: 1, maxOutputTokens: 1_500 }), [operatorKp]);
    await ok(
      getSettleInstruction({ operator, creditAccount: credit, mint, providerTokenAccount: workerUsdc }, { jobId: 1n, outputTokens: 1_500, providerShareBps: 8_000 }),
      [operatorKp],
    );
    expect(await account()).toMatchObject({ promoCredits: 18n, charged: 12n, granted: 30n });
    // Nothing is withdrawable: the 18 left are promo
    const all = await send([getWithdrawInstruction({ owner, mint, destination: userUsdc }, { credits: WITHDRAW_ALL })], [promoUser]);
    expect(all.code).toBe(E.InsufficientCredits);
    // A stranger cannot expire it early; the owner gives it up, the treasury gets $0.18
    const early = await send([getExpirePromoInstruction({ authority: admin.publicKey, creditAccount: credit, mint, treasury })], [admin]);
    expect(early.code).toBe(E.PromoNotExpired);
    const treasuryBefore = await balance(treasury);
    const given = await ok(getExpirePromoInstruction({ authority: owner, creditAccount: credit, mint, treasury }), [promoUser]);
    expect(given.events).toEqual([{ name: 'PromoExpired', data: { credits: 18n, reason: 1 } }]);
    expect((await balance(treasury)) - treasuryBefore).toBe(180_000n);
    expect(await balance(vault)).toBe(24_000n); // the fee on the 12 credits, owed to the treasury
    expect(await account()).toMatchObject({ promoCredits: 0n, expired: 18n, promoExpiresAt: 0n });
  });

  it('rejects a second initialize_config with AlreadyInitialized', async () => {
    const init = getInitializeConfigInstruction({ admin: admin.publicKey, mint, treasury }, { operator: admin.publicKey });
    const second = await send([init], [admin]);
    expect(second.code).toBe(E.AlreadyInitialized);
    expect(decodeConfig((await ctx.banksClient.getAccount(findConfigPda()[0]))!.data).operator).toEqual(operator);
  });

  it('rejects a signer that is not the upgrade authority with NotUpgradeAuthority', async () => {
    const stranger = Keypair.generate();
    await send([SystemProgram.transfer({ fromPubkey: admin.publicKey, toPubkey: stranger.publicKey, lamports: LAMPORTS_PER_SOL })], [admin]);
    const init = getInitializeConfigInstruction({ admin: stranger.publicKey, mint, treasury }, { operator });
    expect((await send([init], [stranger])).code).toBe(E.NotUpgradeAuthority);
  });
});
