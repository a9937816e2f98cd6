// npm run bench: compute units per instruction (happy and rejection paths)
// in LiteSVM (p-token under the Token id) and solana-bankrun (the classic SPL
// Token program), the program's own share, .so size and deploy rent,
// transaction bytes and batch limits, and the SDK's browser bundle size.
// Prints tables and writes bench/results.json. No network.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AddressLookupTableAccount, Keypair, MessageV0, PublicKey, Transaction, type TransactionInstruction } from '@solana/web3.js';
import { Clock, type ProgramTestContext } from 'solana-bankrun';
import {
  JobEscrowError,
  WITHDRAW_ALL,
  findConfigPda,
  findCreditAccountPda,
  findVaultAddress,
  getAddJobSlotsInstruction,
  getCloseCreditAccountInstruction,
  getExpirePromoInstruction,
  getGrantCreditsInstruction,
  getCollectFeesInstruction,
  getInitializeConfigInstruction,
  getLockBatchInstruction,
  getLockInstruction,
  getOpenCreditAccountInstruction,
  getPurchaseInstruction,
  getRefundBatchInstruction,
  getRefundInstruction,
  getSettleBatchInstruction,
  getSettleInstruction,
  getWithdrawInstruction,
} from '../sdk/src/index.js';
import { Escrow, HARMLESS_EXTENSIONS, PROGRAM_PATH, PROGRAM_V0_PATH, ROOT, TestEnv, type Sent } from '../tests/shared/index.js';
import { ownComputeUnits } from '../tests/program/setup/compute.js';
import { mintAccount, startBankrun, tokenAccount, walletAccount } from '../tests/shared/bankrun.js';

type Runtime = 'litesvm' | 'litesvmV0' | 'litesvmT22' | 'bankrun';
interface Row {
  instruction: string;
  path: string;
  litesvm?: number;
  litesvmOwn?: number;
  litesvmV0?: number;
  litesvmV0Own?: number;
  litesvmT22?: number;
  litesvmT22Own?: number;
  bankrun?: number;
  bankrunOwn?: number;
  error?: string;
}
const rows: Row[] = [];
function record(runtime: Runtime, instruction: string, path: string, result: { computeUnits: number; logs: string[]; error?: string }) {
  let r = rows.find((x) => x.instruction === instruction && x.path === path);
  if (!r) rows.push((r = { instruction, path }));
  r[runtime] = result.computeUnits;
  if (!result.error) r[`${runtime}Own`] = ownComputeUnits(result.logs);
  if (result.error) r.error = result.error;
}

/** A wallet whose credit PDA has bump 255. */
function wallet255(): Keypair {
  for (;;) {
    const kp = Keypair.generate();
    if (findCreditAccountPda(kp.publicKey)[1] === 255) return kp;
  }
}
const consumedOf = (logs: string[]) => Number([...logs].reverse().map((l) => /^Program Jobhh\w+ consumed (\d+) of/.exec(l)).find(Boolean)?.[1] ?? NaN);

// ---- the scenario, written once against a tiny runtime interface --------
interface Chain {
  send(ixs: TransactionInstruction[], signers: Keypair[]): Promise<{ computeUnits: number; logs: string[]; error?: string }>;
  warp(seconds: number): Promise<void>;
}

