import { createTransferInstruction } from '@solana/spl-token';
import { describe, expect, it } from 'vitest';
import {
  JobEscrowErrorCode as E,
  WITHDRAW_ALL,
  getUpdateConfigInstruction,
  getWithdrawInstruction,
} from '../../sdk/src/index.js';
import { Escrow, expectProgramError, type User } from '../shared/index.js';
import { ownComputeUnits } from './setup/compute.js';

const withdraw = (env: Escrow, u: User, credits: bigint, destination = u.usdc, signer = u.wallet) =>
  env.send(getWithdrawInstruction({ owner: u.wallet.publicKey, mint: env.mint, destination, creditAccount: u.credit, vault: u.vault }, { credits }), [signer]);

describe('withdraw', () => {
  it('pays credits x price back to the owner', () => {
    const env = new Escrow();
    const u = env.funded(300n);
    const before = env.tokenBalance(u.usdc);
    const sent = withdraw(env, u, 120n);
    expect(env.tokenBalance(u.usdc) - before).toBe(1_200_000n);
    expect(env.tokenBalance(u.vault)).toBe(1_800_000n);
    expect(env.credit(u).withdrawn).toBe(120n);
    expect(env.available(u)).toBe(180n);
    expect(sent.events).toEqual([{ name: 'CreditsWithdrawn', data: { credits: 120n, amount: 1_200_000n } }]);
    // The program's own work around the token transfer: measured 800 CU (691 with plain Transfer; TransferChecked passes the mint too)
    expect(ownComputeUnits(sent.logs)).toBeLessThanOrEqual(810);
  });

  it('cannot touch locked credits or fees owed', () => {
    // Given 100 credits, 12 locked by a job and then a settled job's fee
    const env = new Escrow();
    const u = env.funded(100n);
    env.settle(u, env.lock(u), { outputTokens: 1_000, bps: 8_000 }); // charges 10, fee $0.02
    env.lock(u, { tier: 1, maxOutputTokens: 1_500 }); // locks 12
    expect(env.available(u)).toBe(78n);
    const before = env.snapshot([u.vault, u.credit, u.usdc]);
    expectProgramError(() => withdraw(env, u, 79n), E.InsufficientCredits);
    expect(env.snapshot([u.vault, u.credit, u.usdc])).toEqual(before);
    withdraw(env, u, 78n);
    expect(env.available(u)).toBe(0n);
  });

  it('with u64::MAX withdraws everything withdrawable, dust included', () => {
    // Given 100 credits, one job locking 12, and 7 base units of dust sent by a wallet
    const env = new Escrow();
    const u = env.funded(100n);
    env.lock(u, { tier: 1, maxOutputTokens: 1_500 });
    env.send(createTransferInstruction(u.usdc, u.vault, u.wallet.publicKey, 7n), [u.wallet]);
    const before = env.tokenBalance(u.usdc);
    // When the owner withdraws everything
    const sent = withdraw(env, u, WITHDRAW_ALL);
    // Then only the 12 locked credits remain in the vault
    expect(env.tokenBalance(u.vault)).toBe(120_000n);
    expect(env.tokenBalance(u.usdc) - before).toBe(880_007n);
    expect(sent.events[0].data).toEqual({ credits: 88n, amount: 880_007n });
    // And nothing is left to withdraw
    expectProgramError(() => withdraw(env, u, WITHDRAW_ALL), E.InsufficientCredits);
  });

  it('rejects a signer that is not the owner, a zero amount and the vault as destination', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    const thief = env.user();
    const before = env.snapshot([u.vault, u.credit]);
    expectProgramError(() => env.send(getWithdrawInstruction({ owner: thief.wallet.publicKey, mint: env.mint, destination: thief.usdc, creditAccount: u.credit, vault: u.vault }, { credits: 10n }), [thief.wallet]), E.Unauthorized);
    expectProgramError(() => withdraw(env, u, 0n), E.ZeroAmount);
    expectProgramError(() => withdraw(env, u, 10n, u.vault), E.DuplicateAccount);
    expect(env.snapshot([u.vault, u.credit])).toEqual(before);
  });

  it('works while the program is paused: users can always leave', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, { paused: true }), [env.admin]);
    withdraw(env, u, 100n);
    expect(env.tokenBalance(u.vault)).toBe(0n);
  });
});
