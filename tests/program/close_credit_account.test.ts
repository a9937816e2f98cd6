import { createAssociatedTokenAccountIdempotentInstruction } from '@solana/spl-token';
import { Keypair, type PublicKey } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  JOB_ESCROW_PROGRAM_ID,
  JobEscrowErrorCode as E,
  WITHDRAW_ALL,
  decodeCreditAccount,
  findCreditAccountPda,
  findVaultAddress,
  getCloseCreditAccountInstruction,
  getOpenCreditAccountInstruction,
  getUpdateConfigInstruction,
  getWithdrawInstruction,
} from '../../sdk/src/index.js';
import { Escrow, expectProgramError } from '../shared/index.js';

/** An owner whose credit account `payer` opened (a platform opening accounts for strangers). */
function openedBy(env: Escrow, payer: Keypair) {
  const owner = env.wallet();
  const [credit] = findCreditAccountPda(owner.publicKey);
  const vault = findVaultAddress(credit, env.mint);
  const before = env.lamports(payer.publicKey);
  env.send(getOpenCreditAccountInstruction({ payer: payer.publicKey, owner: owner.publicKey, mint: env.mint }), [payer]);
  const paid = before - env.lamports(payer.publicKey) - 5_000n; // less the fee
  return { owner, credit, vault, paid };
}
const closeIx = (owner: PublicKey, rentPayer: PublicKey, mint: PublicKey) => getCloseCreditAccountInstruction({ owner, rentPayer, mint });