async function scenario(runtime: Runtime, chain: Chain, k: { admin: Keypair; operator: Keypair; user: Keypair; mint: PublicKey; tokenProgram?: PublicKey; treasury: PublicKey; usdc: PublicKey; worker: PublicKey; stranger: Keypair; operatorUsdc: PublicKey }) {
  const run = async (instruction: string, path: string, ixs: TransactionInstruction[], signers: Keypair[]) =>
    record(runtime, instruction, path, await chain.send(ixs, signers));
  const { admin, operator, user, treasury, usdc, worker, stranger, operatorUsdc } = k;
  // The mint and its program, as every builder that moves tokens takes them (classic Token when tokenProgram is omitted).
  const token = { mint: k.mint, tokenProgram: k.tokenProgram };
  const owner = user.publicKey;
  const [credit] = findCreditAccountPda(owner);
  await run('initialize_config', 'ok', [getInitializeConfigInstruction({ admin: admin.publicKey, mint: k.mint, treasury }, { operator: operator.publicKey })], [admin]);
  await run('open_credit_account', 'ok (bump 255)', [getOpenCreditAccountInstruction({ payer: owner, owner, ...token })], [user]);
  await run('purchase', 'ok', [getPurchaseInstruction({ owner, ...token, source: usdc }, { credits: 1_000n })], [user]);
  await run('purchase', 'below minimum', [getPurchaseInstruction({ owner, ...token, source: usdc }, { credits: 99n })], [user]);
  const lock = (jobId: bigint, tier = 1, maxOutputTokens = 1_500) =>
    getLockInstruction({ authority: operator.publicKey, creditAccount: credit, ...token }, { jobId, tier, maxOutputTokens });
  const settle = (jobId: bigint) =>
    getSettleInstruction({ operator: operator.publicKey, creditAccount: credit, ...token, providerTokenAccount: worker }, { jobId, outputTokens: 1_000, providerShareBps: 8_000 });
  const refund = (jobId: bigint, authority: Keypair) => getRefundInstruction({ authority: authority.publicKey, creditAccount: credit }, { jobId });
  const [a, b, c] = [1n, 2n, 3n];
  await run('add_job_slots', 'ok (4 more)', [getAddJobSlotsInstruction({ owner }, { count: 4 })], [user]);
  await run('lock', 'ok', [lock(a)], [operator]);
  await run('lock', 'already locked', [lock(a)], [operator]);
  await run('lock', 'insufficient credits', [lock(4n, 3, 100_000)], [operator]);
  await run('settle', 'ok', [settle(a)], [operator]);
  await run('settle', 'job not found', [settle(a)], [operator]);
  await run('lock', 'ok', [lock(b)], [operator]);
  await run('refund', 'ok (operator)', [refund(b, operator)], [operator]);
  await run('lock', 'ok', [lock(c)], [operator]);
  await run('refund', 'not expired (stranger)', [refund(c, stranger)], [stranger]);
  await chain.warp(120);
  await run('settle', 'expired', [settle(c)], [operator]);
  await run('refund', 'ok (anyone, expired)', [refund(c, stranger)], [stranger]);
  const withdraw = (credits: bigint) => getWithdrawInstruction({ owner, ...token, destination: usdc }, { credits });
  await run('withdraw', 'ok', [withdraw(100n)], [user]);
  await run('withdraw', 'above available', [withdraw(100_000n)], [user]);
  await run('collect_fees', 'ok', [getCollectFeesInstruction({ creditAccount: credit, ...token, treasury })], [stranger]);
  await run('grant_credits', 'ok', [getGrantCreditsInstruction({ operator: operator.publicKey, creditAccount: credit, ...token, source: operatorUsdc }, { credits: 50n })], [operator]);
  await run('withdraw', 'everything (u64::MAX), promo left', [withdraw(WITHDRAW_ALL)], [user]);
  await run('expire_promo', 'ok (owner gives up)', [getExpirePromoInstruction({ authority: owner, creditAccount: credit, ...token, treasury })], [user]);
  await run('close_credit_account', 'ok', [getCloseCreditAccountInstruction({ owner, ...token, rentPayer: owner })], [user]);
}

/**
 * LiteSVM 1.5 running the SBPF v3 build (`runtime` litesvm), the v0 build of
 * the same sources (litesvmV0), or the v3 build on a Token-2022 mint with the
 * harmless extensions a PYUSD-like mint carries (litesvmT22).
 */
async function litesvmRun(runtime: 'litesvm' | 'litesvmV0' | 'litesvmT22') {
  const env = new TestEnv(false, runtime === 'litesvmV0' ? PROGRAM_V0_PATH : PROGRAM_PATH, runtime === 'litesvmT22' ? { mintExtensions: HARMLESS_EXTENSIONS } : {});
  const user = wallet255();
  env.airdrop(user.publicKey);
  const stranger = env.wallet();
  const usdc = env.createTokenAccount(user.publicKey, 1_000_000_000n);
  const worker = env.createTokenAccount(Keypair.generate().publicKey);
  const chain: Chain = {
    async send(ixs, signers) {
      try {
        const s: Sent = env.send(ixs, signers);
        return { computeUnits: s.computeUnits, logs: s.logs };
      } catch (err) {
        if (!(err instanceof JobEscrowError)) throw err;
        return { computeUnits: consumedOf(err.logs), logs: err.logs, error: err.name };
      }
    },
    async warp(seconds) {
      env.warp(seconds);
    },
  };
  await scenario(runtime, chain, { admin: env.admin, operator: env.operator, user, mint: env.mint, tokenProgram: env.tokenProgram, treasury: env.treasury, usdc, worker, stranger, operatorUsdc: env.createTokenAccount(env.operator.publicKey, 1_000_000_000n) });
  return env;
}

