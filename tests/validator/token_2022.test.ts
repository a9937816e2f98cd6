// A Token-2022 stablecoin (specification section 9) against a real
// solana-test-validator: a mint with harmless extensions (a close authority,
// interest-bearing display, a metadata pointer), made with spl-token's own
// instructions as an issuer makes one. The admin, the user and the operator
// use the CLI installed from its tarball; a wallet pays a Solana Pay URL; an
// agent pays over x402 with the x402 packages; `job-escrow operator` indexes,
// refunds and sends webhooks. Every amount is read back from the chain.
import { join } from 'node:path';
import { AnchorProvider, Wallet } from '@coral-xyz/anchor';
import { parseURL } from '@solana/pay';
import {
  ExtensionType,
  TOKEN_2022_PROGRAM_ID,
  createAssociatedTokenAccount,
  createInitializeInterestBearingMintInstruction,
  createInitializeMetadataPointerInstruction,
  createInitializeMintCloseAuthorityInstruction,
  createInitializeMintInstruction,
  createInitializeTransferFeeConfigInstruction,
  getAssociatedTokenAddressSync,
  getMintLen,
  mintTo,
} from '@solana/spl-token';
import { Keypair, PublicKey, SystemProgram, Transaction, type TransactionInstruction } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEscrowClient, fetchConfig, quote } from '../../sdk/src/index.js';
import { findTopUp, validateTopUp } from '../../sdk/src/pay/index.js';
import { payTransferRequest } from '../shared/wallet.js';
import { receiver, startOperatorProcess, stopProcess, waitFor } from './faults.js';
import { installCli, startValidator, type CliDoor, type LocalValidator } from './harness.js';
import { JOB, OUTPUT_TOKENS, TOP_UP, startX402World } from './x402-world.js';

const RPC_PORT = 11899;
const T22 = TOKEN_2022_PROGRAM_ID;
let v: LocalValidator;
let door: CliDoor;
const cli = (keypair: string, ...args: string[]) => door.run(v.url, keypair, ...args);
const provider = (kp: Keypair) => new AnchorProvider(v.connection, new Wallet(kp), { commitment: 'confirmed' });

/** A 6-decimal Token-2022 mint of `v.mintAuthority` with `extensions`, initialized by their own instructions before the mint's. */
async function token2022Mint(extensions: ExtensionType[], init: (mint: PublicKey) => TransactionInstruction[]): Promise<PublicKey> {
  const mint = Keypair.generate();
  const space = getMintLen(extensions);
  const tx = new Transaction().add(
    SystemProgram.createAccount({ fromPubkey: v.admin.publicKey, newAccountPubkey: mint.publicKey, space, lamports: await v.connection.getMinimumBalanceForRentExemption(space), programId: T22 }),
    ...init(mint.publicKey),
    createInitializeMintInstruction(mint.publicKey, 6, v.mintAuthority.publicKey, null, T22),
  );
  await provider(v.admin).sendAndConfirm(tx, [mint]);
  return mint.publicKey;
}
/** A token account of `mint` under Token-2022 for `owner`, holding `amount`. */
async function fundedAccount(mint: PublicKey, owner: PublicKey, amount = 0n): Promise<PublicKey> {
  const ata = await createAssociatedTokenAccount(v.connection, v.admin, mint, owner, undefined, T22, undefined, true);
  if (amount > 0n) await mintTo(v.connection, v.admin, mint, ata, v.mintAuthority, amount, [], undefined, T22);
  return ata;
}
const tokens = async (account: PublicKey) => BigInt((await v.connection.getTokenAccountBalance(account)).value.amount);

