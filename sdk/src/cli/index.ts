// The operator CLI: `job-escrow <command> [options]`. One table (COMMANDS)
// holds every command: its usage line, its summary (the help) and what it
// runs, a function of parsed options and a JobEscrowClient, so tests run
// commands in-process on LiteSVM and as processes against a validator. The
// bin resolves the keypair and RPC URL like the Solana CLI (--keypair / --url,
// else ~/.config/solana/cli/config.yml, else ~/.config/solana/id.json and
// localhost) and the program id from --program-id or JOB_ESCROW_PROGRAM_ID.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AnchorProvider, Wallet, type Provider } from '@coral-xyz/anchor';
import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from '@solana/spl-token';
import { Connection, Keypair, PublicKey } from '@solana/web3.js';
import type { Server } from 'node:http';
import { walletKeypair } from '../batch/jobs.js';
import { PayerPool } from '../batch/payerPool.js';
import { LookupTables } from '../batch/lookupTables.js';
import { JobEscrowClient } from '../client.js';
import { COMPUTE_UNITS, MAX_JOB_SLOTS, Tier } from '../constants.js';
import { JobEscrowError, JobEscrowErrorCode, PROGRAM_ERRORS } from '../errors.js';
import { toCsv } from '../history.js';
import { WITHDRAW_ALL, getInitializeConfigInstruction, type UpdateConfigArgs } from '../instructions/index.js';
import { formatUnits } from '../core/pricing.js';
import { isoTime as when } from '../core/time.js';
import { keepServingOnStrayErrors } from '../http/process.js';
import { createTopUpUrl } from '../pay/index.js';
import { createTopUpServer } from '../server/topUpServer.js';
import { writeTopUpQr } from '../server/writeTopUpQr.js';

export interface CliIo {
  /** Use this provider instead of resolving --url and --keypair (tests). */
  provider?: Provider;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** serve-pay hands its server here (tests close it). */
  onServer?: (server: Server) => void;
  /** Environment (default process.env): JOB_ESCROW_PROGRAM_ID. */
  env?: Record<string, string | undefined>;
}

const GLOBAL_OPTIONS = `global options:
  -u, --url <url|localhost|devnet|testnet|mainnet-beta>   RPC (default: Solana CLI config, else localhost)
  --ws-url <url>                                          RPC subscriptions (default: the RPC URL's host, port + 1)
  -k, --keypair <path>                                    signer (default: Solana CLI config, else ~/.config/solana/id.json)
  --program-id <pk>                                       the program (default: $JOB_ESCROW_PROGRAM_ID, else the built-in id)
  --priority-fee <micro-lamports per CU>
  -h, --help                                              this help, or a command's: job-escrow <command> --help
  -V, --version`;

