// Anchor's own client, built from idl/job_escrow.json, produces exactly the
// instructions the SDK builds, for every instruction, with Anchor resolving
// the PDAs and fixed program addresses declared in the IDL.
import { AnchorProvider, BN, Program, type Wallet } from '@coral-xyz/anchor';
import { Connection, Keypair, PublicKey, type TransactionInstruction } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  IDL,
  WITHDRAW_ALL,
  findCreditAccountPda,
  findJobPda,
  findVaultAddress,
  getAcceptAdminInstruction,
  decodeCreditAccount,
  getCloseCreditAccountInstruction,
  getCollectFeesInstruction,
  getExpirePromoInstruction,
  getGrantCreditsInstruction,
  getInitializeConfigInstruction,
  getLockInstruction,
  getNominateAdminInstruction,
  getOpenCreditAccountInstruction,
  getPurchaseInstruction,
  getRefundInstruction,
  getSetSpendingLimitInstruction,
  getSettleInstruction,
  getUpdateConfigInstruction,
  getWithdrawInstruction,
} from '../sdk/src/index.js';

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
  const [job] = findJobPda(credit, 77n);
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
      await m.openCreditAccount().accounts({ payer, owner, vault, mint }).instruction(),
      getOpenCreditAccountInstruction({ payer, owner, mint }),
    );
    same(
      await m.purchase(new BN(150)).accounts({ owner, vault, source: dest }).instruction(),
      getPurchaseInstruction({ owner, mint, source: dest }, { credits: 150n }),
    );
    same(
      await m.lock(new BN(77), 2, 1_500).accounts({ authority: operator, rentPayer: payer, creditAccount: credit, vault }).instruction(),
      getLockInstruction({ authority: operator, rentPayer: payer, creditAccount: credit, mint }, { jobId: 77n, tier: 2, maxOutputTokens: 1_500 }),
    );
    same(
      await m
        .settle(1_000, 8_000)
        .accounts({ operator, creditAccount: credit, vault, job, providerTokenAccount: worker, rentPayer: payer })
        .instruction(),
      getSettleInstruction(
        { operator, creditAccount: credit, mint, job, providerTokenAccount: worker, rentPayer: payer },
        { outputTokens: 1_000, providerShareBps: 8_000 },
      ),
    );
    same(
      await m.refund().accounts({ authority: operator, creditAccount: credit, job, rentPayer: payer }).instruction(),
      getRefundInstruction({ authority: operator, creditAccount: credit, job, rentPayer: payer }),
    );
    same(
      await m.withdraw(new BN(WITHDRAW_ALL.toString())).accounts({ owner, vault, destination: dest }).instruction(),
      getWithdrawInstruction({ owner, mint, destination: dest }, { credits: WITHDRAW_ALL }),
    );
    same(
      await m.setSpendingLimit(new BN(40), new BN(1_000)).accounts({ owner }).instruction(),
      getSetSpendingLimitInstruction({ owner }, { maxCreditsPerJob: 40n, dailyLimitCredits: 1_000n }),
    );
    same(
      await m.collectFees().accounts({ creditAccount: credit, vault, treasury }).instruction(),
      getCollectFeesInstruction({ creditAccount: credit, mint, treasury }),
    );
    same(
      await m.closeCreditAccount().accounts({ owner, vault, rentPayer: owner }).instruction(),
      getCloseCreditAccountInstruction({ owner, mint, rentPayer: owner }),
    );
    same(
      await m.grantCredits(new BN(50), new BN(1_800_000_000)).accounts({ operator, creditAccount: credit, vault, source: dest }).instruction(),
      getGrantCreditsInstruction({ operator, creditAccount: credit, mint, source: dest }, { credits: 50n, expiresAt: 1_800_000_000n }),
    );
    same(
      await m.expirePromo().accounts({ authority: owner, creditAccount: credit, vault, treasury }).instruction(),
      getExpirePromoInstruction({ authority: owner, creditAccount: credit, mint, treasury }),
    );
  });

  it('round-trips a CreditAccount with promo fields between Anchor\'s coder and the SDK\'s decoder', async () => {
    const fields = {
      owner, vault, locked: new BN(12), openJobs: 1, feesAccrued: new BN(2_000), maxCreditsPerJob: new BN(0),
      purchased: new BN(100), charged: new BN(8), withdrawn: new BN(0), createdAt: new BN(1_700_000_000),
      dailyLimitCredits: new BN(500), windowStart: new BN(1_700_000_100), spentInWindow: new BN(12),
      promoCredits: new BN(40), promoExpiresAt: new BN(1_800_000_000), granted: new BN(50), expired: new BN(10), bump: 254,
    };
    const bytes = await program.coder.accounts.encode('creditAccount', fields);
    expect(bytes.length).toBe(229);
    expect(decodeCreditAccount(bytes)).toMatchObject({ promoCredits: 40n, promoExpiresAt: 1_800_000_000n, granted: 50n, expired: 10n, dailyLimitCredits: 500n, bump: 254, owner, vault });
  });
});