async function bankrunRun() {
  const admin = Keypair.generate();
  const operator = Keypair.generate();
  const user = wallet255();
  const stranger = Keypair.generate();
  const mint = Keypair.generate().publicKey;
  const treasury = Keypair.generate().publicKey;
  const usdc = Keypair.generate().publicKey;
  const worker = Keypair.generate().publicKey;
  const operatorUsdc = Keypair.generate().publicKey;
  const ctx: ProgramTestContext = await startBankrun(admin, [
    mintAccount(mint),
    tokenAccount(treasury, mint, Keypair.generate().publicKey),
    tokenAccount(usdc, mint, user.publicKey, 1_000_000_000n),
    tokenAccount(worker, mint, Keypair.generate().publicKey),
    tokenAccount(operatorUsdc, mint, operator.publicKey, 1_000_000_000n),
    walletAccount(operator.publicKey),
    walletAccount(user.publicKey),
    walletAccount(stranger.publicKey),
  ]);
  const chain: Chain = {
    async send(ixs, signers) {
      const tx = new Transaction().add(...ixs);
      tx.recentBlockhash = (await ctx.banksClient.getLatestBlockhash())![0];
      tx.feePayer = signers[0].publicKey;
      tx.sign(...signers);
      const r = await ctx.banksClient.tryProcessTransaction(tx);
      const logs = r.meta?.logMessages ?? [];
      const code = /custom program error: 0x([0-9a-f]+)/.exec(logs.join('\n'))?.[1];
      return {
        computeUnits: Number(r.meta?.computeUnitsConsumed ?? 0n),
        logs,
        error: r.result ? (code ? new JobEscrowError(parseInt(code, 16)).name : r.result) : undefined,
      };
    },
    async warp(seconds) {
      const c = await ctx.banksClient.getClock();
      ctx.setClock(new Clock(c.slot, c.epochStartTimestamp, c.epoch, c.leaderScheduleEpoch, c.unixTimestamp + BigInt(seconds)));
    },
  };
  await scenario('bankrun', chain, { admin, operator, user, mint, treasury, usdc, worker, stranger, operatorUsdc });
}

// ---- transaction bytes and batch limits ---------------------------------
const TX_LIMIT = 1232;
function txBytes(ixs: TransactionInstruction[], payer: PublicKey): number {
  const tx = new Transaction().add(...ixs);
  tx.feePayer = payer;
  tx.recentBlockhash = PublicKey.default.toBase58();
  try {
    return tx.serialize({ requireAllSignatures: false, verifySignatures: false }).length;
  } catch {
    return Infinity; // web3.js refuses to serialize past the limit
  }
}
function v0Bytes(ixs: TransactionInstruction[], payer: PublicKey, lookup: AddressLookupTableAccount): number {
  try {
    const message = MessageV0.compile({ payerKey: payer, instructions: ixs, recentBlockhash: PublicKey.default.toBase58(), addressLookupTableAccounts: [lookup] });
    return 1 + 64 * message.header.numRequiredSignatures + message.serialize().length;
  } catch {
    return Infinity; // web3.js's buffer for a message is the transaction limit
  }
}
/** Distinct accounts a transaction of `ixs` names (the fee payer included): at most 64 fit one transaction. */
function accountCount(ixs: TransactionInstruction[], payer: PublicKey): number {
  return new Set([payer.toBase58(), ...ixs.flatMap((ix) => [ix.programId.toBase58(), ...ix.keys.map((k) => k.pubkey.toBase58())])]).size;
}
/** Most instructions of `make(i)` in one transaction: within TX_LIMIT bytes and 64 accounts. */
function maxBatch(make: (i: number) => TransactionInstruction, size: (ixs: TransactionInstruction[]) => number): number {
  const ixs: TransactionInstruction[] = [];
  for (;;) {
    ixs.push(make(ixs.length));
    if (size(ixs) > TX_LIMIT || accountCount(ixs, PublicKey.default) > 64) return ixs.length - 1;
  }
}
/** Most jobs one batch instruction of `make(n)` holds in a transaction: within TX_LIMIT bytes and 64 accounts. */
function maxJobs(make: (n: number) => TransactionInstruction[], size: (ixs: TransactionInstruction[]) => number): number {
  for (let n = 1; n <= 64; n++) {
    const ixs = make(n);
    if (size(ixs) > TX_LIMIT || accountCount(ixs, PublicKey.default) > 64) return n - 1;
  }
  return 64;
}

