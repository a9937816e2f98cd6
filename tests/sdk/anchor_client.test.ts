// Anchor's own client, built from idl/job_escrow.json, produces exactly the
// instructions the SDK builds, for every instruction, with Anchor resolving
// the PDAs and fixed program addresses declared in the IDL.
import { AnchorProvider, BN, Program, type Wallet } from '@coral-xyz/anchor';
import { TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from '@solana/spl-token';
import { Connection, Keypair, PublicKey, type TransactionInstruction } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  IDL,
  WITHDRAW_ALL,
  findCreditAccountPda,
  findVaultAddress,
  compareAddresses,
  getAcceptAdminInstruction,
  getAddJobSlotsInstruction,
  decodeCreditAccount,
  getCloseCreditAccountInstruction,
  getCollectFeesInstruction,
  getExpirePromoInstruction,
  getGrantCreditsInstruction,
  getInitializeConfigInstruction,
  getLockBatchInstruction,
  getLockInstruction,
  getNominateAdminInstruction,
  getOpenCreditAccountInstruction,
  getPurchaseInstruction,
  getRefundBatchInstruction,
  getRefundInstruction,
  getSetSpendingLimitInstruction,
  getSettleBatchInstruction,
  getSettleInstruction,
  getUpdateConfigInstruction,
  getWithdrawInstruction,
} from '../../sdk/src/index.js';

const key = () => Keypair.generate().publicKey;
// The connection is never used: building an instruction needs no RPC.
const provider = new AnchorProvider(new Connection('http://127.0.0.1:1'), { publicKey: key() } as Wallet, {});
const program = new Program(IDL, provider);
// Anchor's Program camel-cases the IDL's field names (per_1k_credits -> per1KCredits).
const anchorTiers = DEFAULTS.tiers.map((t) => ({
  requestCredits: new BN(t.requestCredits.toString()),
  per1KCredits: new BN(t.per1kCredits.toString()),
  includedTokens: t.includedTokens,
}));
const same = (a: TransactionInstruction, b: TransactionInstruction) => {
  expect(a.programId).toEqual(b.programId);
  expect(a.keys).toEqual(b.keys);
  expect(Buffer.from(a.data).toString('hex')).toBe(Buffer.from(b.data).toString('hex'));
};