const OPTIONS = {
  url: { type: 'string', short: 'u' },
  'ws-url': { type: 'string' },
  keypair: { type: 'string', short: 'k' },
  'program-id': { type: 'string' },
  'priority-fee': { type: 'string' },
  mint: { type: 'string' },
  treasury: { type: 'string' },
  operator: { type: 'string' },
  'job-timeout-secs': { type: 'string' },
  owner: { type: 'string' },
  credits: { type: 'string' },
  qr: { type: 'string' },
  svg: { type: 'string' },
  label: { type: 'string' },
  memo: { type: 'string' },
  'job-id': { type: 'string' },
  'job-slots': { type: 'string' },
  'batch-wait-ms': { type: 'string' },
  'lookup-tables': { type: 'boolean' },
  tier: { type: 'string' },
  'max-tokens': { type: 'string' },
  tokens: { type: 'string' },
  worker: { type: 'string' },
  'share-bps': { type: 'string' },
  csv: { type: 'string' },
  json: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  'public-url': { type: 'string' },
  'expires-in': { type: 'string' },
  pause: { type: 'boolean' },
  unpause: { type: 'boolean' },
  'min-purchase': { type: 'string' },
  'share-bps-min': { type: 'string' },
  'share-bps-max': { type: 'string' },
  'max-output-tokens': { type: 'string' },
  'tier-price': { type: 'string', multiple: true },
  'new-admin': { type: 'string' },
  all: { type: 'boolean' },
  'max-per-job': { type: 'string' },
  db: { type: 'string' },
  'rate-limit': { type: 'string' },
  'webhook-url': { type: 'string' },
  'webhook-secret': { type: 'string' },
  'api-key': { type: 'string' },
  'low-threshold': { type: 'string' },
  daily: { type: 'string' },
  payers: { type: 'string' },
  'max-credits': { type: 'string' },
  chain: { type: 'string' },
  'payer-sol': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** A user mistake: printed as one sentence, exit code 2. */
class UsageError extends Error {}

const MONIKERS: Record<string, string> = {
  localhost: 'http://127.0.0.1:8899',
  devnet: 'https://api.devnet.solana.com',
  testnet: 'https://api.testnet.solana.com',
  'mainnet-beta': 'https://api.mainnet-beta.solana.com',
};

/** json_rpc_url and keypair_path from the Solana CLI's config.yml, when present. */
function solanaCliConfig(): { url?: string; keypair?: string } {
  const path = join(homedir(), '.config/solana/cli/config.yml');
  if (!existsSync(path)) return {};
  const text = readFileSync(path, 'utf8');
  const get = (key: string) => new RegExp(`^${key}:\\s*"?([^"\\n]+)"?`, 'm').exec(text)?.[1]?.trim();
  return { url: get('json_rpc_url'), keypair: get('keypair_path') };
}

/** The provider of --url and --keypair; commands that sign nothing run without a keypair file. */
function resolveProvider(v: Values, signs: boolean): Provider {
  const config = solanaCliConfig();
  const url = v.url ? (MONIKERS[v.url] ?? v.url) : (config.url ?? MONIKERS.localhost);
  const keypairPath = (v.keypair ?? config.keypair ?? join(homedir(), '.config/solana/id.json')).replace(/^~(?=\/)/, homedir());
  let signer: Keypair;
  if (existsSync(keypairPath)) signer = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(keypairPath, 'utf8')) as number[]));
  else if (signs) throw new UsageError(`no keypair at ${keypairPath} (use --keypair)`);
  else signer = Keypair.generate();
  return new AnchorProvider(new Connection(url, { commitment: 'confirmed', wsEndpoint: v['ws-url'] }), new Wallet(signer), { commitment: 'confirmed' });
}

function key(v: Values, name: keyof Values, fallback?: PublicKey): PublicKey {
  const raw = v[name];
  if (raw === undefined) {
    if (fallback) return fallback;
    throw new UsageError(`--${String(name)} is required`);
  }
  try {
    return new PublicKey(String(raw));
  } catch {
    throw new UsageError(`--${String(name)} is not a valid public key: ${raw}`);
  }
}

function whole(v: Values, name: keyof Values): bigint {
  const raw = v[name];
  if (raw === undefined) throw new UsageError(`--${String(name)} is required`);
  if (!/^\d+$/.test(String(raw))) throw new UsageError(`--${String(name)} must be a whole number, got ${raw}`);
  return BigInt(String(raw));
}

/** `--expires-in`: seconds, or a number with s, m, h or d. */
function duration(v: Values, name: keyof Values): number | undefined {
  const raw = v[name];
  if (raw === undefined) return undefined;
  const m = /^(\d+)([smhd]?)$/.exec(String(raw));
  if (!m) throw new UsageError(`--${String(name)} must be like 30d, 12h, 90m or 3600, got ${raw}`);
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}

function tier(v: Values): number {
  const raw = String(v.tier ?? '').toLowerCase();
  const byName: Record<string, number> = { lite: Tier.Lite, standard: Tier.Standard, pro: Tier.Pro, max: Tier.Max };
  if (raw in byName) return byName[raw];
  if (/^[0-3]$/.test(raw)) return Number(raw);
  throw new UsageError(`--tier must be lite, standard, pro or max, got ${v.tier ?? 'nothing'}`);
}

const TIER_NAMES = ['lite', 'standard', 'pro', 'max'] as const;

/** `--tier-price standard=8,4,500` (request credits, credits per 1k tokens, included tokens), applied over `current`. */
function tierPrices(v: Values, current: readonly { requestCredits: bigint; per1kCredits: bigint; includedTokens: number }[]) {
  const tiers = current.map((t) => ({ ...t }));
  for (const raw of v['tier-price'] ?? []) {
    const m = /^(lite|standard|pro|max|[0-3])=(\d+),(\d+),(\d+)$/i.exec(raw);
    if (!m) throw new UsageError(`--tier-price must be like standard=8,4,500 (request credits, credits per 1k tokens, included tokens), got ${raw}`);
    const index = /^\d$/.test(m[1]) ? Number(m[1]) : TIER_NAMES.indexOf(m[1].toLowerCase() as (typeof TIER_NAMES)[number]);
    tiers[index] = { requestCredits: BigInt(m[2]), per1kCredits: BigInt(m[3]), includedTokens: Number(m[4]) };
  }
  return tiers;
}

