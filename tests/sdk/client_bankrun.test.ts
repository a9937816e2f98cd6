// The same JobEscrowClient code on solana-bankrun, through anchor-bankrun's
// BankrunProvider (the provider the Anchor ecosystem uses with bankrun).
import { Wallet } from '@coral-xyz/anchor';
import { AccountLayout, getAssociatedTokenAddressSync } from '@solana/spl-token';
import { Keypair, Transaction, type PublicKey } from '@solana/web3.js';
import { BankrunProvider } from 'anchor-bankrun';
import { Clock } from 'solana-bankrun';
import { describe, expect, it } from 'vitest';
import { JobEscrowClient, JobEscrowErrorCode as E, getInitializeConfigInstruction, isJobEscrowError } from '../../sdk/src/index.js';
import { mintAccount, startBankrun, tokenAccount, walletAccount } from '../shared/bankrun.js';

describe('JobEscrowClient on solana-bankrun (anchor-bankrun BankrunProvider)', () => {
  it('buys, locks, settles, refunds after expiry and withdraws', async () => {
    const admin = Keypair.generate();
    const operatorKp = Keypair.generate();
    const userKp = Keypair.generate();
    const mint = Keypair.generate().publicKey;
    const treasury = Keypair.generate().publicKey;
    const userUsdc = getAssociatedTokenAddressSync(mint, userKp.publicKey);
    const workerUsdc = Keypair.generate().publicKey;
    const ctx = await startBankrun(admin, [
      mintAccount(mint),
      tokenAccount(treasury, mint, Keypair.generate().publicKey),
      tokenAccount(userUsdc, mint, userKp.publicKey, 10_000_000n),
      tokenAccount(workerUsdc, mint, Keypair.generate().publicKey),
      walletAccount(operatorKp.publicKey),
      walletAccount(userKp.publicKey),
    ]);
    const clientFor = (kp: Keypair) => new JobEscrowClient(new BankrunProvider(ctx, new Wallet(kp)));
    const adminProvider = new BankrunProvider(ctx, new Wallet(admin));
    await adminProvider.sendAndConfirm!(new Transaction().add(getInitializeConfigInstruction({ admin: admin.publicKey, mint, treasury }, { operator: operatorKp.publicKey })));
    const user = clientFor(userKp);
    const operator = clientFor(operatorKp);
    const balanceOf = async (a: PublicKey) => AccountLayout.decode(Buffer.from((await ctx.banksClient.getAccount(a))!.data)).amount;

    expect((await user.purchase({ credits: 500n })).opened).toBe(true);
    const owner = userKp.publicKey;
    await operator.lock({ owner, jobId: 1n, tier: 1, maxOutputTokens: 1_500 });
    await operator.lock({ owner, jobId: 2n, tier: 2, maxOutputTokens: 1_000 });
    await operator.settle({ owner, jobId: 1n, outputTokens: 1_000, providerShareBps: 8_000, providerTokenAccount: workerUsdc });
    expect(await balanceOf(workerUsdc)).toBe(80_000n);
    const err = await user.withdraw({ credits: 500n }).catch((e: unknown) => e);
    expect(isJobEscrowError(err, E.InsufficientCredits)).toBe(true);
    const c = await ctx.banksClient.getClock();
    ctx.setClock(new Clock(c.slot, c.epochStartTimestamp, c.epoch, c.leaderScheduleEpoch, c.unixTimestamp + 200n));
    await operator.refund({ owner, jobId: 2n });
    expect(await user.getBalance({ owner })).toMatchObject({ available: 490n, locked: 0n, openJobs: 0, feesAccrued: 20_000n });
    await user.withdrawAll();
    expect(await balanceOf(userUsdc)).toBe(10_000_000n - 100_000n);
  });
});
