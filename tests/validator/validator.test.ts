// The SDK and the CLI against a real solana-test-validator over JSON-RPC
// (HTTP and websocket). Runs from scripts/test.sh through
// vitest.validator.config.ts (see docs/toolchain.md for when).
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AnchorProvider, Wallet } from '@coral-xyz/anchor';
import { fetchTransaction, parseURL, type TransactionRequestURL } from '@solana/pay';
import { createAssociatedTokenAccount, getAssociatedTokenAddressSync, mintTo } from '@solana/spl-token';
import { Keypair, PublicKey, Transaction } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEscrowClient, fetchConfig, getUpdateConfigInstruction, type Balance } from '../../sdk/src/index.js';
import { findTopUp, validateTopUp } from '../../sdk/src/pay/index.js';
import { createTopUpServer } from '../../sdk/src/server/index.js';
import {
  appendTransactionMessageInstructions,
  assertIsTransactionWithBlockhashLifetime,
  createKeyPairSignerFromBytes,
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  createTransactionMessage,
  getSignatureFromTransaction,
  pipe,
  sendAndConfirmTransactionFactory,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  address,
  type Instruction,
  type KeyPairSigner,
} from '@solana/kit';
import * as K from '../../sdk/src/kit/index.js';
import { ROOT } from '../shared/index.js';
import { payTransferRequest } from '../shared/wallet.js';
import { buildForProgramId, installCli, startValidator, type CliDoor, type LocalValidator } from './harness.js';