function transactionSizes() {
  const [operator, user, mint, treasury, usdc, worker] = Array.from({ length: 6 }, () => Keypair.generate().publicKey);
  const [credit] = findCreditAccountPda(user);
  const sizes: Record<string, number> = {
    open_credit_account: txBytes([getOpenCreditAccountInstruction({ payer: user, owner: user, mint })], user),
    purchase: txBytes([getPurchaseInstruction({ owner: user, mint, source: usdc }, { credits: 500n })], user),
    'open + purchase': txBytes([getOpenCreditAccountInstruction({ payer: user, owner: user, mint }), getPurchaseInstruction({ owner: user, mint, source: usdc }, { credits: 500n })], user),
    lock: txBytes([getLockInstruction({ authority: operator, creditAccount: credit, mint }, { jobId: 1n, tier: 1, maxOutputTokens: 1_500 })], operator),
    settle: txBytes([getSettleInstruction({ operator, creditAccount: credit, mint, providerTokenAccount: worker }, { jobId: 1n, outputTokens: 1_000, providerShareBps: 8_000 })], operator),
    refund: txBytes([getRefundInstruction({ authority: operator, creditAccount: credit }, { jobId: 1n })], operator),
    add_job_slots: txBytes([getAddJobSlotsInstruction({ owner: user }, { count: 16 })], user),
    withdraw: txBytes([getWithdrawInstruction({ owner: user, mint, destination: usdc }, { credits: 100n })], user),
    collect_fees: txBytes([getCollectFeesInstruction({ creditAccount: credit, mint, treasury })], user),
    close_credit_account: txBytes([getCloseCreditAccountInstruction({ owner: user, rentPayer: user, mint })], user),
  };
  // Batches: jobs of many users (each job names its own credit account; with the single forms one instruction per job).
  const users = Array.from({ length: 64 }, () => findCreditAccountPda(Keypair.generate().publicKey)[0]);
  const lockI = (i: number) => getLockInstruction({ authority: operator, creditAccount: users[i], mint }, { jobId: 1n, tier: 1, maxOutputTokens: 1_500 });
  const settleI = (i: number) => getSettleInstruction({ operator, creditAccount: users[i], mint, providerTokenAccount: worker }, { jobId: 1n, outputTokens: 1_000, providerShareBps: 8_000 });
  const refundI = (i: number) => getRefundInstruction({ authority: operator, creditAccount: users[i] }, { jobId: 1n });
  // The batch forms: one instruction for n jobs of n users.
  const lockB = (n: number) => [getLockBatchInstruction({ authority: operator }, users.slice(0, n).map((c) => ({ creditAccount: c, vault: findVaultAddress(c, mint), jobId: 1n, tier: 1, maxOutputTokens: 1_500 })))];
  const settleB = (n: number) => [
    getSettleBatchInstruction({ operator, mint }, users.slice(0, n).map((c) => ({ creditAccount: c, vault: findVaultAddress(c, mint), providerTokenAccount: worker, jobId: 1n, outputTokens: 1_000, providerShareBps: 8_000 }))),
  ];
  const refundB = (n: number) => [getRefundBatchInstruction({ authority: operator }, users.slice(0, n).map((c) => ({ creditAccount: c, jobId: 1n })))];
  // The lookup table holds what every instruction shares: program ids, the Config, the worker.
  const shared = [new PublicKey('JobhhA5HoGYXSMtC8aKaYFY2n3QPp4WDEwCipynkXbp'), findConfigPda()[0], new PublicKey('11111111111111111111111111111111'), new PublicKey('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA'), worker];
  const lookup = new AddressLookupTableAccount({ key: Keypair.generate().publicKey, state: { deactivationSlot: BigInt(2 ** 64) - 1n, lastExtendedSlot: 0, lastExtendedSlotStartIndex: 0, authority: operator, addresses: shared } });
  // With every user's accounts in the table too (an operator can keep tables of its active users).
  const all = users.flatMap((c) => [c, findVaultAddress(c, mint)]);
  const lookupAll = new AddressLookupTableAccount({ key: Keypair.generate().publicKey, state: { ...lookup.state, addresses: [...shared, ...all.slice(0, 256 - shared.length)] } });
  const batches: Record<string, Record<string, number>> = {};
  for (const [name, make] of [['lock', lockI], ['settle', settleI], ['refund', refundI]] as const) {
    batches[name] = {
      legacy: maxBatch(make, (ixs) => txBytes(ixs, operator)),
      'v0 + shared table': maxBatch(make, (ixs) => v0Bytes(ixs, operator, lookup)),
      'v0 + per-user table': maxBatch(make, (ixs) => v0Bytes(ixs, operator, lookupAll)),
    };
  }
  for (const [name, make] of [['lock_batch', lockB], ['settle_batch', settleB], ['refund_batch', refundB]] as const) {
    batches[name] = {
      legacy: maxJobs(make, (ixs) => txBytes(ixs, operator)),
      'v0 + shared table': maxJobs(make, (ixs) => v0Bytes(ixs, operator, lookup)),
      'v0 + per-user table': maxJobs(make, (ixs) => v0Bytes(ixs, operator, lookupAll)),
    };
  }
  return { sizes, batches };
}

