// The CLI's shared layer: how a command declares its options and arguments
// (the parser's table, the usage line and the help are all made from these
// declarations), the global options every command takes, the provider of
// --url and --keypair (resolved like the Solana CLI), the strict parse of a
// command line, and one parser per kind of value. A user's mistake is a
// UsageError: one line, exit code 2.
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AnchorProvider, Wallet, type Provider } from '@coral-xyz/anchor';
import { Connection, Keypair, PublicKey } from '@solana/web3.js';
import type { JobEscrowClient } from '../client.js';
import { Tier } from '../constants.js';

/** A user mistake: printed as one sentence, exit code 2. */
export class UsageError extends Error {}

// ── Declarations ────────────────────────────────────────────────────────────

/** One option as a command declares it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** A string option given any number of times: its values in order. */
  readonly multiple?: boolean;
  readonly short?: string;
  /** What the value is, as the usage shows it: `--credits <n>`. */
  readonly placeholder?: string;
  /** One line for the command's help. */
  readonly help: string;
  /** The command does not run without it: `--credits is required`. */
  readonly required?: boolean;
  /** The value when the option is omitted (the parser fills it in; the help shows it). */
  readonly default?: string;
  /** The other option of an either-or pair: the usage shows `[--pause|--unpause]`, and both together are refused. */
  readonly alternativeTo?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** A positional argument after the command name. */
export interface ArgSpec {
  readonly name: string;
  readonly help: string;
  readonly required?: boolean;
}

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean' ? boolean : S extends { multiple: true } ? string[] : string;
/** The options that always have a value once parsed: the required ones (checked before a command runs) and those with a default. */
type Present<O extends OptionSpecs> = { [K in keyof O]: O[K] extends { required: true } | { default: string } ? K : never }[keyof O];
/** Parsed values, typed from the declarations: a command reads only options it declared. */
export type Values<O extends OptionSpecs> = { [K in Present<O>]: ValueOf<O[K]> } & { [K in Exclude<keyof O, Present<O>>]?: ValueOf<O[K]> };

/** The options every command takes. */
export const GLOBAL_OPTIONS = {
  url: { type: 'string', short: 'u', placeholder: 'url|localhost|devnet|testnet|mainnet-beta', help: 'RPC (default: Solana CLI config, else localhost)' },
  'ws-url': { type: 'string', placeholder: 'url', help: "RPC subscriptions (default: the RPC URL's host, port + 1)" },
  keypair: { type: 'string', short: 'k', placeholder: 'path', help: 'signer (default: Solana CLI config, else ~/.config/solana/id.json)' },
  'program-id': { type: 'string', placeholder: 'pk', help: 'the program (default: $JOB_ESCROW_PROGRAM_ID, else the built-in id)' },
  'priority-fee': { type: 'string', placeholder: 'micro-lamports per CU', help: 'the compute-unit price of every transaction sent (default: none)' },
  help: { type: 'boolean', short: 'h', help: "this help, or a command's: job-escrow <command> --help" },
  version: { type: 'boolean', short: 'V', help: 'the version' },
} as const satisfies OptionSpecs;

export type GlobalOptions = typeof GLOBAL_OPTIONS;

/** What a command's run gets. */
export interface Ctx<O extends OptionSpecs> {
  /** The global options and the command's own. */
  v: Values<GlobalOptions & O>;
  /** Positional arguments after the command name (as many as the command declares). */
  args: string[];
  client: JobEscrowClient;
  /**
   * The keypair's public key. A command that signs has it (it does not run
   * without the keypair file); a read-only command run without one gets the
   * no-keypair UsageError here, so call it only where the wallet is meant.
   */
  wallet(): PublicKey;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Environment (process.env unless the caller passed another). */
  env: Record<string, string | undefined>;
  /** A command that serves hands its server here (tests close it). */
  onServer?: (server: Server) => void;
}

/** One command: its help and what it runs. */
export interface Command<O extends OptionSpecs = OptionSpecs> {
  name: string;
  /** One line (or a few) for the help. */
  summary: string;
  /** Signs nothing: runs without a keypair file (unless it falls back to the wallet's account). */
  readOnly?: boolean;
  /** Positional arguments, in order. */
  args?: readonly ArgSpec[];
  options: O;
  run(ctx: Ctx<O>): Promise<void>;
}

