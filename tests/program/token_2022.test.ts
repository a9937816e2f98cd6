// Stablecoins on Token-2022 (specification section 9, docs/token-2022.md):
// the whole lifecycle on a Token-2022 mint with harmless extensions beside
// the classic mint, with balances and compute units; every refused mint
// extension at initialize_config with its own error, the accepted ones
// usable end to end; the other token program, or another mint, refused on
// every instruction that takes one.
import { ACCOUNT_SIZE, ExtensionType, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from '@solana/spl-token';
import { Keypair, type PublicKey } from '@solana/web3.js';
import { afterAll, describe, expect, it } from 'vitest';
import {
  COMPUTE_UNITS,
  IDL,
  JobEscrowErrorCode as E,
  batchComputeUnits,
  WITHDRAW_ALL,
  decodeConfig,
  findConfigPda,
  findCreditAccountPda,
  findVaultAddress,
  getCloseCreditAccountInstruction,
  getCollectFeesInstruction,
  getInitializeConfigInstruction,
  getOpenCreditAccountInstruction,
  getSettleBatchInstruction,
  getWithdrawInstruction,
} from '../../sdk/src/index.js';
import { mintExtension, type MintExtension } from '../../sdk/src/testing/index.js';
import { Escrow, HARMLESS_EXTENSIONS, PROGRAM_PATH, TestEnv, expectProgramError, type MintOptions, type User } from '../shared/index.js';
import { BUILDS } from './attacks/builds.js';
import { scenario } from './attacks/scenario.js';

const key = () => Keypair.generate().publicKey.toBytes();
const NONE = new Uint8Array(32);

const HARMLESS = HARMLESS_EXTENSIONS;

const MINTS: { name: string; mint: MintOptions; program: PublicKey; other: PublicKey }[] = [
  { name: 'classic SPL Token', mint: {}, program: TOKEN_PROGRAM_ID, other: TOKEN_2022_PROGRAM_ID },
  { name: 'Token-2022 with harmless extensions', mint: { mintExtensions: HARMLESS }, program: TOKEN_2022_PROGRAM_ID, other: TOKEN_PROGRAM_ID },
];

/** Compute units of each instruction, per mint (printed at the end, docs/token-2022.md). */
const units: Record<string, Record<string, number>> = {};

describe('Token-2022: the whole lifecycle beside the classic mint', () => {
  for (const { name, mint, program } of MINTS) {
    it(`${name}: open, purchase, lock, settle, refund, grant, expire, collect, settle_batch, withdraw, close`, () => {
      const env = new Escrow({}, mint);
      const cu: Record<string, number> = (units[name] = {});
      // Given a config that recorded the mint's own program and decimals
      const config = decodeConfig(env.data(findConfigPda()[0])!);
      expect(config.tokenProgram).toEqual(program);
      expect(config.decimals).toBe(6);

      // When a user opens an account: the vault is the ATA under that program
      const wallet = env.wallet();
      const usdc = env.createTokenAccount(wallet.publicKey, 50_000_000n);
      const [credit] = findCreditAccountPda(wallet.publicKey);
      const u: User = { wallet, usdc, credit, vault: findVaultAddress(credit, env.mint, { tokenProgram: program }) };
      cu.open_credit_account = env.send(getOpenCreditAccountInstruction({ payer: wallet.publicKey, owner: wallet.publicKey, ...env.token }), [wallet]).computeUnits;
      const vault = env.account(u.vault)!;
      expect(vault.owner).toEqual(program);
      if (program.equals(TOKEN_2022_PROGRAM_ID)) {
        // ImmutableOwner and TransferFeeAmount (the mint has a fee config): longer than 165 bytes, AccountType::Account at 165
        expect(vault.data.length).toBeGreaterThan(ACCOUNT_SIZE);
        expect(vault.data[ACCOUNT_SIZE]).toBe(2);
      } else {
        expect(vault.data.length).toBe(ACCOUNT_SIZE);
      }

      // purchase: 1,000 credits at 10,000 base units
      cu.purchase = env.purchase(u, 1_000n).computeUnits;
      expect(env.tokenBalance(u.vault)).toBe(10_000_000n);
      expect(env.tokenBalance(u.usdc)).toBe(40_000_000n);

      // lock (Standard, 1,500 tokens: 12 credits), settle at 1,000 tokens (10 credits) with 80 % to the worker
      const job = env.lock(u, { tier: 1, maxOutputTokens: 1_500 });
      cu.lock = job.sent.computeUnits;
      const worker = env.worker();
      cu.settle = env.settle(u, job, { outputTokens: 1_000, bps: 8_000, provider: worker.usdc }).computeUnits;
      expect(env.tokenBalance(worker.usdc)).toBe(80_000n);
      expect(env.credit(u)).toMatchObject({ feesAccrued: 20_000n, charged: 10n, locked: 0n });

      // refund: a failed job's lock comes back
      const failed = env.lock(u, { tier: 2, maxOutputTokens: 1_000 });
      cu.refund = env.refund(u, failed).computeUnits;
      expect(env.credit(u)).toMatchObject({ locked: 0n, openJobs: 0 });

      // promo: the operator grants 50 credits from its own account, the owner gives them up to the treasury
      const operatorBefore = env.tokenBalance(env.operatorUsdc);
      cu.grant_credits = env.grant(u, 50n).computeUnits;
      expect(env.tokenBalance(env.operatorUsdc)).toBe(operatorBefore - 500_000n);
      expect(env.credit(u).promoCredits).toBe(50n);
      const treasuryBefore = env.tokenBalance(env.treasury);
      cu.expire_promo = env.expirePromo(u).computeUnits;
      expect(env.tokenBalance(env.treasury)).toBe(treasuryBefore + 500_000n);
      expect(env.credit(u)).toMatchObject({ promoCredits: 0n, expired: 50n });

      // collect_fees: the settle's fee to the treasury
      cu.collect_fees = env.send(getCollectFeesInstruction({ creditAccount: u.credit, ...env.token, treasury: env.treasury }), [env.operator]).computeUnits;
      expect(env.tokenBalance(env.treasury)).toBe(treasuryBefore + 520_000n);
      expect(env.credit(u).feesAccrued).toBe(0n);

      // settle_batch: one job at 500 tokens (8 credits), 80 % to the worker
      const batched = env.lock(u, { tier: 1, maxOutputTokens: 1_500 });
      cu.settle_batch = env.send(
        getSettleBatchInstruction({ operator: env.operator.publicKey, ...env.token }, [
          { creditAccount: u.credit, vault: u.vault, providerTokenAccount: worker.usdc, jobId: batched.jobId, outputTokens: 500, providerShareBps: 8_000 },
        ]),
        [env.operator],
      ).computeUnits;
      expect(env.tokenBalance(worker.usdc)).toBe(80_000n + 64_000n);
      expect(env.credit(u).feesAccrued).toBe(16_000n);
      env.send(getCollectFeesInstruction({ creditAccount: u.credit, ...env.token, treasury: env.treasury }), [env.operator]);

      // withdraw everything: 10,000,000 bought, 180,000 charged
      cu.withdraw = env.send(getWithdrawInstruction({ owner: wallet.publicKey, ...env.token, destination: usdc }, { credits: WITHDRAW_ALL }), [wallet]).computeUnits;
      expect(env.tokenBalance(u.vault)).toBe(0n);
      expect(env.tokenBalance(usdc)).toBe(40_000_000n + 9_820_000n);

      // close: the vault and the account are gone, the rent back to the wallet that paid it
      const lamportsBefore = env.lamports(wallet.publicKey);
      const rent = env.lamports(u.vault) + env.lamports(u.credit);
      cu.close_credit_account = env.send(getCloseCreditAccountInstruction({ owner: wallet.publicKey, ...env.token, rentPayer: wallet.publicKey }), [wallet]).computeUnits;
      expect(env.account(u.vault)).toBeNull();
      expect(env.account(u.credit)).toBeNull();
      expect(env.lamports(wallet.publicKey)).toBe(lamportsBefore + rent - 5_000n);

      // Nothing was created or lost: every base unit is where the steps put it
      expect(env.tokenBalance(usdc) + env.tokenBalance(worker.usdc) + (env.tokenBalance(env.treasury) - treasuryBefore) - 500_000n).toBe(50_000_000n);
      // And the compute-unit limit the SDK requests for each instruction covers it on either program
      // (Token-2022's TransferChecked costs about 2,900 CU more than p-token's here)
      for (const [ix, used] of Object.entries(cu)) {
        const limit = ix === 'settle_batch' ? batchComputeUnits('settle_batch', { jobs: 1, accounts: 1 }) : COMPUTE_UNITS[ix as keyof typeof COMPUTE_UNITS];
        expect(used, ix).toBeLessThanOrEqual(limit);
      }
    });
  }

  afterAll(() => {
    const names = Object.keys(units);
    if (names.length !== MINTS.length) return;
    const rows = Object.keys(units[names[0]]).map((ix) => `| ${ix} | ${names.map((n) => units[n][ix].toLocaleString('en-US')).join(' | ')} |`);
    console.log([`| instruction | ${names.join(' | ')} |`, `|---|${names.map(() => '---').join('|')}|`, ...rows].join('\n'));
  });
});

describe('Token-2022: the extension policy at initialize_config', () => {
  const refused: [string, MintExtension[], number][] = [
    ['a transfer fee (older fee)', [mintExtension.transferFeeConfig({ olderBps: 1, maximumFee: 1_000n })], E.MintTransferFee],
    ['a transfer fee (newer fee)', [mintExtension.transferFeeConfig({ newerBps: 25, maximumFee: 1_000n })], E.MintTransferFee],
    ['a zero transfer fee whose authority could raise it', [mintExtension.transferFeeConfig({ authority: key() })], E.MintTransferFee],
    ['a permanent delegate', [mintExtension.permanentDelegate(key())], E.MintPermanentDelegate],
    ['non-transferable tokens', [mintExtension.nonTransferable()], E.MintNonTransferable],
    ['a transfer hook program', [mintExtension.transferHook({ programId: key() })], E.MintTransferHook],
    ['a transfer hook authority (it could set a hook later)', [mintExtension.transferHook({ authority: key() })], E.MintTransferHook],
    ['accounts frozen by default', [mintExtension.defaultAccountState(2)], E.MintDefaultFrozen],
    ['a pausable mint', [mintExtension.pausable(key())], E.MintPausable],
    ['an account extension on the mint (ImmutableOwner)', [mintExtension.raw(7)], E.MintExtensionUnsupported],
    ['a type newer than the program', [mintExtension.raw(29, new Uint8Array(8))], E.MintExtensionUnsupported],
    ['a refused extension after harmless ones', [...HARMLESS, mintExtension.permanentDelegate(key())], E.MintPermanentDelegate],
  ];
  for (const [what, mintExtensions, code] of refused) {
    it(`refuses ${what} (${IDL.errors.find((e) => e.code === code)!.name})`, () => {
      const env = new TestEnv(false, PROGRAM_PATH, { mintExtensions });
      expectProgramError(() => env.initializeConfig(), code);
      expect(env.data(findConfigPda()[0])).toBeNull();
    });
  }

  it('refuses a mint whose last extension runs past the end of the account (InvalidMint)', () => {
    const env = new TestEnv(false, PROGRAM_PATH, { mintExtensions: [mintExtension.metadataPointer(key(), key())] });
    const data = env.data(env.mint)!;
    env.setRaw(env.mint, data.subarray(0, data.length - 10), TOKEN_2022_PROGRAM_ID);
    expectProgramError(() => env.initializeConfig(), E.InvalidMint);
  });

  it('refuses a multisig-sized account (355 bytes) that reads as a mint with extensions (InvalidMint); 356 bytes, or 166 (the type byte and no entry), is a mint', () => {
    for (const [length, refused] of [[355, true], [356, false], [166, false]] as const) {
      // Given the mint's 82 bytes (initialized) followed by zeros, AccountType::Mint at byte 165 and no TLV entry
      const env = new TestEnv(false, PROGRAM_PATH, { mintExtensions: HARMLESS });
      const bytes = Buffer.alloc(length);
      env.data(env.mint)!.copy(bytes, 0, 0, 82);
      bytes[165] = 1;
      env.setRaw(env.mint, bytes, TOKEN_2022_PROGRAM_ID);
      // Then Token-2022's multisig length is never a mint; any other length past 165 is read as one
      if (refused) {
        expectProgramError(() => env.initializeConfig(), E.InvalidMint);
        expect(env.data(findConfigPda()[0])).toBeNull();
      } else {
        env.initializeConfig();
        expect(decodeConfig(env.data(findConfigPda()[0])!)).toMatchObject({ tokenProgram: TOKEN_2022_PROGRAM_ID, decimals: 6 });
      }
    }
  });

  it('refuses a treasury of the mint under the other token program (InvalidTreasury)', () => {
    const env = new TestEnv(false, PROGRAM_PATH, { mintExtensions: HARMLESS });
    const classic = env.createTokenAccount(Keypair.generate().publicKey, 0n, { tokenProgram: TOKEN_PROGRAM_ID });
    const ix = getInitializeConfigInstruction({ admin: env.admin.publicKey, mint: env.mint, treasury: classic }, { operator: env.operator.publicKey });
    expectProgramError(() => env.send(ix, [env.admin]), E.InvalidTreasury);
  });

  const accepted: [string, MintExtension[]][] = [
    ['no extension at all (82 bytes)', []],
    ['a mint close authority', [mintExtension.mintCloseAuthority(key())]],
    ['confidential transfers (the vault is never configured for them)', [mintExtension.confidentialTransferMint(key())]],
    ['accounts initialized by default', [mintExtension.defaultAccountState(1)]],
    ['interest-bearing (display only)', [mintExtension.interestBearingConfig(key())]],
    ['a metadata pointer', [mintExtension.metadataPointer(key(), key())]],
    ['a group pointer', [mintExtension.groupPointer(key(), key())]],
    ['a zero transfer fee with only a withdraw authority', [mintExtension.transferFeeConfig({ withdrawAuthority: key() })]],
    ['a permanent-delegate extension with no delegate', [mintExtension.permanentDelegate(NONE)]],
    ['a transfer-hook extension with no program and no authority', [mintExtension.transferHook()]],
    // The other harmless types, numbered by @solana/spl-token's ExtensionType (16 and 24, which it does not
    // name, by spl-token-2022's), not by the program's constants
    ['confidential transfer fees (16)', [mintExtension.raw(16, new Uint8Array(129))]],
    ['token metadata in the mint', [mintExtension.raw(ExtensionType.TokenMetadata, new Uint8Array(84))]],
    ['a token group', [mintExtension.raw(ExtensionType.TokenGroup, new Uint8Array(80))]],
    ['a group member pointer', [mintExtension.raw(ExtensionType.GroupMemberPointer, new Uint8Array(64))]],
    ['a token group member', [mintExtension.raw(ExtensionType.TokenGroupMember, new Uint8Array(72))]],
    ['confidential mint and burn (24)', [mintExtension.raw(24, new Uint8Array(196))]],
    ['a scaled UI amount (display only)', [mintExtension.raw(ExtensionType.ScaledUiAmountConfig, new Uint8Array(56))]],
  ];
  for (const [what, mintExtensions] of accepted) {
    it(`accepts ${what}, and credits move in and out`, () => {
      const env = new Escrow({}, { tokenProgram: 'token-2022', mintExtensions });
      expect(decodeConfig(env.data(findConfigPda()[0])!)).toMatchObject({ tokenProgram: TOKEN_2022_PROGRAM_ID, decimals: 6 });
      const u = env.funded(200n);
      expect(env.tokenBalance(u.vault)).toBe(2_000_000n);
      env.send(getWithdrawInstruction({ owner: u.wallet.publicKey, ...env.token, destination: u.usdc }, { credits: 150n }), [u.wallet]);
      expect(env.tokenBalance(u.vault)).toBe(500_000n);
    });
  }
});

describe('Token-2022: the token program must be the mint\'s owner, the mint the config\'s', () => {
  const named = (account: string) => IDL.instructions.flatMap((ix) => ix.accounts.flatMap((a, index) => (a.name === account && ix.name !== 'initialize_config' ? [{ name: ix.name, index }] : [])));
  const tokenPrograms = named('token_program');
  const mints = named('mint');

  it('covers every instruction that takes them', () => {
    for (const { name } of [...tokenPrograms, ...mints]) expect(name in BUILDS, `${name} has a build`).toBe(true);
    expect(tokenPrograms.map((c) => c.name).sort()).toEqual(mints.map((c) => c.name).sort());
    expect(tokenPrograms.length).toBe(9);
  });

  for (const { name: mintName, mint, other } of MINTS) {
    for (const { name, index } of tokenPrograms) {
      it(`${mintName}: ${name} with the other token program → InvalidTokenProgram`, () => {
        const s = scenario(mint);
        const { ix, signers } = BUILDS[name]!(s);
        ix.keys[index].pubkey = other;
        s.attempt(() => s.env.send(ix, signers), E.InvalidTokenProgram);
      });
    }
    for (const { name, index } of mints) {
      it(`${mintName}: ${name} with another mint of the same program → InvalidMint`, () => {
        const s = scenario(mint);
        const { ix, signers } = BUILDS[name]!(s);
        const otherMint = Keypair.generate().publicKey;
        s.env.createMint(otherMint, 6, s.env.tokenProgram, mint.mintExtensions ?? []);
        ix.keys[index].pubkey = otherMint;
        s.attempt(() => s.env.send(ix, signers), E.InvalidMint);
      });
    }
  }
});