/** The package version (package.json next to dist/ or two levels above this source). */
function version(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) {
      const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@job-escrow/sdk') return pkg.version ?? 'unknown';
    }
  }
  return 'unknown';
}

interface Ctx {
  v: Values;
  /** Positional arguments after the command name. */
  args: string[];
  client: JobEscrowClient;
  wallet: PublicKey;
  out: (line: string) => void;
  err: (line: string) => void;
  io: CliIo;
}

interface Command {
  /** Options after the command name, as the help shows them. */
  usage: string;
  summary: string;
  /** Signs nothing and reads no wallet: runs without a keypair file. */
  readOnly?: boolean;
  run(ctx: Ctx): Promise<void>;
}

/** JSON for --json output: bigints as decimal strings, keys as base58. */
const jsonText = (value: unknown) => JSON.stringify(value, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof PublicKey ? x.toBase58() : x));

/** Every command: its help and what it does. */
const COMMANDS: Record<string, Command> = {
  'init-config': {
    usage: '--mint <pk> [--treasury <pk>] [--operator <pk>] [--job-timeout-secs n]',
    summary: 'create the Config (the wallet must be the upgrade authority); the treasury defaults to the wallet\'s ATA of the mint',
    async run({ v, client, wallet, out }) {
      const mint = key(v, 'mint');
      const treasury = key(v, 'treasury', getAssociatedTokenAddressSync(mint, wallet));
      const ixs = v.treasury ? [] : [createAssociatedTokenAccountIdempotentInstruction(wallet, treasury, wallet, mint)];
      ixs.push(
        getInitializeConfigInstruction(
          { admin: wallet, mint, treasury },
          { operator: key(v, 'operator', wallet), jobTimeoutSecs: v['job-timeout-secs'] ? Number(whole(v, 'job-timeout-secs')) : undefined },
          { programId: client.programId },
        ),
      );
      // Creating the treasury ATA costs about what opening a credit account's vault does.
      const units = COMPUTE_UNITS.initialize_config + (v.treasury ? 0 : COMPUTE_UNITS.open_credit_account);
      const signature = await client.send(ixs, units);
      out(`config initialized: mint ${mint.toBase58()}, treasury ${treasury.toBase58()} (${signature})`);
    },
  },
  'update-config': {
    usage: '[--pause|--unpause] [--operator <pk>] [--treasury <pk>] [--min-purchase n] [--job-timeout-secs n] [--share-bps-min n] [--share-bps-max n] [--max-output-tokens n] [--tier-price standard=8,4,500]...',
    summary: 'admin: change the config fields given, keep the rest (--tier-price: request credits, credits per 1k tokens, included tokens; repeatable)',
    async run({ v, client, out }) {
      if (v.pause && v.unpause) throw new UsageError('--pause and --unpause together');
      const args: UpdateConfigArgs = {};
      const changed: string[] = [];
      if (v.pause || v.unpause) (args.paused = Boolean(v.pause)), changed.push(v.pause ? 'paused' : 'unpaused');
      if (v.operator) (args.operator = key(v, 'operator')), changed.push(`operator ${v.operator}`);
      if (v.treasury) (args.treasury = key(v, 'treasury')), changed.push(`treasury ${v.treasury}`);
      if (v['min-purchase']) (args.minPurchaseCredits = whole(v, 'min-purchase')), changed.push(`minimum purchase ${v['min-purchase']} credits`);
      if (v['job-timeout-secs']) (args.jobTimeoutSecs = Number(whole(v, 'job-timeout-secs'))), changed.push(`job timeout ${v['job-timeout-secs']} s`);
      if (v['share-bps-min']) (args.providerShareBpsMin = Number(whole(v, 'share-bps-min'))), changed.push(`provider share ≥ ${v['share-bps-min']} bps`);
      if (v['share-bps-max']) (args.providerShareBpsMax = Number(whole(v, 'share-bps-max'))), changed.push(`provider share ≤ ${v['share-bps-max']} bps`);
      if (v['max-output-tokens']) (args.maxOutputTokensPerJob = Number(whole(v, 'max-output-tokens'))), changed.push(`max output tokens per job ${v['max-output-tokens']}`);
      if (v['tier-price']?.length) {
        args.tiers = tierPrices(v, (await client.config({ refresh: true })).tiers);
        changed.push(`tier prices ${args.tiers.map((t, i) => `${TIER_NAMES[i]}=${t.requestCredits},${t.per1kCredits},${t.includedTokens}`).join(' ')}`);
      }
      if (changed.length === 0) throw new UsageError('nothing to change (job-escrow update-config --help lists the fields)');
      const { signature } = await client.updateConfig(args);
      out(`config updated: ${changed.join(', ')} (${signature})`);
    },
  },
  'nominate-admin': {
    usage: '--new-admin <pk>',
    summary: 'admin: nominate the next admin, who takes over with accept-admin',
    async run({ v, client, out }) {
      const newAdmin = key(v, 'new-admin');
      const { signature } = await client.nominateAdmin({ newAdmin });
      out(`nominated ${newAdmin.toBase58()} as admin; they take over with accept-admin (${signature})`);
    },
  },
  'accept-admin': {
    usage: '',
    summary: 'the nominated admin (the wallet) takes over',
    async run({ client, wallet, out }) {
      const { signature } = await client.acceptAdmin();
      out(`${wallet.toBase58()} is now the admin (${signature})`);
    },
  },
  open: {
    usage: '[--owner <pk>] [--job-slots n]',
    summary: `open a credit account (the wallet pays the rent, and gets it back when the owner closes) with n job slots, the jobs it can have in flight at once (default 16, at most ${MAX_JOB_SLOTS})`,
    async run({ v, client, wallet, out }) {
      const jobSlots = v['job-slots'] === undefined ? undefined : Number(whole(v, 'job-slots'));
      if (jobSlots !== undefined && (jobSlots < 1 || jobSlots > MAX_JOB_SLOTS)) throw new UsageError(`--job-slots must be from 1 to ${MAX_JOB_SLOTS}, got ${v['job-slots']}`);
      const r = await client.openCreditAccount({ owner: key(v, 'owner', wallet), jobSlots });
      out(`credit account ${r.creditAccount.toBase58()}, vault ${r.vault.toBase58()} (${r.signature})`);
    },
  },
  'add-job-slots': {
    usage: '<count>',
    summary: `owner: give the wallet's credit account count more job slots (the wallet pays their rent, returned to it at close; at most ${MAX_JOB_SLOTS} in all)`,
    async run({ args, client, wallet, out }) {
      const [raw, ...extra] = args;
      if (raw === undefined) throw new UsageError('add-job-slots needs a count: job-escrow add-job-slots <count>');
      if (extra.length) throw new UsageError(`add-job-slots takes one count, got ${args.join(' ')}`);
      if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_JOB_SLOTS) throw new UsageError(`the count must be a whole number from 1 to ${MAX_JOB_SLOTS}, got ${raw}`);
      const r = await client.addJobSlots({ count: Number(raw) });
      const after = await client.creditAccount({ owner: wallet });
      out(`added ${raw} job slot(s)${after ? `: ${after.jobSlots.length} in all` : ''} (${r.signature})`);
    },
  },
  'topup-url': {
    usage: '--owner <pk> --credits <n> [--qr out.png] [--svg out.svg] [--label s] [--memo s]',
    summary: 'a Solana Pay URL (and QR code) that tops up the owner\'s credits',
    async run({ v, client, wallet, out }) {
      const request = createTopUpUrl(
        { owner: key(v, 'owner', wallet), credits: whole(v, 'credits'), label: v.label, memo: v.memo, message: `Top up ${v.credits} credits` },
        { config: await client.config(), programId: client.programId },
      );
      out(String(request.url));
      if (v.qr || v.svg) {
        await writeTopUpQr(request.url, { png: v.qr, svg: v.svg });
        for (const f of [v.qr, v.svg].filter(Boolean)) out(`QR code written to ${f}`);
      }
      out(`reference ${request.reference.toBase58()}`);
    },
  },
  purchase: {
    usage: '--credits <n>',
    summary: 'buy credits with the wallet\'s USDC (opens the credit account when missing)',
    async run({ v, client, out }) {
      const r = await client.purchase({ credits: whole(v, 'credits') });
      out(`bought ${v.credits} credits${r.opened ? ' (opened the credit account)' : ''} (${r.signature})`);
    },
  },
  lock: {
    usage: '--owner <pk> --job-id <n> --tier lite|standard|pro|max --max-tokens <n>',
    summary: 'operator: lock a job\'s price in escrow',
    async run({ v, client, out }) {
      const r = await client.lock({ owner: key(v, 'owner'), jobId: whole(v, 'job-id'), tier: tier(v), maxOutputTokens: Number(whole(v, 'max-tokens')) });
      out(r.alreadyLocked ? `job ${v['job-id']} was already locked: ${r.credits} credits` : `locked job ${v['job-id']}: ${r.credits} credits (${r.signature})`);
    },
  },
  settle: {
    usage: '--owner <pk> --job-id <n> --tokens <n> --worker <token account> [--share-bps <n>]',
    summary: 'operator: charge a finished job and pay the worker',
    async run({ v, client, out }) {
      const r = await client.settle({
        owner: key(v, 'owner'),
        jobId: whole(v, 'job-id'),
        outputTokens: Number(whole(v, 'tokens')),
        providerShareBps: v['share-bps'] ? Number(whole(v, 'share-bps')) : undefined,
        providerTokenAccount: key(v, 'worker'),
      });
      out(`settled job ${v['job-id']} (${r.signature})`);
    },
  },
  refund: {
    usage: '--owner <pk> --job-id <n>',
    summary: 'return a job\'s locked credits (the operator any time; anyone once expired)',
    async run({ v, client, out }) {
      const r = await client.refund({ owner: key(v, 'owner'), jobId: whole(v, 'job-id') });
      out(`refunded job ${v['job-id']} (${r.signature})`);
    },
  },
  crank: {
    usage: '[--owner <pk>]',
    summary: 'refund every expired job once (refund_batch: jobs of many accounts per transaction)',
    async run({ v, client, out, err }) {
      const [open, now] = await Promise.all([client.openJobs({ owner: v.owner ? key(v, 'owner') : undefined }), client.clusterTime()]);
      const expired = open.filter(({ job }) => job.expiresAt <= now);
      if (!expired.length) {
        out('refunded 0 expired job(s) in 0 transaction(s)');
        return;
      }
      const { outcomes } = await client.refundMany(expired.map(({ owner, job }) => ({ owner, jobId: job.jobId })));
      const signatures = new Set<string>();
      let failed = 0;
      for (const o of outcomes) {
        if (o.status === 'done') signatures.add(o.signature);
        else if (o.status === 'rejected') {
          // Settled or refunded by someone else since the read: nothing left to do.
          if (o.code !== JobEscrowErrorCode.JobNotFound) failed++;
          err(`not refunded: job ${o.jobId} of ${o.creditAccount.toBase58()}: ${o.error}`);
        }
      }
      const done = outcomes.filter((o) => o.status === 'done').length;
      err(`refunded ${done}/${expired.length} expired job(s)…`);
      out(`refunded ${done} expired job(s) in ${signatures.size} transaction(s)`);
      if (failed) throw new Error(`${failed} refund(s) failed`);
    },
  },
  jobs: {
    usage: '[--owner <pk>] [--json]',
    summary: 'open jobs (of one owner, or everyone\'s), expired first',
    readOnly: true,
    async run({ v, client, out }) {
      const [jobs, now] = await Promise.all([client.openJobs({ owner: v.owner ? key(v, 'owner') : undefined }), client.clusterTime()]);
      jobs.sort((a, b) => (a.job.expiresAt < b.job.expiresAt ? -1 : a.job.expiresAt > b.job.expiresAt ? 1 : 0));
      if (v.json) {
        out(jsonText(jobs.map(({ owner, creditAccount, job }) => ({ owner, creditAccount, ...job, expired: job.expiresAt <= now }))));
        return;
      }
      const expired = jobs.filter(({ job }) => job.expiresAt <= now).length;
      out(`${jobs.length} open job(s), ${expired} expired`);
      for (const { owner, creditAccount, job } of jobs) {
        const due = job.expiresAt <= now ? `expired ${now - job.expiresAt} s ago` : `expires in ${job.expiresAt - now} s`;
        out(`owner ${owner.toBase58()}  job ${job.jobId}  ${TIER_NAMES[job.tier] ?? job.tier}  ${job.creditsLocked} credits  ${due} (${when(job.expiresAt)})  credit account ${creditAccount.toBase58()}`);
      }
    },
  },
  balance: {
    usage: '[--owner <pk>] [--json]',
    summary: 'available, withdrawable, promotional and locked credits',
    async run({ v, client, wallet, out }) {
      const b = await client.getBalance({ owner: key(v, 'owner', wallet) });
      if (v.json) {
        out(jsonText(b));
        return;
      }
      const promo = b.promo === 0n ? '' : `; ${b.promo} promotional${b.promoExpiresAt === null ? '' : ` (expire ${when(b.promoExpiresAt)})`}`;
      out(`available ${b.available} credits (${b.usdcValue} USDC), withdrawable ${b.withdrawable}${promo}; locked ${b.locked} in ${b.openJobs} job(s); fees owed ${formatUnits(b.feesAccrued)} USDC; vault ${formatUnits(b.vaultAmount)} USDC`);
    },
  },
  history: {
    usage: '[--owner <pk>] [--csv file]',
    summary: 'every purchase, deposit, job and withdrawal of an account, with the balance after each',
    async run({ v, client, wallet, out }) {
      const entries = await client.history({ owner: key(v, 'owner', wallet) });
      for (const e of entries) {
        out(`${e.blockTime === null ? '-' : when(e.blockTime)}  ${e.kind.padEnd(8)} ${e.jobId === undefined ? '' : `job ${e.jobId} `}${e.credits} credits  ${formatUnits(e.usdc)} USDC  → available ${e.availableAfter}`);
      }
      if (v.csv) {
        writeFileSync(v.csv, toCsv(entries));
        out(`CSV written to ${v.csv}`);
      }
    },
  },
  withdraw: {
    usage: '--credits <n>|all',
    summary: 'turn unspent credits back into USDC in the wallet',
    async run({ v, client, out }) {
      const credits = v.credits === 'all' ? WITHDRAW_ALL : whole(v, 'credits');
      const r = await client.withdraw({ credits });
      out(`withdrew ${v.credits === 'all' ? 'everything' : `${credits} credits`} (${r.signature})`);
    },
  },
  'set-spending-limit': {
    usage: '[--max-per-job n] [--daily n]',
    summary: 'cap what jobs may take from the wallet\'s account, per job and per 24 hours (0 or omitted: no cap)',
    async run({ v, client, out }) {
      const maxCreditsPerJob = v['max-per-job'] ? whole(v, 'max-per-job') : 0n;
      const dailyLimitCredits = v.daily ? whole(v, 'daily') : 0n;
      const r = await client.setSpendingLimit({ maxCreditsPerJob, dailyLimitCredits });
      const cap = (n: bigint, what: string) => (n === 0n ? `no cap ${what}` : `${n} credits ${what}`);
      out(`spending limit: ${cap(maxCreditsPerJob, 'per job')}, ${cap(dailyLimitCredits, 'per day')} (${r.signature})`);
    },
  },
  'collect-fees': {
    usage: '[--owner <pk> | --all]',
    summary: 'move accrued fees to the treasury: one account (default the wallet\'s) or every account that owes some',
    async run({ v, client, wallet, out }) {
      if (v.all && v.owner) throw new UsageError('--owner and --all together');
      if (!v.all) {
        const owner = key(v, 'owner', wallet);
        const fees = (await client.creditAccount({ owner }))?.feesAccrued ?? 0n;
        const r = await client.collectFees({ owner });
        out(`collected ${formatUnits(fees)} USDC of fees from ${owner.toBase58()} (${r.signature})`);
        return;
      }
      const owing = await client.accountsWithFees();
      let total = 0n;
      for (const { account } of owing) {
        await client.collectFees({ owner: account.owner });
        total += account.feesAccrued;
      }
      out(`collected ${formatUnits(total)} USDC of fees from ${owing.length} account(s)`);
    },
  },
  close: {
    usage: '',
    summary: 'close the wallet\'s empty credit account (unspent promotional credits are given up first); its rent payer gets back the rent it paid at opening, the wallet the rest (the rent of job slots it added)',
    async run({ client, wallet, out }) {
      const before = await client.creditAccount({ owner: wallet });
      const r = await client.closeCreditAccount();
      const payer = before?.rentPayer;
      out(
        !payer || payer.equals(wallet)
          ? `closed the credit account ${r.creditAccount.toBase58()}; rent returned to the wallet, its rent payer (${r.signature})`
          : `closed the credit account ${r.creditAccount.toBase58()}; ${before!.rentPaid} lamports of rent returned to its rent payer ${payer.toBase58()}, the rest to the wallet (${r.signature})`,
      );
    },
  },
  grant: {
    usage: '--owner <pk> --credits <n> [--expires-in 30d|12h|90m|3600]',
    summary: 'operator: give promotional credits (the wallet pays their USDC)',
    async run({ v, client, out }) {
      const r = await client.grantCredits({ owner: key(v, 'owner'), credits: whole(v, 'credits'), expiresIn: duration(v, 'expires-in') });
      const until = r.expiresAt === 0n ? 'never expiring' : `expiring ${when(r.expiresAt)}`;
      out(`granted ${v.credits} promotional credits, ${until} (${r.signature})`);
    },
  },
  'expire-promo': {
    usage: '[--owner <pk>]',
    summary: 'return expired promotional credits to the treasury (the owner: give them up now)',
    async run({ v, client, wallet, out }) {
      const owner = key(v, 'owner', wallet);
      const before = await client.getBalance({ owner });
      const r = await client.expirePromo({ owner });
      const after = await client.getBalance({ owner });
      out(`returned ${before.promo - after.promo} promotional credits to the treasury (${r.signature})`);
    },
  },
  operator: {
    usage:
      '[--db job-escrow-operator.sqlite | postgres://user:pw@host/db] [--port 8090] [--host 127.0.0.1] [--webhook-url https://… --webhook-secret s] [--api-key k] [--rate-limit 20] [--low-threshold 100] [--payers 4 [--payer-sol 0.2]] [--batch-wait-ms 100] [--lookup-tables]',
    summary:
      'run the operator service until stopped: refunds expired jobs, indexes accounts (streamed from the RPC websocket, backfilled on every reconnect) into SQLite or, with --db postgres://…, into Postgres shared by several operator processes (each serves the API; the crank, the indexer and the webhook sender run in one at a time, under leases), serves /v1/account/<wallet>, /healthz and /metrics, sends signed webhooks (secrets also from JOB_ESCROW_WEBHOOK_SECRET, JOB_ESCROW_API_KEY, and --db from JOB_ESCROW_DB, so a Postgres password stays out of the process list); --rate-limit N: API requests per client address per second; --payers N: refund fees paid by N keys derived from the keypair, kept at --payer-sol SOL; --batch-wait-ms: how long a batched lock or settle waits for others (0: sent at once); --lookup-tables: batches go out as v0 transactions over the keypair\'s lookup tables (about 30 jobs each instead of 12; their rent comes back when idle tables are closed)',
    async run({ v, client, out, err, io }) {
      const env = io.env ?? process.env;
      const secret = v['webhook-secret'] ?? env.JOB_ESCROW_WEBHOOK_SECRET;
      if (v['webhook-url'] && !secret) throw new UsageError('--webhook-url needs --webhook-secret (or JOB_ESCROW_WEBHOOK_SECRET)');
      let operator: typeof import('../operator/index.js');
      try {
        operator = await import('../operator/index.js');
      } catch (e) {
        throw new Error(`the operator needs prom-client and its store's driver installed (npm install prom-client better-sqlite3, or pg for Postgres): ${(e as Error).message}`);
      }
      const payerSol = v['payer-sol'] === undefined ? undefined : Number(v['payer-sol']);
      if (payerSol !== undefined && !(payerSol > 0 && payerSol <= 100)) throw new UsageError(`--payer-sol must be a number of SOL above 0 and at most 100, got ${v['payer-sol']}`);
      const payerCount = v.payers === undefined ? 0 : Number(whole(v, 'payers'));
      if (payerCount > 64) throw new UsageError(`--payers must be at most 64, got ${v.payers}`);
      // A library promise that rejects with nobody listening (web3.js's
      // confirmation polling does, when the RPC fails) or a stray throw must
      // not end a service that retries everything anyway, from its first moment: log it and go on.
      const unguard = keepServingOnStrayErrors(err);
      const running = await operator.startOperator({
        client,
        payers: payerCount ? await PayerPool.derive(walletKeypair(client)!, payerCount) : undefined,
        payerSol,
        db: v.db ?? env.JOB_ESCROW_DB,
        wsUrl: v['ws-url'],
        port: v.port === undefined ? undefined : Number(whole(v, 'port')),
        host: v.host,
        apiKey: v['api-key'] ?? env.JOB_ESCROW_API_KEY,
        rateLimit: v['rate-limit'] === undefined ? undefined : Number(whole(v, 'rate-limit')),
        webhook: v['webhook-url'] ? { url: v['webhook-url'], secret: secret! } : undefined,
        lowThreshold: v['low-threshold'] ? whole(v, 'low-threshold') : undefined,
        batchWaitMs: v['batch-wait-ms'] === undefined ? undefined : Number(whole(v, 'batch-wait-ms')),
        lookupTables: v['lookup-tables'] ? await LookupTables.load(client.connection, walletKeypair(client)!) : undefined,
        log: err,
      });
      out(`operator running: API ${running.url}`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        io.onServer?.(running.server);
        running.server.once('close', stop);
      });
      await running.stop().catch(() => {});
      unguard();
      out('operator stopped');
    },
  },
  'serve-pay': {
    usage: '[--port 8080] [--host 127.0.0.1] [--public-url https://…] [--label s] [--max-credits 1000000] [--chain solana:mainnet]',
    summary: 'the Solana Pay transaction-request server and top-up page (links use --public-url, else the address it listens on)',
    readOnly: true,
    async run({ v, client, out, err, io }) {
      await client.config();
      if (v['public-url'] && !/^https?:\/\/[^/]+\/?$/.test(v['public-url'])) throw new UsageError(`--public-url must be an origin like https://pay.example.com, got ${v['public-url']}`);
      if (v.chain && !/^solana:(mainnet|devnet|testnet|localnet)$/.test(v.chain)) throw new UsageError(`--chain must be solana:mainnet, solana:devnet, solana:testnet or solana:localnet, got ${v.chain}`);
      const server = createTopUpServer({
        client,
        label: v.label,
        publicUrl: v['public-url']?.replace(/\/$/, ''),
        maxCredits: v['max-credits'] === undefined ? undefined : whole(v, 'max-credits'),
        chain: v.chain,
        log: err,
      });
      const port = Number(v.port ?? 8080);
      const host = v.host ?? '127.0.0.1';
      await new Promise<void>((resolve) => server.listen(port, host, resolve));
      const address = server.address();
      out(`top-up server on http://${host}:${typeof address === 'object' && address ? address.port : port}; page: /topup?owner=<wallet>`);
      if (!v['public-url']) out('note: without --public-url the Solana Pay links use this http address; wallets follow only https links (put it behind TLS and pass --public-url)');
      // Every request answers its own failures; anything thrown outside one is logged, and serving goes on.
      const unguard = keepServingOnStrayErrors(err);
      io.onServer?.(server);
      await new Promise<void>((resolve) => server.on('close', resolve));
      unguard();
    },
  },
};