describe('a Token-2022 stablecoin against solana-test-validator', () => {
  let mint: PublicKey;
  let operator: { keypair: Keypair; path: string };
  let user: { keypair: Keypair; path: string };
  let userTokens: PublicKey;
  let worker: PublicKey;
  let opClient: JobEscrowClient;
  let userClient: JobEscrowClient;

  beforeAll(async () => {
    door = await installCli();
    v = await startValidator({ rpcPort: RPC_PORT });
    mint = await token2022Mint([ExtensionType.MintCloseAuthority, ExtensionType.InterestBearingConfig, ExtensionType.MetadataPointer], (m) => [
      createInitializeMintCloseAuthorityInstruction(m, v.admin.publicKey, T22),
      createInitializeInterestBearingMintInstruction(m, v.admin.publicKey, 500, T22),
      createInitializeMetadataPointerInstruction(m, v.admin.publicKey, m, T22),
    ]);
    operator = await v.wallet();
    user = await v.wallet();
    userTokens = await fundedAccount(mint, user.keypair.publicKey, 100_000_000n);
    worker = await fundedAccount(mint, Keypair.generate().publicKey);
    opClient = new JobEscrowClient(provider(operator.keypair));
    userClient = new JobEscrowClient(provider(user.keypair));
  }, 240_000);
  afterAll(async () => {
    await v?.stop();
    door?.remove();
  });

  it('init-config refuses a mint with a transfer fee and takes the Token-2022 mint, recording its program and decimals', async () => {
    const withFee = await token2022Mint([ExtensionType.TransferFeeConfig], (m) => [createInitializeTransferFeeConfigInstruction(m, null, null, 50, 1_000_000n, T22)]);
    expect(await door.fails(v.url, v.adminKeypairPath, 'init-config', '--mint', withFee.toBase58())).toMatchObject({ status: 1, stderr: expect.stringMatching(/^error: .*\(MintTransferFee, 6043\)$/) });
    expect(await fetchConfig(v.connection).catch((e: Error) => e.name)).toBe('AccountNotFoundError'); // nothing was written

    expect(await cli(v.adminKeypairPath, 'init-config', '--mint', mint.toBase58(), '--operator', operator.keypair.publicKey.toBase58(), '--job-timeout-secs', '60')).toMatch(/^config initialized/);
    const config = await fetchConfig(v.connection);
    expect(config).toMatchObject({ mint, tokenProgram: T22, decimals: 6 });
    // The treasury the CLI made is the admin's account under the mint's own program.
    expect(config.treasury).toEqual(getAssociatedTokenAddressSync(mint, v.admin.publicKey, false, T22));
    expect((await v.connection.getAccountInfo(config.treasury))!.owner).toEqual(T22);
  });

  it('purchase, a Solana Pay top-up, promo, lock, settle, refund, fees, withdraw and close through the CLI; every amount on chain', async () => {
    const owner = user.keypair.publicKey.toBase58();
    const price = 10_000n; // base units per credit (1 credit = $0.01 of a 6-decimal stablecoin)
    expect(await cli(user.path, 'purchase', '--credits', '300')).toMatch(/^bought 300 credits/);
    const { vault } = await userClient.addresses();
    const vaultInfo = (await v.connection.getAccountInfo(vault))!;
    expect(vaultInfo.owner).toEqual(T22); // the ATA under Token-2022 …
    expect(vaultInfo.data.length).toBeGreaterThan(165); // … with its ImmutableOwner extension
    expect(vault).toEqual(getAssociatedTokenAddressSync(mint, (await userClient.addresses()).creditAccount, true, T22));
    expect(await tokens(vault)).toBe(300n * price);

    // A wallet pays the Solana Pay URL (TransferChecked into the vault, as a wallet builds it from the mint's owner).
    const [url] = (await cli(operator.path, 'topup-url', '--owner', owner, '--credits', '100')).split('\n');
    expect(parseURL(url)).toMatchObject({ splToken: mint });
    await payTransferRequest(provider(user.keypair), user.keypair, url);
    const reference = (parseURL(url) as { reference: PublicKey[] }).reference[0];
    const found = await findTopUp(v.connection, reference);
    expect(await validateTopUp(v.connection, found.signature, { owner: user.keypair.publicKey, amount: 1_000_000n, reference, config: await opClient.config() })).toEqual({ amount: 1_000_000n, credits: 100n });

    // Promo: the operator pays 20 credits' worth from its own account of the mint.
    const operatorTokens = await fundedAccount(mint, operator.keypair.publicKey, 1_000_000n);
    expect(await cli(operator.path, 'grant', '--owner', owner, '--credits', '20')).toMatch(/^granted 20 promotional credits, never expiring/);
    expect(await tokens(operatorTokens)).toBe(1_000_000n - 20n * price);

    expect(await cli(operator.path, 'lock', '--owner', owner, '--job-id', '1', '--tier', 'standard', '--max-tokens', '1500')).toMatch(/^locked job 1: 12 credits/);
    expect(await cli(operator.path, 'lock', '--owner', owner, '--job-id', '2', '--tier', 'lite', '--max-tokens', '500')).toMatch(/^locked job 2: 2 credits/);
    expect(await cli(operator.path, 'settle', '--owner', owner, '--job-id', '1', '--tokens', '1000', '--worker', worker.toBase58(), '--share-bps', '8000')).toMatch(/^settled job 1/);
    expect(await tokens(worker)).toBe(8n * price); // 80 % of the 10 credits charged
    expect(await cli(operator.path, 'refund', '--owner', owner, '--job-id', '2')).toMatch(/^refunded job 2/);
    // 420 bought or granted, 10 charged (promo first: 10 of the 20 promo credits left), 2 of them fees held in the vault.
    expect(JSON.parse(await cli(user.path, 'balance', '--json'))).toMatchObject({ available: '410', locked: '0', withdrawable: '400', openJobs: 0 });
    expect(await tokens(vault)).toBe((420n - 8n) * price);

    const treasury = (await opClient.config()).treasury;
    expect(await cli(operator.path, 'collect-fees', '--all')).toBe('collected 0.02 USDC of fees from 1 account(s)');
    expect(await tokens(treasury)).toBe(2n * price);
    expect(await cli(user.path, 'withdraw', '--credits', 'all')).toMatch(/^withdrew everything/);
    expect(await tokens(userTokens)).toBe(100_000_000n); // paid 400 credits in, withdrew 400: the job ran on promo
    expect(await cli(user.path, 'close')).toMatch(/^closed the credit account/);
    expect(await tokens(treasury)).toBe(12n * price); // the 10 promo credits given up at close go to the treasury
    expect(await v.connection.getAccountInfo(vault)).toBeNull();
    expect(await userClient.creditAccount()).toBeNull();
  }, 120_000);

  it('an agent tops up over x402 (the facilitator’s TransferChecked into the Token-2022 vault) and is served', async () => {
    const world = await startX402World(v, { operator: opClient, mint, tokenProgram: T22, worker });
    try {
      const a = await world.agent();
      expect((await a.signed(`${world.api}/v1/infer`)).status).toBe(402);
      const paid = await a.paying(`${world.api}/v1/infer`);
      expect(paid.status).toBe(200);
      const { topUp } = (await paid.json()) as { topUp: string };
      const config = await opClient.config();
      expect(await validateTopUp(v.connection, topUp, { owner: a.owner, amount: TOP_UP * config.pricePerCredit, config })).toEqual({ amount: TOP_UP * config.pricePerCredit, credits: TOP_UP });
      expect(world.calls).toEqual({ verify: 1, settle: 1 });
      expect(await tokens(a.ata)).toBe(10_000_000n - TOP_UP * config.pricePerCredit);
      expect((await opClient.getBalance({ owner: a.owner })).available).toBe(TOP_UP - quote(JOB.tier, OUTPUT_TOKENS));
      const { vault } = await opClient.addresses({ owner: a.owner });
      expect((await v.connection.getAccountInfo(vault))!.owner).toEqual(T22);
    } finally {
      world.close();
    }
  }, 120_000);

  it('the operator indexes the account, refunds an expired job by itself and sends each webhook once, verified', async () => {
    expect(await cli(v.adminKeypairPath, 'update-config', '--job-timeout-secs', '10')).toMatch(/^config updated: job timeout 10 s/);
    const hooks = receiver('whsec-t22');
    const hookUrl = await hooks.listen();
    hooks.setDown(false);
    const op = await startOperatorProcess(['--url', v.url, '--keypair', operator.path, '--db', join(v.dir, 'operator.sqlite'), '--port', '0', '--api-key', 'k', '--webhook-url', hookUrl, '--webhook-secret', 'whsec-t22']);
    try {
      const bob = await v.wallet();
      await fundedAccount(mint, bob.keypair.publicKey, 5_000_000n);
      const bobClient = new JobEscrowClient(provider(bob.keypair));
      await bobClient.purchase({ credits: 200 });
      await opClient.lock({ owner: bob.keypair.publicKey, jobId: 7n, tier: 1, maxOutputTokens: 500 });
      await waitFor('the operator to refund the expired job', async () => (await opClient.openJobs({ owner: bob.keypair.publicKey })).length === 0, 40_000);
      const wallet = bob.keypair.publicKey.toBase58();
      const account = async () => (await (await fetch(`${op.api}/v1/account/${wallet}`, { headers: { authorization: 'Bearer k' } })).json()) as Record<string, unknown>;
      await waitFor('the index to see the refund', async () => (await account()).locked === '0' && (await account()).openJobs === 0);
      expect(await account()).toMatchObject({ creditsRemaining: '200', locked: '0', withdrawable: '200', usdcValue: (await bobClient.getBalance()).usdcValue });
      const mine = () => hooks.got.filter((h) => h.wallet === wallet);
      await waitFor('the three webhooks', async () => mine().length >= 3, 30_000);
      expect(mine().map((h) => h.type)).toEqual(['credit.topup', 'job.locked', 'job.refunded']);
      expect(mine().every((h) => h.verified)).toBe(true);
    } finally {
      await stopProcess(op);
      hooks.server.close();
    }
  }, 120_000);
});
