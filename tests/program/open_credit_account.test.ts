import { TOKEN_2022_PROGRAM_ID, AccountLayout } from '@solana/spl-token';
import { Keypair, SystemProgram } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_JOB_SLOTS,
  JOB_ESCROW_PROGRAM_ID,
  JobEscrowErrorCode as E,
  creditAccountLen,
  decodeCreditAccount,
  findConfigPda,
  findCreditAccountPda,
  findVaultAddress,
  getOpenCreditAccountInstruction,
} from '../../sdk/src/index.js';
import { TestEnv, expectProgramError } from '../shared/index.js';
import { directCalls, ownComputeUnits } from './setup/compute.js';

const FREE_SLOT = {
  jobId: 0n,
  tier: 0,
  maxOutputTokens: 0,
  creditsLocked: 0n,
  price: { requestCredits: 0n, per1kCredits: 0n, includedTokens: 0 },
  lockedAt: 0n,
  expiresAt: 0n,
};

function setup() {
  const env = new TestEnv();
  env.initializeConfig();
  const payer = env.wallet();
  const owner = Keypair.generate().publicKey;
  const [credit, bump] = findCreditAccountPda(owner);
  return { env, payer, owner, credit, bump, vault: findVaultAddress(credit, env.mint) };
}

describe('open_credit_account', () => {
  it('creates the CreditAccount and its vault ATA for an owner who does not sign', () => {
    // Given an initialized config and a payer who is not the owner
    const { env, payer, owner, credit, bump, vault } = setup();
    // When the payer opens the owner's credit account
    const sent = env.send(getOpenCreditAccountInstruction({ payer: payer.publicKey, owner, mint: env.mint }), [payer]);
    // Then the account decodes with Anchor's coder
    const account = decodeCreditAccount(env.data(credit)!);
    expect(account).toEqual({
      owner,
      vault,
      locked: 0n,
      openJobs: 0,
      feesAccrued: 0n,
      maxCreditsPerJob: 0n,
      purchased: 0n,
      charged: 0n,
      withdrawn: 0n,
      createdAt: env.now(),
      dailyLimitCredits: 0n,
      windowStart: 0n,
      spentInWindow: 0n,
      promoCredits: 0n,
      promoExpiresAt: 0n,
      granted: 0n,
      expired: 0n,
      rentPayer: payer.publicKey,
      rentPaid: BigInt(env.account(credit)!.lamports) + BigInt(env.account(vault)!.lamports),
      bump,
      jobSlots: Array.from({ length: DEFAULT_JOB_SLOTS }, () => FREE_SLOT),
    });
    // And the account is 233 + 57 x 16 bytes: the 16 default slots, all free (zeros), counted at 229
    expect(env.data(credit)!.length).toBe(1_145);
    expect(env.data(credit)!.readUInt32LE(229)).toBe(16);
    expect(env.data(credit)!.subarray(233).equals(Buffer.alloc(57 * 16))).toBe(true);
    expect(env.account(credit)!.owner).toEqual(JOB_ESCROW_PROGRAM_ID);
    // And the vault is an empty classic-Token account of the mint owned by the PDA
    const v = AccountLayout.decode(env.data(vault)!);
    expect(v.mint).toEqual(env.mint);
    expect(v.owner).toEqual(credit);
    expect(v.amount).toBe(0n);
    // And CreditAccountOpened names all three
    expect(sent.events).toEqual([{ name: 'CreditAccountOpened', data: { owner, creditAccount: credit, vault } }]);
    // The program's own compute units (without the ATA program and the CPI
    // base charges) are 2,904 at bump 255 with the slot count written (2,836
    // before job slots), and find_program_address costs 1,500 more per bump
    // it has to skip
    expect(ownComputeUnits(sent.logs) - 1_500 * (255 - bump)).toBeLessThanOrEqual(2_920);
  });

  it('rejects an account that is already open, leaving it unchanged', () => {
    const { env, payer, owner, credit } = setup();
    const ix = getOpenCreditAccountInstruction({ payer: payer.publicKey, owner, mint: env.mint });
    env.send(ix, [payer]);
    const before = env.data(credit);
    expectProgramError(() => env.send(ix, [payer]), E.AlreadyInitialized);
    expect(env.data(credit)).toEqual(before);
  });

  it('opens an address someone pre-funded with SOL (a donation cannot block it)', () => {
    // Given lamports sent to the PDA before it exists
    const { env, payer, owner, credit } = setup();
    env.send(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: credit, lamports: Number(env.bank.rentExemptMinimum(0n)) }), [payer]);
    // When it is opened, Then it is a CreditAccount of the owner
    env.send(getOpenCreditAccountInstruction({ payer: payer.publicKey, owner, mint: env.mint }), [payer]);
    expect(decodeCreditAccount(env.data(credit)!).owner).toEqual(owner);
    expect(env.account(credit)!.lamports).toBe(Number(env.bank.rentExemptMinimum(BigInt(creditAccountLen()))));
    // And the payer is owed back only what it paid: the rents less the donation
    const donation = env.bank.rentExemptMinimum(0n);
    const vaultRent = BigInt(env.account(findVaultAddress(credit, env.mint))!.lamports);
    expect(decodeCreditAccount(env.data(credit)!).rentPaid).toBe(env.bank.rentExemptMinimum(BigInt(creditAccountLen())) + vaultRent - donation);
  });

  it('tops up a donated address by exactly what is missing: one lamport, or no System transfer at all', () => {
    for (const short of [1n, 0n]) {
      // Given an address someone funded with its rent but `short` lamports
      const { env, payer, owner, credit } = setup();
      const rent = env.bank.rentExemptMinimum(BigInt(creditAccountLen()));
      env.send(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: credit, lamports: Number(rent - short) }), [payer]);
      // When it is opened
      const sent = env.send(getOpenCreditAccountInstruction({ payer: payer.publicKey, owner, mint: env.mint }), [payer]);
      // Then it holds exactly its rent, and the payer paid the vault's rent and the missing lamport, if any
      expect(env.account(credit)!.lamports).toBe(Number(rent));
      const vaultRent = BigInt(env.account(findVaultAddress(credit, env.mint))!.lamports);
      expect(decodeCreditAccount(env.data(credit)!).rentPaid).toBe(vaultRent + short);
      // And the program called the System program for Allocate and Assign, and for a transfer only when one was due
      expect(directCalls(sent.logs, SystemProgram.programId.toBase58())).toBe(short > 0n ? 3 : 2);
    }
  });

  it('rejects a mint other than the configured one', () => {
    const { env, payer, owner, credit } = setup();
    const otherMint = Keypair.generate().publicKey;
    env.createMint(otherMint, 6);
    const ix = getOpenCreditAccountInstruction({ payer: payer.publicKey, owner, mint: otherMint });
    expectProgramError(() => env.send(ix, [payer]), E.InvalidMint);
    expect(env.data(credit)).toBeNull();
  });

  it('rejects a credit account derived for another wallet', () => {
    // Given the PDA of wallet B passed as the account of wallet A
    const { env, payer, owner } = setup();
    const [otherCredit] = findCreditAccountPda(Keypair.generate().publicKey);
    const ix = getOpenCreditAccountInstruction({ payer: payer.publicKey, owner, mint: env.mint, creditAccount: otherCredit });
    expectProgramError(() => env.send(ix, [payer]), E.InvalidPda);
    expect(env.data(otherCredit)).toBeNull();
  });

  it('rejects Token-2022 in place of the config\'s classic Token program', () => {
    const { env, payer, owner, credit } = setup();
    const ix = getOpenCreditAccountInstruction({ payer: payer.publicKey, owner, mint: env.mint });
    ix.keys[6].pubkey = TOKEN_2022_PROGRAM_ID;
    expectProgramError(() => env.send(ix, [payer]), E.InvalidTokenProgram);
    expect(env.data(credit)).toBeNull();
  });

  it('rejects a config that is not a Config account (type cosplay)', () => {
    // Given the owner's CreditAccount passed where the Config belongs
    const { env, payer, owner, credit } = setup();
    env.send(getOpenCreditAccountInstruction({ payer: payer.publicKey, owner, mint: env.mint }), [payer]);
    const owner2 = Keypair.generate().publicKey;
    const ix = getOpenCreditAccountInstruction({ payer: payer.publicKey, owner: owner2, mint: env.mint, config: credit });
    expectProgramError(() => env.send(ix, [payer]), E.InvalidAccountData);
    // And a byte-for-byte copy of the Config owned by another program
    const forged = Keypair.generate().publicKey;
    env.setRaw(forged, env.data(findConfigPda()[0])!, Keypair.generate().publicKey);
    const ix2 = getOpenCreditAccountInstruction({ payer: payer.publicKey, owner: owner2, mint: env.mint, config: forged });
    expectProgramError(() => env.send(ix2, [payer]), E.InvalidAccountOwner);
    expect(env.data(findCreditAccountPda(owner2)[0])).toBeNull();
  });
});
