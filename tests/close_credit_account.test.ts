import { describe, expect, it } from 'vitest';
import { DEFAULTS, JOB_ESCROW_PROGRAM_ID, JobEscrowErrorCode as E, WITHDRAW_ALL, getCloseCreditAccountInstruction, getUpdateConfigInstruction, getWithdrawInstruction } from '../sdk/src/index.js';
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

  it('refuses an empty vault while a zero-price job is open (open_jobs, not the vault, says so)', () => {
    // Given a tier the admin priced at 0 and an owner with nothing in the vault
    const env = new Escrow();
    const free = DEFAULTS.tiers.map((t, i) => (i === 0 ? { ...t, requestCredits: 0n, per1kCredits: 0n } : t));
    env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, { tiers: free }), [env.admin]);
    const u = env.user();
    const job = env.lock(u, { tier: 0, maxOutputTokens: 1_000 });
    expect(env.credit(u)).toMatchObject({ locked: 0n, openJobs: 1 });
    // When the owner closes, Then the open job keeps the account (and its Job's rent payer) whole
    const close = getCloseCreditAccountInstruction({ owner: u.wallet.publicKey, mint: env.mint });
    const before = env.snapshot([u.credit, u.vault, job.address]);
    expectProgramError(() => env.send(close, [u.wallet]), E.CreditAccountNotEmpty);
    expect(env.snapshot([u.credit, u.vault, job.address])).toEqual(before);
  });

  // Each field alone keeps the account open, even where the invariants make
  // it redundant with the vault check (a corrupted account, written by hand).
  for (const [field, offset, width] of [['locked', 72, 8], ['open_jobs', 80, 4], ['fees_accrued', 84, 8], ['promo_credits', 156, 8]] as const) {
    it(`refuses an empty vault whose account still claims ${field}`, () => {
      const env = new Escrow();
      const u = env.user();
      const bytes = env.data(u.credit)!;
      if (width === 8) bytes.writeBigUInt64LE(3n, offset);
      else bytes.writeUInt32LE(3, offset);
      env.setRaw(u.credit, bytes, JOB_ESCROW_PROGRAM_ID);
      const close = getCloseCreditAccountInstruction({ owner: u.wallet.publicKey, mint: env.mint });
      const before = env.snapshot([u.credit, u.vault]);
      expectProgramError(() => env.send(close, [u.wallet]), E.CreditAccountNotEmpty);
      expect(env.snapshot([u.credit, u.vault])).toEqual(before);
    });
  }
});
