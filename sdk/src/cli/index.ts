// The operator CLI: `job-escrow <command> [options]`. Every command is a
// function of parsed options and a Provider, so tests run them in-process on
// LiteSVM; the bin resolves the keypair and RPC URL like the Solana CLI
// (--keypair / --url, else ~/.config/solana/cli/config.yml, else
// ~/.config/solana/id.json and localhost).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AnchorProvider, Wallet, type Provider } from '@coral-xyz/anchor';
import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from '@solana/spl-token';
import { Connection, Keypair, PublicKey } from '@solana/web3.js';
import type { Server } from 'node:http';
import { JobEscrowClient } from '../client.js';
import { COMPUTE_UNITS, Tier } from '../constants.js';
import { JobEscrowError, PROGRAM_ERRORS } from '../errors.js';
import { toCsv } from '../history.js';
import { WITHDRAW_ALL, getInitializeConfigInstruction } from '../instructions/index.js';
import { formatUnits } from '../core/pricing.js';
import { createTopUpUrl } from '../pay/index.js';
import { createTopUpServer, writeTopUpQr } from '../server/index.js';

export interface CliIo {
  /** Use this provider instead of resolving --url and --keypair (tests). */
  provider?: Provider;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** serve-pay hands its server here (tests close it). */
  onServer?: (server: Server) => void;
}

const USAGE = `job-escrow <command> [options]

commands:
  init-config --mint <pk> [--treasury <pk>] [--operator <pk>] [--job-timeout-secs n]   create the Config (the wallet must be the upgrade authority)
  open [--owner <pk>]                                            open a credit account (the wallet pays)
  topup-url --owner <pk> --credits <n> [--qr out.png] [--svg out.svg] [--label s] [--memo s]
  purchase --credits <n>                                         buy credits with the wallet's USDC
  lock --owner <pk> --job-id <n> --tier lite|standard|pro|max --max-tokens <n>
  settle --owner <pk> --job-id <n> --tokens <n> --worker <token account> [--share-bps <n>]
  refund --owner <pk> --job-id <n>
  crank [--owner <pk>]                                           refund every expired job
  balance [--owner <pk>] [--json]
  history [--owner <pk>] [--csv file]
  withdraw --credits <n>|all
  grant --owner <pk> --credits <n> [--expires-in 30d|12h|90m|3600]   give promotional credits (the wallet is the operator and pays)
  expire-promo [--owner <pk>]                                    return expired promo credits to the treasury (the owner: give them up)
  serve-pay [--port 8080] [--host 127.0.0.1] [--public-url https://…] [--label s]

global options:
  -u, --url <url|localhost|devnet|testnet|mainnet-beta>   RPC (default: Solana CLI config, else localhost)
  -k, --keypair <path>                                    signer (default: Solana CLI config, else ~/.config/solana/id.json)
  --priority-fee <micro-lamports per CU>`;