const USAGE = `job-escrow <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${`${name} ${c.usage}`.trim()}\n      ${c.summary}`)
  .join('\n')}

${GLOBAL_OPTIONS}`;

const commandHelp = (name: string, c: Command) => `job-escrow ${`${name} ${c.usage}`.trim()}\n\n${c.summary}\n\n${GLOBAL_OPTIONS}`;

/** True for a failure to reach the RPC at all (not an RPC error answer). */
function unreachable(e: unknown): boolean {
  for (let x: unknown = e, depth = 0; x && depth < 5; x = (x as { cause?: unknown }).cause, depth++) {
    const text = `${(x as Error).message ?? ''} ${(x as { code?: string }).code ?? ''}`;
    if (/fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH/.test(text)) return true;
  }
  return false;
}

/** Runs one command; returns the process exit code (0 ok, 1 failed, 2 usage). */
export async function runCli(argv: string[], io: CliIo = {}): Promise<number> {
  const out = io.out ?? ((l: string) => console.log(l));
  const err = io.err ?? ((l: string) => console.error(l));
  let rpcUrl: string | undefined;
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const { values: v, positionals } = parsed;
    const name = positionals[0];
    if (v.version) {
      out(`job-escrow ${version()}`);
      return 0;
    }
    if (!name) {
      out(USAGE);
      return v.help ? 0 : 2;
    }
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!command) throw new UsageError(`unknown command ${name} (job-escrow --help lists them)`);
    if (v.help) {
      out(commandHelp(name, command));
      return 0;
    }
    const programIdText = v['program-id'] ?? (io.env ?? process.env).JOB_ESCROW_PROGRAM_ID;
    let programId: PublicKey | undefined;
    if (programIdText) {
      try {
        programId = new PublicKey(programIdText);
      } catch {
        throw new UsageError(`${v['program-id'] ? '--program-id' : 'JOB_ESCROW_PROGRAM_ID'} is not a valid public key: ${programIdText}`);
      }
    }
    const provider = io.provider ?? resolveProvider(v, !command.readOnly);
    rpcUrl = provider.connection.rpcEndpoint;
    const client = new JobEscrowClient(provider, { programId, priorityFeeMicroLamports: v['priority-fee'] ? Number(v['priority-fee']) : undefined });
    await command.run({ v, args: positionals.slice(1), client, wallet: client.wallet, out, err, io });
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`error: ${e.message}`);
      return 2;
    }
    if (e instanceof JobEscrowError) {
      const msg = PROGRAM_ERRORS.get(e.code)?.msg ?? e.message;
      err(`error: ${msg.charAt(0).toLowerCase()}${msg.slice(1)} (${e.name}, ${e.code})`);
      return 1;
    }
    if (rpcUrl && unreachable(e)) {
      err(`error: cannot reach ${rpcUrl}: is a validator running?`);
      return 1;
    }
    err(`error: ${(e as Error)?.message ?? String(e)}`);
    return 1;
  }
}