describe('Anchor client from the IDL', () => {
  const [admin, operator, mint, treasury, owner, payer, dest, worker] = Array.from({ length: 8 }, key);
  const [credit] = findCreditAccountPda(owner);
  const vault = findVaultAddress(credit, mint);
  const [owner2] = [key()];
  const [credit2] = findCreditAccountPda(owner2);
  const vault2 = findVaultAddress(credit2, mint);
  // The instructions that move tokens name the mint and its token program
  // (the IDL gives no fixed address: either program); one case under
  // Token-2022, whose vault is the ATA under it.
  const tokenProgram = TOKEN_PROGRAM_ID;
  const vault2022 = findVaultAddress(credit, mint, { tokenProgram: TOKEN_2022_PROGRAM_ID });
  // The batch forms take their credit accounts in ascending address order
  const [lo, hi] = compareAddresses(credit, credit2) < 0 ? [{ credit, vault }, { credit: credit2, vault: vault2 }] : [{ credit: credit2, vault: vault2 }, { credit, vault }];
  const meta = (pubkey: PublicKey, isWritable: boolean) => ({ pubkey, isSigner: false, isWritable });
  const m = program.methods;

  it('builds every instruction byte-for-byte like the SDK', async () => {
    same(
      await m
        .initializeConfig(operator, new BN(10_000), new BN(100), 120, 7_500, 8_500, anchorTiers, 100_000)
        .accounts({ admin, mint, treasury, programData: PublicKey.findProgramAddressSync([program.programId.toBuffer()], new PublicKey('BPFLoaderUpgradeab1e11111111111111111111111'))[0] })
        .instruction(),
      getInitializeConfigInstruction({ admin, mint, treasury }, { operator }),
    );
    same(
      await m
        .updateConfig(operator, false, null, 30, null, null, null, 64_000, true)
        // Anchor takes null for an absent optional account; the untyped IDL's types do not say so.
        .accountsPartial({ admin, treasury: null as unknown as PublicKey })
        .instruction(),
      getUpdateConfigInstruction({ admin }, { operator, jobTimeoutSecs: 30, maxOutputTokensPerJob: 64_000, paused: true }),
    );
    same(await m.nominateAdmin(operator).accounts({ admin }).instruction(), getNominateAdminInstruction({ admin }, { newAdmin: operator }));
    same(await m.acceptAdmin().accounts({ newAdmin: operator }).instruction(), getAcceptAdminInstruction({ newAdmin: operator }));
    same(
      await m.openCreditAccount(0).accounts({ payer, owner, vault, mint, tokenProgram }).instruction(),
      getOpenCreditAccountInstruction({ payer, owner, mint }),
    );
    same(
      await m.openCreditAccount(32).accounts({ payer, owner, vault: vault2022, mint, tokenProgram: TOKEN_2022_PROGRAM_ID }).instruction(),
      getOpenCreditAccountInstruction({ payer, owner, mint, tokenProgram: TOKEN_2022_PROGRAM_ID }, { jobSlots: 32 }),
    );
    same(await m.addJobSlots(4).accounts({ owner }).instruction(), getAddJobSlotsInstruction({ owner }, { count: 4 }));
    same(
      await m.purchase(new BN(150)).accounts({ owner, vault, source: dest, mint, tokenProgram }).instruction(),
      getPurchaseInstruction({ owner, mint, source: dest }, { credits: 150n }),
    );
    same(
      await m.lock(new BN(77), 2, 1_500).accounts({ authority: operator, creditAccount: credit, vault }).instruction(),
      getLockInstruction({ authority: operator, creditAccount: credit, mint }, { jobId: 77n, tier: 2, maxOutputTokens: 1_500 }),
    );
    same(
      await m.settle(new BN(77), 1_000, 8_000).accounts({ operator, creditAccount: credit, vault: vault2022, providerTokenAccount: worker, mint, tokenProgram: TOKEN_2022_PROGRAM_ID }).instruction(),
      getSettleInstruction({ operator, creditAccount: credit, mint, tokenProgram: TOKEN_2022_PROGRAM_ID, providerTokenAccount: worker }, { jobId: 77n, outputTokens: 1_000, providerShareBps: 8_000 }),
    );
    same(
      await m.refund(new BN(77)).accounts({ authority: operator, creditAccount: credit }).instruction(),
      getRefundInstruction({ authority: operator, creditAccount: credit }, { jobId: 77n }),
    );
    // The batch forms: Anchor takes the credit accounts as remaining accounts, the SDK sorts them itself
    same(
      await m
        .lockBatch([
          { account: 0, jobId: new BN(1), tier: 1, maxOutputTokens: 1_000 },
          { account: 1, jobId: new BN(2), tier: 0, maxOutputTokens: 500 },
        ])
        .accounts({ authority: operator })
        .remainingAccounts([meta(lo.credit, true), meta(lo.vault, false), meta(hi.credit, true), meta(hi.vault, false)])
        .instruction(),
      getLockBatchInstruction({ authority: operator }, [
        { creditAccount: hi.credit, vault: hi.vault, jobId: 2n, tier: 0, maxOutputTokens: 500 },
        { creditAccount: lo.credit, vault: lo.vault, jobId: 1n, tier: 1, maxOutputTokens: 1_000 },
      ]),
    );
    same(
      await m
        .settleBatch([
          { account: 0, provider: 4, jobId: new BN(1), outputTokens: 900, providerShareBps: 8_000 },
          { account: 1, provider: 4, jobId: new BN(2), outputTokens: 100, providerShareBps: 7_500 },
        ])
        .accounts({ operator, mint, tokenProgram })
        .remainingAccounts([meta(lo.credit, true), meta(lo.vault, true), meta(hi.credit, true), meta(hi.vault, true), meta(worker, true)])
        .instruction(),
      getSettleBatchInstruction({ operator, mint }, [
        { creditAccount: hi.credit, vault: hi.vault, providerTokenAccount: worker, jobId: 2n, outputTokens: 100, providerShareBps: 7_500 },
        { creditAccount: lo.credit, vault: lo.vault, providerTokenAccount: worker, jobId: 1n, outputTokens: 900, providerShareBps: 8_000 },
      ]),
    );
    same(
      await m
        .refundBatch([
          { account: 0, jobId: new BN(1) },
          { account: 1, jobId: new BN(2) },
        ])
        .accounts({ authority: operator })
        .remainingAccounts([meta(lo.credit, true), meta(hi.credit, true)])
        .instruction(),
      getRefundBatchInstruction({ authority: operator }, [
        { creditAccount: hi.credit, jobId: 2n },
        { creditAccount: lo.credit, jobId: 1n },
      ]),
    );
    same(
      await m.withdraw(new BN(WITHDRAW_ALL.toString())).accounts({ owner, vault, destination: dest, mint, tokenProgram }).instruction(),
      getWithdrawInstruction({ owner, mint, destination: dest }, { credits: WITHDRAW_ALL }),
    );
    same(
      await m.setSpendingLimit(new BN(40), new BN(1_000)).accounts({ owner }).instruction(),
      getSetSpendingLimitInstruction({ owner }, { maxCreditsPerJob: 40n, dailyLimitCredits: 1_000n }),
    );
    same(
      await m.collectFees().accounts({ creditAccount: credit, vault, treasury, mint, tokenProgram }).instruction(),
      getCollectFeesInstruction({ creditAccount: credit, mint, treasury }),
    );
    same(
      await m.closeCreditAccount().accounts({ owner, vault, rentPayer: owner, mint, tokenProgram }).instruction(),
      getCloseCreditAccountInstruction({ owner, mint, rentPayer: owner }),
    );
    same(
      await m.grantCredits(new BN(50), new BN(1_800_000_000)).accounts({ operator, creditAccount: credit, vault, source: dest, mint, tokenProgram }).instruction(),
      getGrantCreditsInstruction({ operator, creditAccount: credit, mint, source: dest }, { credits: 50n, expiresAt: 1_800_000_000n }),
    );
    same(
      await m.expirePromo().accounts({ authority: owner, creditAccount: credit, vault, treasury, mint, tokenProgram }).instruction(),
      getExpirePromoInstruction({ authority: owner, creditAccount: credit, mint, treasury }),
    );
  });

  it('round-trips a CreditAccount with promo fields between Anchor\'s coder and the SDK\'s decoder', async () => {
    const fields = {
      owner, vault, locked: new BN(12), openJobs: 1, feesAccrued: new BN(2_000), maxCreditsPerJob: new BN(0),
      purchased: new BN(100), charged: new BN(8), withdrawn: new BN(0), createdAt: new BN(1_700_000_000),
      dailyLimitCredits: new BN(500), windowStart: new BN(1_700_000_100), spentInWindow: new BN(12),
      promoCredits: new BN(40), promoExpiresAt: new BN(1_800_000_000), granted: new BN(50), expired: new BN(10),
      rentPayer: payer, rentPaid: new BN(3_000_000), bump: 254,
      jobSlots: [
        { jobId: new BN(0), tier: 0, maxOutputTokens: 0, creditsLocked: new BN(0), price: { requestCredits: new BN(0), per1KCredits: new BN(0), includedTokens: 0 }, lockedAt: new BN(0), expiresAt: new BN(0) },
        { jobId: new BN(77), tier: 1, maxOutputTokens: 1_500, creditsLocked: new BN(12), price: { requestCredits: new BN(8), per1KCredits: new BN(4), includedTokens: 500 }, lockedAt: new BN(1_700_000_200), expiresAt: new BN(1_700_000_320) },
      ],
    };
    const bytes = await program.coder.accounts.encode('creditAccount', fields);
    // 229 bytes of fields, the Vec's u32 count, then 57 bytes per slot
    expect(bytes.length).toBe(233 + 2 * 57);
    expect(bytes.readUInt32LE(229)).toBe(2);
    const decoded = decodeCreditAccount(bytes);
    expect(decoded).toMatchObject({ promoCredits: 40n, promoExpiresAt: 1_800_000_000n, granted: 50n, expired: 10n, dailyLimitCredits: 500n, bump: 254, owner, vault, rentPayer: payer, rentPaid: 3_000_000n });
    expect(decoded.jobSlots[1]).toEqual({
      jobId: 77n, tier: 1, maxOutputTokens: 1_500, creditsLocked: 12n,
      price: { requestCredits: 8n, per1kCredits: 4n, includedTokens: 500 }, lockedAt: 1_700_000_200n, expiresAt: 1_700_000_320n,
    });
    expect(bytes.subarray(233, 233 + 57).equals(Buffer.alloc(57))).toBe(true);
    expect(bytes.readBigUInt64LE(233 + 57)).toBe(77n);
  });
});