const OPTIONS = {
  url: { type: 'string', short: 'u' },
  keypair: { type: 'string', short: 'k' },
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
  help: { type: 'boolean', short: 'h' },
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

function resolveProvider(v: Values): Provider {
  const config = solanaCliConfig();
  const url = v.url ? (MONIKERS[v.url] ?? v.url) : (config.url ?? MONIKERS.localhost);
  const keypairPath = (v.keypair ?? config.keypair ?? join(homedir(), '.config/solana/id.json')).replace(/^~(?=\/)/, homedir());
  if (!existsSync(keypairPath)) throw new UsageError(`no keypair at ${keypairPath} (use --keypair)`);
  const secret = Uint8Array.from(JSON.parse(readFileSync(keypairPath, 'utf8')) as number[]);
  return new AnchorProvider(new Connection(url, 'confirmed'), new Wallet(Keypair.fromSecretKey(secret)), { commitment: 'confirmed' });
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

/** Runs one command; returns the process exit code (0 ok, 1 failed, 2 usage). */
export async function runCli(argv: string[], io: CliIo = {}): Promise<number> {
  const out = io.out ?? ((l: string) => console.log(l));
  const err = io.err ?? ((l: string) => console.error(l));
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const { values: v, positionals } = parsed;
    const command = positionals[0];
    if (!command || v.help) {
      out(USAGE);
      return command || v.help ? 0 : 2;
    }
    const provider = io.provider ?? resolveProvider(v);
    const client = new JobEscrowClient(provider, { priorityFeeMicroLamports: v['priority-fee'] ? Number(v['priority-fee']) : undefined });
    const wallet = client.wallet;
    switch (command) {
      case 'init-config': {
        const mint = key(v, 'mint');
        const treasury = key(v, 'treasury', getAssociatedTokenAddressSync(mint, wallet));
        const ixs = v.treasury ? [] : [createAssociatedTokenAccountIdempotentInstruction(wallet, treasury, wallet, mint)];
        ixs.push(
          getInitializeConfigInstruction(
            { admin: wallet, mint, treasury },
            { operator: key(v, 'operator', wallet), jobTimeoutSecs: v['job-timeout-secs'] ? Number(whole(v, 'job-timeout-secs')) : undefined },
          ),
        );
        // Creating the treasury ATA costs about what opening a credit account's vault does.
        const units = COMPUTE_UNITS.initialize_config + (v.treasury ? 0 : COMPUTE_UNITS.open_credit_account);
        const signature = await client.send(ixs, units);
        out(`config initialized: mint ${mint.toBase58()}, treasury ${treasury.toBase58()} (${signature})`);
        return 0;
      }
      case 'open': {
        const r = await client.openCreditAccount({ owner: key(v, 'owner', wallet) });
        out(`credit account ${r.creditAccount.toBase58()}, vault ${r.vault.toBase58()} (${r.signature})`);
        return 0;
      }
      case 'topup-url': {
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
        return 0;
      }
      case 'purchase': {
        const r = await client.purchase({ credits: whole(v, 'credits') });
        out(`bought ${v.credits} credits${r.opened ? ' (opened the credit account)' : ''} (${r.signature})`);
        return 0;
      }
      case 'lock': {
        const r = await client.lock({ owner: key(v, 'owner'), jobId: whole(v, 'job-id'), tier: tier(v), maxOutputTokens: Number(whole(v, 'max-tokens')) });
        out(r.alreadyLocked ? `job ${v['job-id']} was already locked: ${r.credits} credits` : `locked job ${v['job-id']}: ${r.credits} credits (${r.signature})`);
        return 0;
      }
      case 'settle': {
        const r = await client.settle({
          owner: key(v, 'owner'),
          jobId: whole(v, 'job-id'),
          outputTokens: Number(whole(v, 'tokens')),
          providerShareBps: v['share-bps'] ? Number(whole(v, 'share-bps')) : undefined,
          providerTokenAccount: key(v, 'worker'),
        });
        out(`settled job ${v['job-id']} (${r.signature})`);
        return 0;
      }
      case 'refund': {
        const r = await client.refund({ owner: key(v, 'owner'), jobId: whole(v, 'job-id') });
        out(`refunded job ${v['job-id']} (${r.signature})`);
        return 0;
      }
      case 'crank': {
        const r = await client.refundExpired({
          owner: v.owner ? key(v, 'owner') : undefined,
          onProgress: (done, total) => err(`refunded ${done}/${total} expired job(s)…`),
        });
        out(`refunded ${r.jobs.length} expired job(s) in ${r.signatures.length} transaction(s)`);
        return 0;
      }
      case 'balance': {
        const b = await client.getBalance({ owner: key(v, 'owner', wallet) });
        if (v.json) {
          out(JSON.stringify(b, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof PublicKey ? x.toBase58() : x)));
        } else {
          const promo = b.promo === 0n ? '' : `; ${b.promo} promotional${b.promoExpiresAt === null ? '' : ` (expire ${new Date(b.promoExpiresAt * 1000).toISOString()})`}`;
          out(`available ${b.available} credits (${b.usdcValue} USDC), withdrawable ${b.withdrawable}${promo}; locked ${b.locked} in ${b.openJobs} job(s); fees owed ${formatUnits(b.feesAccrued)} USDC; vault ${formatUnits(b.vaultAmount)} USDC`);
        }
        return 0;
      }
      case 'history': {
        const entries = await client.history({ owner: key(v, 'owner', wallet) });
        for (const e of entries) {
          out(`${e.blockTime === null ? '-' : new Date(e.blockTime * 1000).toISOString()}  ${e.kind.padEnd(8)} ${e.jobId === undefined ? '' : `job ${e.jobId} `}${e.credits} credits  ${formatUnits(e.usdc)} USDC  → available ${e.availableAfter}`);
        }
        if (v.csv) {
          writeFileSync(v.csv, toCsv(entries));
          out(`CSV written to ${v.csv}`);
        }
        return 0;
      }
      case 'withdraw': {
        const credits = v.credits === 'all' ? WITHDRAW_ALL : whole(v, 'credits');
        const r = await client.withdraw({ credits });
        out(`withdrew ${v.credits === 'all' ? 'everything' : `${credits} credits`} (${r.signature})`);
        return 0;
      }
      case 'grant': {
        const r = await client.grantCredits({ owner: key(v, 'owner'), credits: whole(v, 'credits'), expiresIn: duration(v, 'expires-in') });
        const when = r.expiresAt === 0n ? 'never expiring' : `expiring ${new Date(Number(r.expiresAt) * 1000).toISOString()}`;
        out(`granted ${v.credits} promotional credits, ${when} (${r.signature})`);
        return 0;
      }
      case 'expire-promo': {
        const owner = key(v, 'owner', wallet);
        const before = await client.getBalance({ owner });
        const r = await client.expirePromo({ owner });
        const after = await client.getBalance({ owner });
        out(`returned ${before.promo - after.promo} promotional credits to the treasury (${r.signature})`);
        return 0;
      }
      case 'serve-pay': {
        await client.config();
        const server = createTopUpServer({ client, label: v.label, publicUrl: v['public-url'] });
        const port = Number(v.port ?? 8080);
        const host = v.host ?? '127.0.0.1';
        await new Promise<void>((resolve) => server.listen(port, host, resolve));
        const address = server.address();
        out(`top-up server on http://${host}:${typeof address === 'object' && address ? address.port : port}; page: /topup?owner=<wallet>`);
        io.onServer?.(server);
        await new Promise<void>((resolve) => server.on('close', resolve));
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${command} (job-escrow --help lists them)`);
    }
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
    err(`error: ${(e as Error)?.message ?? String(e)}`);
    return 1;
  }
}
