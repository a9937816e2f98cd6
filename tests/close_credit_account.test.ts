import { describe, expect, it } from 'vitest';
import { JobEscrowErrorCode as E, WITHDRAW_ALL, getCloseCreditAccountInstruction, getWithdrawInstruction } from '../sdk/src/index.js';
import { Escrow, expectProgramError } from './setup.js';

describe('close_credit_account', () => {
  it('closes an empty account and its vault, returning both rents to the owner', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    env.send(getWithdrawInstruction({ owner: u.wallet.publicKey, mint: env.mint, destination: u.usdc }, { credits: WITHDRAW_ALL }), [u.wallet]);
    const rents = BigInt(env.account(u.credit)!.lamports) + BigInt(env.account(u.vault)!.lamports);
    const before = env.lamports(u.wallet.publicKey);
    const sent = env.send(getCloseCreditAccountInstruction({ owner: u.wallet.publicKey, mint: env.mint }), [u.wallet]);
    expect(env.data(u.credit)).toBeNull();
    expect(env.data(u.vault)).toBeNull();
    expect(env.lamports(u.wallet.publicKey) - before).toBe(rents - 5_000n);
    expect(sent.events).toEqual([{ name: 'CreditAccountClosed', data: { owner: u.wallet.publicKey, creditAccount: u.credit } }]);
  });

  it('refuses while credits, an open job or fees remain, and for anyone but the owner', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    const close = (signer = u.wallet) => env.send(getCloseCreditAccountInstruction({ owner: signer.publicKey, mint: env.mint, creditAccount: u.credit, vault: u.vault }), [signer]);
    expectProgramError(() => close(), E.CreditAccountNotEmpty); // credits
    const job = env.lock(u);
    env.send(getWithdrawInstruction({ owner: u.wallet.publicKey, mint: env.mint, destination: u.usdc }, { credits: WITHDRAW_ALL }), [u.wallet]);
    expectProgramError(() => close(), E.CreditAccountNotEmpty); // an open job
    env.refund(u, job);
    expectProgramError(() => close(env.wallet()), E.Unauthorized);
    expect(env.data(u.credit)).not.toBeNull();
  });
});