/** A command whose run sees its options typed from its own declarations. */
export function defineCommand<const O extends OptionSpecs>(command: Command<O>): Command<O> {
  return command;
}

/** `<address>`: the account a read-only command reads. */
export const ADDRESS_ARG = { name: 'address', help: "the account's owner (default: the wallet's, which needs the keypair)" } as const satisfies ArgSpec;

/** `--owner`, the same as `<address>` for a read-only command. */
export const OWNER_ALIAS = { type: 'string', placeholder: 'pk', help: 'the same as <address>' } as const satisfies OptionSpec;

/** The account named by `<address>` or `--owner` (not both); undefined when neither is given. */
export function account(v: { owner?: string }, args: readonly string[]): PublicKey | undefined {
  const [address] = args;
  if (address !== undefined && v.owner !== undefined) throw new UsageError('give the account once: as <address> or as --owner');
  if (address !== undefined) return parsePublicKey(address, '<address>');
  return publicKey(v, 'owner');
}

// ── Help ────────────────────────────────────────────────────────────────────

const flag = (name: string, s: OptionSpec) => `--${name}${s.type === 'string' ? ` <${s.placeholder ?? 'value'}>` : ''}`;

/** The command's usage line, made from its declarations: `purchase --credits <n>`. */
export function usageLine(c: Command): string {
  const parts = [c.name, ...(c.args ?? []).map((a) => (a.required ? `<${a.name}>` : `[<${a.name}>]`))];
  const entries = Object.entries(c.options);
  for (const [name, s] of entries) {
    if (s.alternativeTo) continue; // shown with its pair
    const pair = entries.find(([, o]) => o.alternativeTo === name);
    if (pair) parts.push(`[${flag(name, s)}|${flag(pair[0], pair[1])}]`);
    else parts.push(`${s.required ? flag(name, s) : `[${flag(name, s)}]`}${s.multiple ? '...' : ''}`);
  }
  return parts.join(' ');
}