/**
 * "Top-up URL + purchase instruction + fetch the credit account" bundled for
 * the browser on each client, measured where the sizes are what a user gets:
 * the packed SDK in a fresh project (scripts/check-kit-package.sh, which
 * also runs the Kit lifecycle and enforces the 40 KB budget).
 */
async function clientBundles() {
  const { stdout } = await promisify(execFile)('bash', ['scripts/check-kit-package.sh'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, REPACK: '1' }, maxBuffer: 1 << 24 });
  const report = JSON.parse(stdout.split('\n').find((l) => l.startsWith('{'))!);
  // The top-up page's script, as the packed SDK ships it and the server serves it (/topup.js).
  const page = readFileSync(`${ROOT}/sdk/dist/topup-page.js`);
  return {
    kit: { bytes: report.kitBundle.bytes, gzip: report.kitBundle.gzip },
    anchor: report.anchorBundle as { bytes: number; gzip: number },
    page: { bytes: page.length, gzip: gzipSync(page).length },
  };
}

async function main() {
  const env = await litesvmRun('litesvm');
  await litesvmRun('litesvmV0');
  await litesvmRun('litesvmT22');
  await bankrunRun();
  const soBytes = statSync(PROGRAM_PATH).size;
  const soBytesV0 = statSync(PROGRAM_V0_PATH).size;
  // An upgradeable deploy holds the program in a ProgramData account: 45-byte header + the .so.
  const deployRent = Number(env.bank.rentExemptMinimum(45 + soBytes));
  const tx = transactionSizes();
  const bundles = await clientBundles();
  const results = {
    generatedBy: 'npm run bench',
    runtimes: { litesvm: 'litesvm 1.5.0, SBPF v3 build (p-token under the Token id)', litesvmV0: 'litesvm 1.5.0, SBPF v0 build', litesvmT22: 'litesvm 1.5.0, SBPF v3 build, a Token-2022 mint (metadata pointer, close authority, zero transfer fee)', bankrun: 'solana-bankrun 0.4.0, SBPF v0 build (SPL Token)' },
    computeUnits: rows,
    program: { soBytes, soBytesV0, deployRentLamports: deployRent, deployRentSol: deployRent / 1e9 },
    transactions: tx,
    clientBundles: bundles,
  };
  writeFileSync(`${ROOT}/bench/results.json`, JSON.stringify(results, null, 2) + '\n');

  const pad = (s: unknown, n: number) => String(s ?? '').padStart(n);
  console.log('\ncompute units (total / the program\'s own)');
  console.log(`${'instruction'.padEnd(22)}${'path'.padEnd(26)}${pad('v3', 9)}${pad('own', 7)}${pad('v0', 9)}${pad('own', 7)}${pad('T-2022', 9)}${pad('own', 7)}${pad('bankrun', 9)}${pad('own', 7)}  error`);
  for (const r of rows) console.log(`${r.instruction.padEnd(22)}${r.path.padEnd(26)}${pad(r.litesvm, 9)}${pad(r.litesvmOwn, 7)}${pad(r.litesvmV0, 9)}${pad(r.litesvmV0Own, 7)}${pad(r.litesvmT22, 9)}${pad(r.litesvmT22Own, 7)}${pad(r.bankrun, 9)}${pad(r.bankrunOwn, 7)}  ${r.error ?? ''}`);
  console.log(`\n.so: SBPF v3 ${soBytes} bytes, v0 ${soBytesV0} bytes; rent to deploy the v3 file (ProgramData): ${deployRent} lamports (${(deployRent / 1e9).toFixed(4)} SOL)`);
  console.log('\ntransaction bytes (legacy, one signer):', Object.entries(tx.sizes).map(([k, v]) => `${k} ${v}`).join(', '));
  console.log('most instructions in one 1,232-byte transaction:');
  for (const [k, v] of Object.entries(tx.batches)) console.log(`  ${k.padEnd(7)} ${Object.entries(v).map(([m, n]) => `${m}: ${n}`).join(', ')}`);
  console.log('\nbrowser bundle, top-up URL + purchase instruction + credit account fetched (esbuild, minified, from the packed SDK):');
  for (const [name, b] of Object.entries(bundles)) console.log(`  ${name.padEnd(7)} ${b.bytes} bytes, ${b.gzip} gzipped`);
  console.log('\nwrote bench/results.json');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
