// npm run demo: the whole lifecycle on an embedded LiteSVM, with readable
// output. A user tops up by a Solana Pay transfer request (QR written as a
// PNG), buys more credits; the operator locks three jobs at different tiers,
// settles one, refunds one as failed, lets one time out and a crank refunds
// it; the user withdraws the rest. Balances and history after each step, and
// a CSV for accountants.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Keypair, type PublicKey } from '@solana/web3.js';
import { JOB_ESCROW_PROGRAM_ID, JobEscrowClient, Tier, creditsToUsdc, formatUnits, quote, toCsv, type HistoryEntry } from '../sdk/src/index.js';
import { createTopUpUrl, ensureTopUpReady } from '../sdk/src/pay/index.js';
import { writeTopUpQr } from '../sdk/src/server/index.js';
import { ROOT } from '../tests/shared/index.js';
import { payTransferRequest } from '../tests/shared/wallet.js';
import { embeddedWorld, rpcWorld } from './world.js';

const OUT = join(ROOT, 'target/demo');
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (n: number, title: string) => console.log(`\n${bold(`${n}. ${title}`)}`);

async function main() {
  const { values } = parseArgs({ options: { rpc: { type: 'string' }, keypair: { type: 'string' } } });
  mkdirSync(OUT, { recursive: true });
  const world = values.rpc ? await rpcWorld(values.rpc, values.keypair) : embeddedWorld();
  console.log(`job_escrow demo: program ${JOB_ESCROW_PROGRAM_ID.toBase58()} on ${world.description}`);

  const user = await world.wallet();
  const operatorKp = await world.wallet();
  const cranker = await world.wallet();
  const worker = await world.usdcAccount(Keypair.generate().publicKey, 0n);
  const userUsdc = await world.usdcAccount(user.publicKey, 20_000_000n); // $20 in the user's wallet
  const client = (kp: Keypair) => new JobEscrowClient(world.provider(kp));
  const usdcOf = async (a: PublicKey) => formatUnits(await world.tokenBalance(a));

  step(1, 'The admin (the program’s upgrade authority) initializes the config with the specification’s defaults');
  const timeout = values.rpc ? 10 : 120; // 10 s: the shortest timeout the program accepts
  if ((await world.initConfig(operatorKp.publicKey, timeout)) === 'existing') throw new Error('the config already exists there: run the demo on a fresh validator');
  const platform = client(operatorKp);
  const config = await platform.config();
  console.log(`   1 credit = ${creditsToUsdc(1n, config.pricePerCredit)} USDC, minimum ${config.minPurchaseCredits} credits, jobs time out after ${config.jobTimeoutSecs} s`);

  const me = client(user);
  const owner = user.publicKey;
  const showBalance = async () => {
    const b = await me.getBalance({ owner });
    const promo = b.promo > 0n ? ` (${b.promo} of them a bonus, spent first)` : '';
    console.log(`   balance: ${b.available} credits available${promo} (${b.usdcValue} USDC), ${b.withdrawable} withdrawable, ${b.locked} locked in ${b.openJobs} job(s), vault ${formatUnits(b.vaultAmount)} USDC, wallet ${await usdcOf(userUsdc)} USDC`);
  };

  step(2, 'The user tops up 500 credits by scanning a Solana Pay QR code');
  await ensureTopUpReady(platform, { owner });
  const request = createTopUpUrl({ owner, credits: 500n, label: 'Acme AI', message: 'Top up 500 credits', memo: 'demo' }, { config });
  const png = join(OUT, 'topup.png');
  await writeTopUpQr(request.url, { png, svg: join(OUT, 'topup.svg') });
  console.log(`   URL: ${request.url}`);
  console.log(`   QR code: ${png}`);
  await payTransferRequest(world.provider(user), user, String(request.url));
  console.log('   the wallet paid the URL (a plain USDC transfer to the vault, no program call)');
  await showBalance();

  step(3, 'The platform gives a welcome bonus: 50 promotional credits for 30 days, spent first, never withdrawable');
  await world.usdcAccount(operatorKp.publicKey, 1_000_000n); // the platform's own USDC backs the bonus
  const bonus = await platform.grantCredits({ owner, credits: 50n, expiresIn: 30 * 86_400 });
  console.log(`   granted 50 credits from the platform's USDC, expiring at ${new Date(Number(bonus.expiresAt) * 1000).toISOString()} (cluster time)`);
  await showBalance();

  step(4, 'The user buys 300 more credits through the program');
  await me.purchase({ credits: 300n });
  await showBalance();

  step(5, 'The operator locks three jobs at different tiers (priced on-chain)');
  const jobs = [
    { jobId: 1n, tier: Tier.Lite, maxOutputTokens: 800, name: 'Lite, up to 800 tokens' },
    { jobId: 2n, tier: Tier.Pro, maxOutputTokens: 2_000, name: 'Pro, up to 2,000 tokens' },
    { jobId: 3n, tier: Tier.Max, maxOutputTokens: 1_500, name: 'Max, up to 1,500 tokens' },
  ];
  for (const j of jobs) {
    const { credits } = await platform.lock({ owner, ...j });
    console.log(`   job ${j.jobId} (${j.name}): ${credits} credits locked (quote ${quote(j.tier, j.maxOutputTokens)})`);
  }
  await showBalance();

  step(6, 'Job 2 completes with 1,700 output tokens: settled, 80 % to the worker');
  await platform.settle({ owner, jobId: 2n, outputTokens: 1_700, providerShareBps: 8_000, providerTokenAccount: worker });
  console.log(`   charged ${quote(Tier.Pro, 1_700)} credits, all from the welcome bonus; the worker received ${await usdcOf(worker)} USDC, the fee stays in the vault for the treasury`);
  await showBalance();

  step(7, 'Job 1 fails: the operator refunds it');
  await platform.refund({ owner, jobId: 1n });
  await showBalance();

  step(8, `Job 3 times out (${config.jobTimeoutSecs} s pass); anyone can crank the refund`);
  await world.passTime(config.jobTimeoutSecs + 1);
  // The crank reads the open jobs from the credit accounts' job slots and refunds the expired ones with refund_batch.
  const crank = client(cranker);
  const [open, now] = await Promise.all([crank.openJobs({ owner }), crank.clusterTime()]);
  const { outcomes } = await crank.refundMany(open.filter(({ job }) => job.expiresAt <= now).map(({ job }) => ({ owner, jobId: job.jobId })));
  const refunded = outcomes.flatMap((o) => (o.status === 'done' ? [o.signature] : []));
  if (refunded.length !== outcomes.length) throw new Error(`the crank could not refund every expired job: ${outcomes.map((o) => (o.status === 'rejected' ? o.error : o.status)).join(', ')}`);
  console.log(`   the crank refunded ${refunded.length} expired job(s) in ${new Set(refunded).size} transaction(s)`);
  await showBalance();

  step(9, 'The platform collects its fee and the user withdraws everything withdrawable (the bonus stays)');
  await platform.collectFees({ owner });
  await me.withdrawAll();
  console.log(`   treasury ${await usdcOf(world.treasury)} USDC`);
  await showBalance();

  step(10, 'The user closes the account: the unspent bonus goes back to the treasury, the rent to its payer (here the platform, which opened it for the top-up)');
  await me.closeCreditAccount();
  console.log(`   closed; treasury ${await usdcOf(world.treasury)} USDC, wallet ${await usdcOf(userUsdc)} USDC`);

  step(11, 'History, rebuilt from the program’s events and the vault’s transfers');
  const history = await me.history({ owner });
  printHistory(history);
  const csv = join(OUT, 'history.csv');
  writeFileSync(csv, toCsv(history));
  console.log(`   CSV: ${csv}`);
  console.log('\ndone: every step of the lifecycle succeeded');
}

function printHistory(entries: HistoryEntry[]) {
  const rows = entries.map((e) => [e.kind, e.jobId?.toString() ?? '', e.credits.toString(), formatUnits(e.usdc), e.availableAfter.toString(), e.lockedAfter.toString()]);
  const head = ['kind', 'job', 'credits', 'USDC', 'available', 'locked'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => '   ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