describe('close_credit_account', () => {
  it('closes an empty account the owner opened, returning both rents to the owner', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    env.send(getWithdrawInstruction({ owner: u.wallet.publicKey, mint: env.mint, destination: u.usdc }, { credits: WITHDRAW_ALL }), [u.wallet]);
    const rents = BigInt(env.account(u.credit)!.lamports) + BigInt(env.account(u.vault)!.lamports);
    const before = env.lamports(u.wallet.publicKey);
    const sent = env.send(getCloseCreditAccountInstruction({ owner: u.wallet.publicKey, rentPayer: u.wallet.publicKey, mint: env.mint }), [u.wallet]);
    expect(env.data(u.credit)).toBeNull();
    expect(env.data(u.vault)).toBeNull();
    expect(env.lamports(u.wallet.publicKey) - before).toBe(rents - 5_000n);
    expect(sent.events).toEqual([{ name: 'CreditAccountClosed', data: { owner: u.wallet.publicKey, creditAccount: u.credit } }]);
  });

  it('records who paid the rent and how much, and pays exactly that back to it at close; the owner gets the rest', () => {
    // Given an account a platform opened (and paid the rent of) for a stranger
    const env = new Escrow();
    const platform = env.wallet();
    const { owner, credit, vault, paid } = openedBy(env, platform);
    const rents = BigInt(env.account(credit)!.lamports) + BigInt(env.account(vault)!.lamports);
    expect(paid).toBe(rents); // the account's and the vault's rent
    expect(decodeCreditAccount(env.data(credit)!)).toMatchObject({ rentPayer: platform.publicKey, rentPaid: rents });
    const bytes = env.data(credit)!;
    expect(bytes.subarray(188, 220).equals(platform.publicKey.toBuffer())).toBe(true);
    expect(bytes.readBigUInt64LE(220)).toBe(rents);
    // When the owner closes it
    const platformBefore = env.lamports(platform.publicKey);
    const ownerBefore = env.lamports(owner.publicKey);
    env.send(closeIx(owner.publicKey, platform.publicKey, env.mint), [owner]);
    // Then every lamport the platform paid comes back to it, and the owner pays only the fee
    expect(env.lamports(platform.publicKey) - platformBefore).toBe(paid);
    expect(env.lamports(owner.publicKey) - ownerBefore).toBe(-5_000n);
    expect(env.data(credit)).toBeNull();
    expect(env.data(vault)).toBeNull();
  });

  it('a vault someone else created first: its rent was not the payer\'s, so it goes to the owner', () => {
    // Given a stranger who created the vault ATA before the account opened (as a Solana Pay transfer can)
    const env = new Escrow();
    const platform = env.wallet();
    const stranger = env.wallet();
    const owner = env.wallet();
    const [credit] = findCreditAccountPda(owner.publicKey);
    const vault = findVaultAddress(credit, env.mint);
    env.send(createAssociatedTokenAccountIdempotentInstruction(stranger.publicKey, vault, credit, env.mint), [stranger]);
    const vaultRent = BigInt(env.account(vault)!.lamports);
    const before = env.lamports(platform.publicKey);
    env.send(getOpenCreditAccountInstruction({ payer: platform.publicKey, owner: owner.publicKey, mint: env.mint }), [platform]);
    const paid = before - env.lamports(platform.publicKey) - 5_000n;
    const accountRent = BigInt(env.account(credit)!.lamports);
    expect(paid).toBe(accountRent);
    expect(env.data(credit)!.readBigUInt64LE(220)).toBe(accountRent);
    // When the owner closes, Then the platform gets its account rent back, the owner the vault's
    const platformBefore = env.lamports(platform.publicKey);
    const ownerBefore = env.lamports(owner.publicKey);
    env.send(closeIx(owner.publicKey, platform.publicKey, env.mint), [owner]);
    expect(env.lamports(platform.publicKey) - platformBefore).toBe(accountRent);
    expect(env.lamports(owner.publicKey) - ownerBefore).toBe(vaultRent - 5_000n);
  });

  it('refuses a rent payer other than the recorded one (the owner, a stranger), changing nothing', () => {
    const env = new Escrow();
    const platform = env.wallet();
    const { owner, credit, vault } = openedBy(env, platform);
    const watched = [credit, vault, platform.publicKey]; // the owner pays only the fee
    for (const wrong of [owner.publicKey, Keypair.generate().publicKey, env.operator.publicKey]) {
      const before = env.snapshot(watched);
      expectProgramError(() => env.send(closeIx(owner.publicKey, wrong, env.mint), [owner]), E.InvalidRentPayer);
      expect(env.snapshot(watched)).toEqual(before);
    }
  });

  it('refuses a rent payer passed read-only (the runtime will not credit it), changing nothing', () => {
    const env = new Escrow();
    const platform = env.wallet();
    const { owner, credit, vault } = openedBy(env, platform);
    const ix = closeIx(owner.publicKey, platform.publicKey, env.mint);
    const meta = ix.keys.find((k) => k.pubkey.equals(platform.publicKey))!;
    meta.isWritable = false;
    const watched = [credit, vault, platform.publicKey]; // the owner pays only the fee
    const before = env.snapshot(watched);
    expect(() => env.send(ix, [owner])).toThrow(/read-only|readonly/i);
    expect(env.snapshot(watched)).toEqual(before);
  });

  it('refuses while credits, an open job or fees remain, and for anyone but the owner', () => {
    const env = new Escrow();
    const u = env.funded(100n);
    const close = (signer = u.wallet) => env.send(getCloseCreditAccountInstruction({ owner: signer.publicKey, rentPayer: signer.publicKey, mint: env.mint, creditAccount: u.credit, vault: u.vault }), [signer]);
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
    // When the owner closes, Then the open job keeps the account (and the job's slot) whole
    const close = getCloseCreditAccountInstruction({ owner: u.wallet.publicKey, rentPayer: u.wallet.publicKey, mint: env.mint });
    const before = env.snapshot([u.credit, u.vault]);
    expectProgramError(() => env.send(close, [u.wallet]), E.CreditAccountNotEmpty);
    expect(env.snapshot([u.credit, u.vault])).toEqual(before);
    expect(env.job(u, job)?.tier).toBe(0);
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
      const close = getCloseCreditAccountInstruction({ owner: u.wallet.publicKey, rentPayer: u.wallet.publicKey, mint: env.mint });
      const before = env.snapshot([u.credit, u.vault]);
      expectProgramError(() => env.send(close, [u.wallet]), E.CreditAccountNotEmpty);
      expect(env.snapshot([u.credit, u.vault])).toEqual(before);
    });
  }
});
