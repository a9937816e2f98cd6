// The same program, executed by solana-bankrun (BPFLoader2 deployment, its
// own builtin SPL programs): initialize_config and open_credit_account built
// with Anchor's coder, accounts decoded and events parsed with it.
import { join } from 'node:path';
import { AccountLayout, ACCOUNT_SIZE, MINT_SIZE, MintLayout, TOKEN_PROGRAM_ID } from '@solana/spl-token';
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, Transaction, type TransactionInstruction } from '@solana/web3.js';
import { start, type ProgramTestContext } from 'solana-bankrun';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BPF_LOADER_UPGRADEABLE_ID,
  DEFAULTS,
  JOB_ESCROW_PROGRAM_ID,
  JobEscrowErrorCode as E,
  decodeConfig,
  decodeCreditAccount,
  errorCodeFromLogs,
  findConfigPda,
  findCreditAccountPda,
  findProgramDataAddress,
  findVaultAddress,
  getInitializeConfigInstruction,
  getOpenCreditAccountInstruction,
  parseEvents,
} from '../sdk/src/index.js';
import { ROOT, assertProgramIsFresh } from './setup.js';

const admin = Keypair.generate();
const operator = Keypair.generate().publicKey;
const mint = Keypair.generate().publicKey;
const treasury = Keypair.generate().publicKey;

function programData(authority: PublicKey): Buffer {
  const data = Buffer.alloc(45);
  data.writeUInt32LE(3, 0); // UpgradeableLoaderState::ProgramData
  data[12] = 1;
  authority.toBuffer().copy(data, 13);
  return data;
}

function mintData(): Buffer {
  const data = Buffer.alloc(MINT_SIZE);
  MintLayout.encode(
    {
      mintAuthorityOption: 0,
      mintAuthority: PublicKey.default,
      supply: 0n,
      decimals: 6,
      isInitialized: true,
      freezeAuthorityOption: 0,
      freezeAuthority: PublicKey.default,
    },
    data,
  );
  return data;
}

function tokenAccountData(owner: PublicKey): Buffer {
  const data = Buffer.alloc(ACCOUNT_SIZE);
  AccountLayout.encode(
    {
      mint,
      owner,
      amount: 0n,
      delegateOption: 0,
      delegate: PublicKey.default,
      state: 1,
      isNativeOption: 0,
      isNative: 0n,
      delegatedAmount: 0n,
      closeAuthorityOption: 0,
      closeAuthority: PublicKey.default,
    },
    data,
  );
  return data;
}

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
    assertProgramIsFresh();
    process.env.SBF_OUT_DIR = join(ROOT, 'target/deploy');
    const rent = (len: number) => LAMPORTS_PER_SOL; // generous, rent-exempt for these sizes
    ctx = await start(
      [{ name: 'job_escrow', programId: JOB_ESCROW_PROGRAM_ID }],
      [
        { address: admin.publicKey, info: { lamports: 10 * LAMPORTS_PER_SOL, data: Buffer.alloc(0), owner: SystemProgram.programId, executable: false } },
        // bankrun deploys with BPFLoader2, which has no ProgramData: provide
        // the account the upgrade-authority check reads.
        { address: findProgramDataAddress(), info: { lamports: rent(45), data: programData(admin.publicKey), owner: BPF_LOADER_UPGRADEABLE_ID, executable: false } },
        { address: mint, info: { lamports: rent(MINT_SIZE), data: mintData(), owner: TOKEN_PROGRAM_ID, executable: false } },
        { address: treasury, info: { lamports: rent(ACCOUNT_SIZE), data: tokenAccountData(Keypair.generate().publicKey), owner: TOKEN_PROGRAM_ID, executable: false } },
      ],
    );
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