let v: LocalValidator;
/** An operator's own deployment: the program built for this id (fixed, so the build is cached). */
const SECOND_PROGRAM = new PublicKey('9kECjtPQqx5fyRHg9J3fLJ9ukVbanx4ufbTia7zXGS8j');
let door: CliDoor;
const cliRaw = (args: string[], env?: Record<string, string>) => door.raw(args, env);
const cli = (keypair: string, ...args: string[]) => door.run(v.url, keypair, ...args);
const cliFails = (keypair: string, ...args: string[]) => door.fails(v.url, keypair, ...args);
const provider = (kp: Keypair) => new AnchorProvider(v.connection, new Wallet(kp), { commitment: 'confirmed' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('against solana-test-validator', () => {
  let operator: { keypair: Keypair; path: string };
  let user: { keypair: Keypair; path: string };
  let owner: string;
  let workerUsdc: PublicKey;
  let opClient: JobEscrowClient;
  let userClient: JobEscrowClient;

  beforeAll(async () => {
    await promisify(execFile)('npx', ['tsup', '--silent'], { cwd: join(ROOT, 'sdk') });
    door = await installCli();
    v = await startValidator({ alsoAt: [{ programId: SECOND_PROGRAM, path: await buildForProgramId(SECOND_PROGRAM) }] });
    operator = await v.wallet();
    user = await v.wallet();
    owner = user.keypair.publicKey.toBase58();
    const userUsdc = await createAssociatedTokenAccount(v.connection, v.admin, v.mint, user.keypair.publicKey);
    await mintTo(v.connection, v.admin, v.mint, userUsdc, v.mintAuthority, 100_000_000n);
    workerUsdc = await createAssociatedTokenAccount(v.connection, v.admin, v.mint, Keypair.generate().publicKey);
    opClient = new JobEscrowClient(provider(operator.keypair));
    userClient = new JobEscrowClient(provider(user.keypair));
  }, 240_000);
  afterAll(async () => {
    await v?.stop();
    door?.remove();
  });

  it('initializes the config with the CLI (the admin is the upgrade authority)', async () => {
    const stranger = await v.wallet();
    expect((await cliFails(stranger.path, 'init-config', '--mint', v.mint.toBase58()))).toEqual({ status: 1, stderr: "error: the admin must be the program's upgrade authority (NotUpgradeAuthority, 6003)" });
    const out = (await cli(v.adminKeypairPath, 'init-config', '--mint', v.mint.toBase58(), '--operator', operator.keypair.publicKey.toBase58(), '--job-timeout-secs', '60'));
    expect(out).toMatch(/^config initialized/);
    expect(await fetchConfig(v.connection)).toMatchObject({ jobTimeoutSecs: 60, operator: operator.keypair.publicKey });
  });

  it('the Kit client: open + purchase, lock, settle, withdraw over JSON-RPC, confirmed and watched through RPC subscriptions', async () => {
    const rpc = createSolanaRpc(v.url);
    const rpcSubscriptions = createSolanaRpcSubscriptions(v.wsUrl);
    const sendAndConfirm = sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions });
    const send = async (instructions: Instruction[], feePayer: KeyPairSigner) => {
      const { value: latestBlockhash } = await rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
      const message = pipe(
        createTransactionMessage({ version: 0 }),
        (m) => setTransactionMessageFeePayerSigner(feePayer, m),
        (m) => setTransactionMessageLifetimeUsingBlockhash(latestBlockhash, m),
        (m) => appendTransactionMessageInstructions(instructions, m),
      );
      const tx = await signTransactionMessageWithSigners(message);
      assertIsTransactionWithBlockhashLifetime(tx);
      await sendAndConfirm(tx, { commitment: 'confirmed' });
      const signature = getSignatureFromTransaction(tx);
      const landed = await rpc.getTransaction(signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0, encoding: 'json' }).send();
      return K.parseEvents(landed?.meta?.logMessages ?? []);
    };
    // Wallets funded through the harness; everything on chain below goes through the Kit client.
    const kitUser = await v.wallet();
    const alice = await createKeyPairSignerFromBytes(kitUser.keypair.secretKey);
    const op = await createKeyPairSignerFromBytes(operator.keypair.secretKey);
    const aliceUsdc = await createAssociatedTokenAccount(v.connection, v.admin, v.mint, kitUser.keypair.publicKey);
    await mintTo(v.connection, v.admin, v.mint, aliceUsdc, v.mintAuthority, 10_000_000n);
    const mint = address(v.mint.toBase58());
    const { creditAccount, vault } = await K.findOwnerAddresses({ owner: alice.address, mint });

    // An account subscription sees the purchase land.
    const abort = new AbortController();
    const notifications = await rpcSubscriptions.accountNotifications(creditAccount, { commitment: 'confirmed', encoding: 'base64' }).subscribe({ abortSignal: abort.signal });
    const firstPurchase = (async () => {
      for await (const n of notifications) {
        const data = Uint8Array.from(Buffer.from(n.value.data[0], 'base64'));
        const credit = K.getCreditAccountDecoder().decode(data);
        if (credit.purchased > 0n) return credit.purchased;
      }
      return 0n;
    })();

    const opened = await send(
      [
        await K.getOpenCreditAccountInstructionAsync({ payer: alice, owner: alice.address, mint, vault }),
        await K.getPurchaseInstructionAsync({ mint: address(v.mint.toBase58()), owner: alice, vault, source: address(aliceUsdc.toBase58()), credits: 300n }),
      ],
      alice,
    );
    expect(opened.map((e) => e.name)).toEqual(['CreditAccountOpened', 'CreditsPurchased']);
    expect(await firstPurchase).toBe(300n);
    abort.abort();

    const locked = await send(
      [await K.getLockInstructionAsync({ authority: op, creditAccount, vault, jobId: 1n, tier: K.TierLevel.Pro, maxOutputTokens: 1_500 })],
      op,
    );
    expect(locked).toMatchObject([{ name: 'JobLocked', data: { jobId: 1n, creditsLocked: K.quote(K.TierLevel.Pro, 1_500) } }]);
    const slots = () => K.fetchCreditAccount(rpc, creditAccount).then((a) => a.data.jobSlots);
    expect((await slots())[0]).toMatchObject({ jobId: 1n, tier: K.TierLevel.Pro });

    const settled = await send(
      [await K.getSettleInstructionAsync({ mint: address(v.mint.toBase58()), operator: op, creditAccount, vault, providerTokenAccount: address(workerUsdc.toBase58()), jobId: 1n, outputTokens: 900, providerShareBps: 8_000 })],
      op,
    );
    const charged = K.quote(K.TierLevel.Pro, 900);
    expect(settled).toMatchObject([{ name: 'JobSettled', data: { jobId: 1n, creditsCharged: charged } }]);
    expect((await slots())[0].expiresAt).toBe(0n); // the slot is free again

    const balance = await K.fetchBalance(rpc, { owner: alice.address, mint });
    expect(balance).toMatchObject({ available: 300n - charged, withdrawable: 300n - charged, locked: 0n, charged, purchased: 300n });
    const withdrawn = await send([await K.getWithdrawInstructionAsync({ mint: address(v.mint.toBase58()), owner: alice, vault, destination: address(aliceUsdc.toBase58()), credits: balance.withdrawable })], alice);
    expect(withdrawn).toMatchObject([{ name: 'CreditsWithdrawn', data: { credits: 300n - charged } }]);
    expect((await K.fetchBalance(rpc, { owner: alice.address, mint })).available).toBe(0n);
    const usdc = await rpc.getTokenAccountBalance(address(aliceUsdc.toBase58()), { commitment: 'confirmed' }).send();
    expect(BigInt(usdc.value.amount)).toBe(10_000_000n - charged * 10_000n);
  });

  it('tops up by a Solana Pay transfer request, found and validated by its reference', async () => {
    expect((await cli(operator.path, 'open', '--owner', owner))).toMatch(/^credit account/);
    const [url, referenceLine] = (await cli(operator.path, 'topup-url', '--owner', owner, '--credits', '200')).split('\n');
    await payTransferRequest(provider(user.keypair), user.keypair, url);
    const reference = (parseURL(url) as { reference: PublicKey[] }).reference[0];
    expect(referenceLine).toBe(`reference ${reference.toBase58()}`);
    const found = await findTopUp(v.connection, reference);
    const config = await opClient.config();
    expect(await validateTopUp(v.connection, found.signature, { owner: user.keypair.publicKey, amount: 2_000_000n, reference, config })).toEqual({ amount: 2_000_000n, credits: 200n });
    expect((await userClient.getBalance()).available).toBe(200n);
  });

  it('runs purchase, lock, settle and refund through the CLI', async () => {
    expect((await cli(user.path, 'purchase', '--credits', '300'))).toMatch(/^bought 300 credits/);
    expect((await cli(operator.path, 'lock', '--owner', owner, '--job-id', '1', '--tier', 'standard', '--max-tokens', '1500'))).toMatch(/^locked job 1: 12 credits/);
    expect((await cli(operator.path, 'lock', '--owner', owner, '--job-id', '2', '--tier', 'lite', '--max-tokens', '500'))).toMatch(/^locked job 2: 2 credits/);
    expect((await cli(operator.path, 'settle', '--owner', owner, '--job-id', '1', '--tokens', '1000', '--worker', workerUsdc.toBase58(), '--share-bps', '8000'))).toMatch(/^settled job 1/);
    expect((await cli(operator.path, 'refund', '--owner', owner, '--job-id', '2'))).toMatch(/^refunded job 2/);
    expect(JSON.parse((await cli(user.path, 'balance', '--json')))).toMatchObject({ available: '490', locked: '0', openJobs: 0 });
  });

  it('refunds after a real timeout: anyone, then the crank', async () => {
    // The admin shortens the timeout for the jobs locked from now on, to the shortest the program allows (10 s).
    expect((await cli(v.adminKeypairPath, 'update-config', '--job-timeout-secs', '10'))).toMatch(/^config updated: job timeout 10 s \(/);
    await opClient.lock({ owner: user.keypair.publicKey, jobId: 3n, tier: 2, maxOutputTokens: 500 });
    const stranger = new JobEscrowClient(provider((await v.wallet()).keypair));
    await expect(stranger.refund({ owner: user.keypair.publicKey, jobId: 3n })).rejects.toMatchObject({ name: 'JobNotExpired' });
    await opClient.lock({ owner: user.keypair.publicKey, jobId: 4n, tier: 3, maxOutputTokens: 500 });
    await opClient.lock({ owner: user.keypair.publicKey, jobId: 5n, tier: 3, maxOutputTokens: 500 });
    await sleep(11_500);
    await stranger.refund({ owner: user.keypair.publicKey, jobId: 3n });
    const listed = (await cliRaw(['jobs', '--url', v.url])).stdout.split('\n'); // no keypair needed
    expect(listed[0]).toBe('2 open job(s), 2 expired');
    expect(listed.slice(1).map((l) => / job (\d+) /.exec(l)![1]).sort()).toEqual(['4', '5']);
    expect((await cli(operator.path, 'crank'))).toBe('refunded 2 expired job(s) in 1 transaction(s)');
    expect((await userClient.getBalance()).openJobs).toBe(0);
  }, 60_000);

  it('fires watchBalance from a real account subscription', async () => {
    const seen: Balance[] = [];
    const low: Balance[] = [];
    const stop = await userClient.watchBalance({ owner: user.keypair.publicKey,  below: 450n, onLow: (b) => low.push(b), onChange: (b) => seen.push(b) });
    try {
      await opClient.lock({ owner: user.keypair.publicKey, jobId: 6n, tier: 3, maxOutputTokens: 1_500 }); // 60 credits: 490 → 430
      await expect.poll(() => low.length, { timeout: 20_000 }).toBe(1);
      expect(low[0].available).toBe(430n);
    } finally {
      await stop();
    }
    await opClient.refund({ owner: user.keypair.publicKey, jobId: 6n });
  }, 60_000);

  it('serves a transaction request that a wallet fetches, signs and sends to the validator', async () => {
    const reader = new JobEscrowClient(provider(Keypair.generate()));
    const server = createTopUpServer({ client: reader, publicUrl: 'https://pay.example' });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const topup = (await (await fetch(`${base}/api/topup?owner=${owner}&credits=100`)).json()) as { transactionUrl: string };
      const { link } = parseURL(topup.transactionUrl) as TransactionRequestURL;
      const tx = await fetchTransaction(v.connection, user.keypair.publicKey, new URL(link.pathname + link.search, base));
      tx.sign(user.keypair);
      const sig = await v.connection.sendRawTransaction(tx.serialize());
      await v.connection.confirmTransaction({ signature: sig, ...(await v.connection.getLatestBlockhash()) }, 'confirmed');
      expect((await userClient.getBalance()).available).toBe(590n);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('runs serve-pay as a process', async () => {
    const child = spawn('node', [door.bin, 'serve-pay', '--port', '18777', '--url', v.url, '--keypair', operator.path], { cwd: door.home });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('top-up server on') && resolve());
        child.once('exit', (code) => reject(new Error(`serve-pay exited with ${code}`)));
      });
      expect(await (await fetch('http://127.0.0.1:18777/api/pay?credits=100')).json()).toMatchObject({ label: 'Compute credits' });
    } finally {
      child.kill();
    }
  });

  it('rebuilds the history from signatures, exports CSV, and withdraws everything', async () => {
    const history = await userClient.history();
    expect(history.map((e) => e.kind)).toEqual(['open', 'deposit', 'purchase', 'lock', 'lock', 'settle', 'refund', 'lock', 'lock', 'lock', 'refund', 'refund', 'refund', 'lock', 'refund', 'purchase']);
    expect(history.at(-1)!.availableAfter).toBe(590n);
    const csv = join(v.dir, 'history.csv');
    expect((await cli(user.path, 'history', '--csv', csv)).split('\n').at(-1)).toBe(`CSV written to ${csv}`);
    expect(readFileSync(csv, 'utf8').trim().split('\n')).toHaveLength(history.length + 1);
    expect((await cli(user.path, 'withdraw', '--credits', 'all'))).toMatch(/^withdrew everything/);
    expect((await cliFails(user.path, 'withdraw', '--credits', '1'))).toEqual({ status: 1, stderr: 'error: not enough available credits (InsufficientCredits, 6016)' });
    const usdc = getAssociatedTokenAddressSync(v.mint, user.keypair.publicKey);
    // $100 - $6 paid in + $5.90 back ($0.08 went to the worker, $0.02 of fees stays for the treasury)
    expect((await v.connection.getTokenAccountBalance(usdc)).value.amount).toBe('99900000');
  });

  it("the admin's whole job through the CLI, each command a process", async () => {
    expect((await cliRaw(['--version']))).toMatchObject({ status: 0, stdout: `job-escrow ${JSON.parse(readFileSync(join(ROOT, 'sdk/package.json'), 'utf8')).version}` });
    expect((await cliRaw(['update-config', '--help'])).stdout).toMatch(/^job-escrow update-config \[--pause\|--unpause\]/);
    expect((await cliRaw(['jobs', '--url', 'http://127.0.0.1:1']))).toMatchObject({ status: 1, stderr: 'error: cannot reach http://127.0.0.1:1: is a validator running?' });
    expect((await cliFails(v.adminKeypairPath, 'update-config'))).toEqual({ status: 2, stderr: 'error: nothing to change (job-escrow update-config --help lists the fields)' });

    // Pause stops purchases; unpause lets them through again.
    expect((await cli(v.adminKeypairPath, 'update-config', '--pause'))).toMatch(/^config updated: paused \(/);
    expect((await cliFails(user.path, 'purchase', '--credits', '100'))).toEqual({ status: 1, stderr: 'error: the program is paused (Paused, 6014)' });
    expect((await cliFails(operator.path, 'update-config', '--unpause'))).toMatchObject({ status: 1, stderr: 'error: the signer is not allowed to perform this action (Unauthorized, 6002)' });
    expect((await cli(v.adminKeypairPath, 'update-config', '--unpause', '--tier-price', 'standard=10,4,500', '--min-purchase', '50'))).toMatch(/^config updated: unpaused, minimum purchase 50 credits, tier prices lite=2,1,500 standard=10,4,500 pro=18,9,500 max=40,20,500 \(/);
    expect(await fetchConfig(v.connection)).toMatchObject({ paused: false, minPurchaseCredits: 50n, tiers: [expect.anything(), { requestCredits: 10n, per1kCredits: 4n, includedTokens: 500 }, expect.anything(), expect.anything()] });
    expect((await cli(user.path, 'purchase', '--credits', '50'))).toMatch(/^bought 50 credits/);

    // Spending limits are the owner's.
    expect((await cli(user.path, 'set-spending-limit', '--max-per-job', '40', '--daily', '100'))).toMatch(/^spending limit: 40 credits per job, 100 credits per day \(/);
    expect(await userClient.creditAccount()).toMatchObject({ maxCreditsPerJob: 40n, dailyLimitCredits: 100n });
    expect((await cliFails(operator.path, 'lock', '--owner', owner, '--job-id', '20', '--tier', 'max', '--max-tokens', '1000'))).toMatchObject({ status: 1, stderr: "error: the job exceeds the owner's per-job spending limit (SpendingLimitExceeded, 6017)" });

    // Fees: every account that owes some, in one command.
    const owing = await opClient.accountsWithFees();
    const total = owing.reduce((sum, { account }) => sum + account.feesAccrued, 0n);
    expect(owing.length).toBeGreaterThanOrEqual(2);
    const treasury = (await fetchConfig(v.connection)).treasury;
    const before = BigInt((await v.connection.getTokenAccountBalance(treasury)).value.amount);
    expect((await cli(operator.path, 'collect-fees', '--all'))).toBe(`collected ${Number(total) / 1e6} USDC of fees from ${owing.length} account(s)`);
    expect(BigInt((await v.connection.getTokenAccountBalance(treasury)).value.amount) - before).toBe(total);
    expect(await opClient.accountsWithFees()).toEqual([]);

    // The user empties and closes the account.
    expect((await cli(user.path, 'withdraw', '--credits', 'all'))).toMatch(/^withdrew everything/);
    // The operator opened it (the open-by-operator step above): the rent it paid goes back to it, the rest to the wallet.
    const operatorBefore = await v.connection.getBalance(operator.keypair.publicKey);
    const rentPaid = (await userClient.creditAccount())!.rentPaid;
    expect(await cli(user.path, 'close')).toMatch(new RegExp(`^closed the credit account \\w+; ${rentPaid} lamports of rent returned to its rent payer ${operator.keypair.publicKey.toBase58()}, the rest to the wallet \\(`));
    expect(BigInt(await v.connection.getBalance(operator.keypair.publicKey)) - BigInt(operatorBefore)).toBe(rentPaid);
    expect(await userClient.creditAccount()).toBeNull();

    // Admin hand-over: nominate, then the nominee accepts.
    const next = operator.keypair.publicKey.toBase58();
    expect((await cli(v.adminKeypairPath, 'nominate-admin', '--new-admin', next))).toMatch(new RegExp(`^nominated ${next} as admin; they take over with accept-admin`));
    expect((await cli(operator.path, 'accept-admin'))).toMatch(new RegExp(`^${next} is now the admin`));
    expect((await fetchConfig(v.connection)).admin.toBase58()).toBe(next);
    expect((await cliFails(v.adminKeypairPath, 'update-config', '--pause'))).toMatchObject({ status: 1, stderr: 'error: the signer is not allowed to perform this action (Unauthorized, 6002)' });
  }, 120_000);

  it('--program-id and JOB_ESCROW_PROGRAM_ID: an operator\'s own deployment, on every command', async () => {
    const id = SECOND_PROGRAM.toBase58();
    expect((await cli(v.adminKeypairPath, 'init-config', '--mint', v.mint.toBase58(), '--program-id', id))).toMatch(/^config initialized/);
    expect(await fetchConfig(v.connection, { programId: SECOND_PROGRAM })).toMatchObject({ admin: v.admin.publicKey });
    const other = await v.wallet();
    const withEnv = (args: string[]) => (cliRaw([...args, '--url', v.url, '--keypair', other.path], { JOB_ESCROW_PROGRAM_ID: id }));
    expect((await withEnv(['open']))).toMatchObject({ status: 0, stdout: expect.stringMatching(/^credit account/) });
    expect(await new JobEscrowClient(provider(other.keypair), { programId: SECOND_PROGRAM }).creditAccount()).not.toBeNull();
    expect(await new JobEscrowClient(provider(other.keypair)).creditAccount()).toBeNull();
    expect((await withEnv(['jobs'])).stdout).toBe('0 open job(s), 0 expired');
    expect((await cliRaw(['balance', '--url', v.url, '--keypair', other.path, '--program-id', id]))).toMatchObject({ status: 0, stdout: expect.stringMatching(/^available 0 credits/) });
    expect((await cliRaw(['balance', '--url', v.url, '--keypair', other.path]))).toMatchObject({ status: 1 });
    const serve = spawn('node', [door.bin, 'serve-pay', '--port', '18778', '--url', v.url, '--program-id', id], { cwd: door.home });
    try {
      await new Promise<void>((resolve, reject) => {
        serve.stdout.on('data', (d: Buffer) => d.toString().includes('top-up server on') && resolve());
        serve.once('exit', (code) => reject(new Error(`serve-pay exited with ${code}`)));
      });
      const { transactionUrl } = (await (await fetch(`http://127.0.0.1:18778/api/topup?owner=${other.keypair.publicKey.toBase58()}&credits=100`)).json()) as { transactionUrl: string };
      expect(transactionUrl).toMatch(/^solana:/);
    } finally {
      serve.kill();
    }
  });
});