/** Rows of two columns, the second aligned. */
function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}   ${right}`.trimEnd()).join('\n');
}

function optionRows(options: OptionSpecs): [string, string][] {
  return Object.entries(options).map(([name, s]) => [
    `${s.short ? `-${s.short}, ` : ''}${flag(name, s)}`,
    `${s.help}${s.required ? ' (required)' : ''}${s.default !== undefined ? ` (default: ${s.default})` : ''}${s.multiple ? ' (repeatable)' : ''}`,
  ]);
}

export const globalOptionsHelp = () => `global options:\n${table(optionRows(GLOBAL_OPTIONS))}`;

/** `job-escrow <command> --help`. */
export function commandHelp(c: Command): string {
  const sections = [`job-escrow ${usageLine(c)}`, c.summary];
  if (c.readOnly) sections.push('read-only: signs nothing, so it runs without a keypair file');
  if (c.args?.length) sections.push(`arguments:\n${table(c.args.map((a) => [`<${a.name}>`, `${a.help}${a.required ? ' (required)' : ''}`]))}`);
  if (Object.keys(c.options).length) sections.push(`options:\n${table(optionRows(c.options))}`);
  sections.push(globalOptionsHelp());
  return sections.join('\n\n');
}

// ── Parsing a command line ──────────────────────────────────────────────────

/** node:util parseArgs's table of `specs`. */
export function parserTable(specs: OptionSpecs) {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string }> = {};
  // parseArgs validates every key present, so absent fields stay absent.
  for (const [name, s] of Object.entries(specs)) config[name] = { type: s.type, ...(s.short && { short: s.short }), ...(s.multiple && { multiple: true }), ...(s.default !== undefined && { default: s.default }) };
  return config;
}

/** A value that reads as a negative number: -5, -1.5, -.5 (not an option: no option name starts with a digit). */
const NUMBER_LIKE = /^-\.?\d/;

/** The long name of the string option `arg` names without an inline value (`--credits`, `-k`), if any. */
function stringOptionOf(arg: string, specs: OptionSpecs): string | undefined {
  const name = arg.startsWith('--') ? arg.slice(2) : /^-[A-Za-z]$/.test(arg) ? Object.keys(specs).find((n) => specs[n].short === arg[1]) : undefined;
  return name !== undefined && Object.hasOwn(specs, name) && specs[name].type === 'string' ? name : undefined;
}

/**
 * parseArgs reads `--credits -5` as an option without its value; here a
 * negative number after a string option is that option's value
 * (`--credits=-5`, which the value's parser then refuses with its rule), and
 * one anywhere else is a positional argument (moved after `--`).
 */
function negativeNumbersAsValues(argv: readonly string[], specs: OptionSpecs): string[] {
  const end = argv.indexOf('--');
  const head = end === -1 ? argv : argv.slice(0, end);
  const tail = end === -1 ? [] : argv.slice(end + 1);
  const args: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < head.length; i++) {
    const name = stringOptionOf(head[i], specs);
    if (name !== undefined && NUMBER_LIKE.test(head[i + 1] ?? '')) args.push(`--${name}=${head[++i]}`);
    else if (NUMBER_LIKE.test(head[i])) positionals.push(head[i]);
    else args.push(head[i]);
  }
  return positionals.length || end !== -1 ? [...args, '--', ...positionals, ...tail] : args;
}

/**
 * `argv` parsed strictly against `specs` (the global options and those of
 * `command`): values and positionals, or a UsageError of one line naming the
 * option at fault, such as
 * `purchase does not take --owner (job-escrow purchase --help lists its options)`.
 */
export function parseCommandLine(argv: readonly string[], specs: OptionSpecs, command: string): { values: Record<string, unknown>; positionals: string[] } {
  const args = negativeNumbersAsValues(argv, specs);
  const options = parserTable(specs);
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs words its errors over several lines; its non-strict tokens show which option is at fault.
    const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
    for (const t of tokens) {
      if (t.kind !== 'option') continue;
      const spec = Object.hasOwn(specs, t.name) ? specs[t.name] : undefined;
      if (!spec) throw new UsageError(`${command} does not take ${t.rawName} (job-escrow ${command} --help lists its options)`);
      if (spec.type === 'string' && (t.value === undefined || (!t.inlineValue && t.value.startsWith('-')))) throw new UsageError(`--${t.name} needs a value`);
      if (spec.type === 'boolean' && t.value !== undefined) throw new UsageError(`--${t.name} takes no value`);
    }
    throw new UsageError(String((e as Error).message).split('\n')[0]);
  }
}

// ── The provider ────────────────────────────────────────────────────────────

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

export interface ResolvedProvider {
  provider: Provider;
  /** Where the keypair was looked for. */
  keypairPath: string;
  /** False when there is no keypair file (a read-only command): the provider's wallet is a throwaway key. */
  hasKeypair: boolean;
}

/** `path` with a leading `~/` taken as the home directory, as the Solana CLI does. */
export function expandHome(path: string): string {
  return path.replace(/^~(?=\/)/, homedir());
}

/** The keypair in a Solana CLI keypair file (a JSON array of 64 bytes). @throws when it cannot be read or parsed. */
export function readKeypairFile(path: string): Keypair {
  return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(path, 'utf8')) as number[]));
}

/**
 * The provider of --url and --keypair, else the Solana CLI's config, else
 * localhost and ~/.config/solana/id.json.
 * @throws UsageError when `signs` and there is no keypair file.
 */
export function resolveProvider(v: { url?: string; keypair?: string; 'ws-url'?: string }, { signs }: { signs: boolean }): ResolvedProvider {
  const config = solanaCliConfig();
  const url = v.url ? (MONIKERS[v.url] ?? v.url) : (config.url ?? MONIKERS.localhost);
  const keypairPath = expandHome(v.keypair ?? config.keypair ?? join(homedir(), '.config/solana/id.json'));
  const hasKeypair = existsSync(keypairPath);
  if (!hasKeypair && signs) throw new UsageError(`no keypair at ${keypairPath} (use --keypair)`);
  const signer = hasKeypair ? readKeypairFile(keypairPath) : Keypair.generate();
  const provider = new AnchorProvider(new Connection(url, { commitment: 'confirmed', wsEndpoint: v['ws-url'] }), new Wallet(signer), { commitment: 'confirmed' });
  return { provider, keypairPath, hasKeypair };
}

// ── Values ──────────────────────────────────────────────────────────────────
// Each parser takes the parsed values and an option's name, returns undefined
// for an omitted option (a required one is checked before the command runs,
// and then the type says so), and refuses a bad value in one line naming the
// option and its rule.

/** What a parser returns for option `K`: undefined is possible only when the option may be omitted. */
type Maybe<V, K extends keyof V> = undefined extends V[K] ? undefined : never;

export function parsePublicKey(raw: string, label: string): PublicKey {
  try {
    return new PublicKey(raw);
  } catch {
    throw new UsageError(`${label} is not a valid public key: ${raw}`);
  }
}

/** A base58 public key. */
export function publicKey<V, K extends keyof V & string>(v: V, name: K): PublicKey | Maybe<V, K> {
  const raw = v[name];
  return (raw === undefined ? undefined : parsePublicKey(String(raw), `--${name}`)) as PublicKey | Maybe<V, K>;
}

/** Bounds of a whole number, stated in its error message. */
export interface WholeRule {
  min?: number | bigint;
  max?: number | bigint;
}

/** `raw` as a whole number within `rule`, else `<label> must be a whole number[ from a to b], got <raw>`. */
export function parseWhole(raw: string, label: string, rule: WholeRule = {}): bigint {
  const { min, max } = rule;
  const n = /^\d+$/.test(raw) ? BigInt(raw) : undefined;
  if (n === undefined || (min !== undefined && n < BigInt(min)) || (max !== undefined && n > BigInt(max))) {
    const bounds = min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` of at least ${min}` : max !== undefined ? ` of at most ${max}` : '';
    throw new UsageError(`${label} must be a whole number${bounds}, got ${raw}`);
  }
  return n;
}

/** A whole number (credits, job ids, amounts): a bigint. */
export function whole<V, K extends keyof V & string>(v: V, name: K, rule?: WholeRule): bigint | Maybe<V, K> {
  const raw = v[name];
  return (raw === undefined ? undefined : parseWhole(String(raw), `--${name}`, rule)) as bigint | Maybe<V, K>;
}

/** A whole number that fits a JavaScript number (counts, seconds, ports). */
export function wholeNumber<V, K extends keyof V & string>(v: V, name: K, rule?: WholeRule): number | Maybe<V, K> {
  const n = whole(v, name, rule);
  return (n === undefined ? undefined : Number(n)) as number | Maybe<V, K>;
}

/** `--expires-in`: seconds, or a number with s, m, h or d. */
export function duration<V, K extends keyof V & string>(v: V, name: K): number | Maybe<V, K> {
  const raw = v[name];
  if (raw === undefined) return undefined as Maybe<V, K>;
  const m = /^(\d+)([smhd]?)$/.exec(String(raw));
  if (!m) throw new UsageError(`--${name} must be like 30d, 12h, 90m or 3600, got ${raw}`);
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}

export const TIER_NAMES = ['lite', 'standard', 'pro', 'max'] as const;

/** A tier by name or number. */
export function tier<V, K extends keyof V & string>(v: V, name: K): number | Maybe<V, K> {
  const raw = v[name];
  if (raw === undefined) return undefined as Maybe<V, K>;
  const text = String(raw).toLowerCase();
  const byName: Record<string, number> = { lite: Tier.Lite, standard: Tier.Standard, pro: Tier.Pro, max: Tier.Max };
  if (Object.hasOwn(byName, text)) return byName[text];
  if (/^[0-3]$/.test(text)) return Number(text);
  throw new UsageError(`--${name} must be lite, standard, pro or max, got ${raw}`);
}

export interface TierPrice {
  requestCredits: bigint;
  per1kCredits: bigint;
  includedTokens: number;
}

/** `--tier-price standard=8,4,500` (request credits, credits per 1k tokens, included tokens), each applied over `current`. */
export function tierPrices<V, K extends keyof V & string>(v: V, name: K, current: readonly TierPrice[]): TierPrice[] {
  const tiers = current.map((t) => ({ ...t }));
  for (const raw of (v[name] as string[] | undefined) ?? []) {
    const m = /^(lite|standard|pro|max|[0-3])=(\d+),(\d+),(\d+)$/i.exec(raw);
    if (!m) throw new UsageError(`--${name} must be like standard=8,4,500 (request credits, credits per 1k tokens, included tokens), got ${raw}`);
    const index = /^\d$/.test(m[1]) ? Number(m[1]) : TIER_NAMES.indexOf(m[1].toLowerCase() as (typeof TIER_NAMES)[number]);
    tiers[index] = { requestCredits: BigInt(m[2]), per1kCredits: BigInt(m[3]), includedTokens: Number(m[4]) };
  }
  return tiers;
}

/** JSON for --json output: bigints as decimal strings, keys as base58. */
export const jsonText = (value: unknown) => JSON.stringify(value, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof PublicKey ? x.toBase58() : x));
