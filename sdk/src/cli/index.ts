// The operator CLI: `job-escrow <command> [options]`. Each command is a
// module of commands/ that declares its options and positional arguments;
// here the command line is parsed strictly against the global options and
// that command's own (options.ts), the help is made from the declarations,
// the provider is resolved like the Solana CLI (--keypair / --url, else
// ~/.config/solana/cli/config.yml, else ~/.config/solana/id.json and
// localhost; a read-only command needs no keypair file), the program id comes
// from --program-id or JOB_ESCROW_PROGRAM_ID, and whatever a command throws
// becomes one line and an exit code. Tests run commands in-process on
// LiteSVM (io.provider) and as processes against a validator.
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Provider } from '@coral-xyz/anchor';
import { JobEscrowClient } from '../client.js';
import { JobEscrowError, PROGRAM_ERRORS } from '../errors.js';
import { COMMANDS } from './commands/index.js';
import {
  GLOBAL_OPTIONS,
  UsageError,
  commandHelp,
  globalOptionsHelp,
  parseCommandLine,
  parsePublicKey,
  parseWhole,
  parserTable,
  resolveProvider,
  usageLine,
  type Command,
  type Ctx,
  type GlobalOptions,
  type OptionSpec,
  type OptionSpecs,
  type Values,
} from './options.js';

export interface CliIo {
  /** Use this provider instead of resolving --url and --keypair (tests). */
  provider?: Provider;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** serve-pay and operator hand their server here (tests close it). */
  onServer?: (server: Server) => void;
  /** Environment (default process.env): JOB_ESCROW_PROGRAM_ID, and the operator's secrets and store. */
  env?: Record<string, string | undefined>;
}

const BY_NAME = new Map(COMMANDS.map((c) => [c.name, c]));

/** Commands of two words (`idl publish`, `idl fetch`) by their first word. */
const GROUPS = new Map<string, Command[]>();
for (const c of COMMANDS) {
  const [group, sub] = c.name.split(' ');
  if (sub !== undefined) GROUPS.set(group, [...(GROUPS.get(group) ?? []), c]);
}

/**
 * The command that the first positional arguments name: one word, or two
 * for a subcommand (`idl publish`). A group's word alone is a UsageError
 * naming its subcommands, or, with --help, their usage.
 */
function commandOf(positionals: readonly string[], help: boolean): Command | string {
  const [word, sub] = positionals;
  const group = GROUPS.get(word);
  if (!group) {
    const command = BY_NAME.get(word);
    if (!command) throw new UsageError(`unknown command ${word} (job-escrow --help lists them)`);
    return command;
  }
  const command = sub === undefined ? undefined : BY_NAME.get(`${word} ${sub}`);
  if (command) return command;
  if (help && sub === undefined) return `job-escrow ${word} <subcommand>\n\nsubcommands:\n${group.map((c) => `  ${usageLine(c)}\n      ${c.summary}`).join('\n')}`;
  const subs = group.map((c) => c.name).join(', ');
  throw new UsageError(sub === undefined ? `${word} needs a subcommand: ${subs} (job-escrow ${word} --help)` : `unknown command ${word} ${sub} (${word} has ${subs})`);
}

/**
 * Every option of every command, to find the command name before knowing the
 * command (an option's value is not a command). An option name means one
 * kind of option everywhere, and no command redeclares a global one.
 */
const EVERY_OPTION: OptionSpecs = (() => {
  const all: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS };
  for (const c of COMMANDS) {
    for (const [name, s] of Object.entries(c.options)) {
      const seen = all[name];
      if (Object.hasOwn(GLOBAL_OPTIONS, name)) throw new Error(`${c.name} redeclares the global option --${name}`);
      if (seen && (seen.type !== s.type || Boolean(seen.multiple) !== Boolean(s.multiple))) throw new Error(`${c.name} declares --${name} unlike another command`);
      all[name] = seen ?? s;
    }
  }
  return all;
})();

const usage = () => `job-escrow <command> [options]

commands:
${COMMANDS.map((c) => `  ${usageLine(c)}\n      ${c.summary}`).join('\n')}

${globalOptionsHelp()}`;

const withArticle = (noun: string) => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;

/** What parseArgs leaves to the declarations: the number of arguments, required options, either-or pairs. */
function checkUsage(c: Command, v: Record<string, unknown>, args: string[]): void {
  const declared = c.args ?? [];
  if (args.length > declared.length) {
    const takes = declared.length === 0 ? 'no arguments' : declared.length === 1 ? `one ${declared[0].name}` : declared.map((a) => `<${a.name}>`).join(' ');
    throw new UsageError(`${c.name} takes ${takes}, got ${args.join(' ')} (job-escrow ${c.name} --help)`);
  }
  declared.forEach((a, i) => {
    if (a.required && args[i] === undefined) throw new UsageError(`${c.name} needs ${withArticle(a.name)}: job-escrow ${usageLine(c)}`);
  });
  for (const [name, s] of Object.entries(c.options)) {
    if (s.required && v[name] === undefined) throw new UsageError(`--${name} is required`);
    if (s.alternativeTo && v[name] !== undefined && v[s.alternativeTo] !== undefined) throw new UsageError(`--${s.alternativeTo} and --${name} together`);
  }
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
  const env = io.env ?? process.env;
  let rpcUrl: string | undefined;
  try {
    // The command is the first positional argument, wherever the options are.
    const first = parseArgs({ args: argv, options: parserTable(EVERY_OPTION), allowPositionals: true, strict: false });
    if (first.values.version === true) {
      out(`job-escrow ${version()}`);
      return 0;
    }
    const name = first.positionals[0];
    if (name === undefined) {
      out(usage());
      return first.values.help === true ? 0 : 2;
    }
    const command = commandOf(first.positionals, first.values.help === true);
    if (typeof command === 'string') {
      out(command);
      return 0;
    }
    if (first.values.help === true) {
      out(commandHelp(command));
      return 0;
    }
    const { values, positionals } = parseCommandLine(argv, { ...GLOBAL_OPTIONS, ...command.options }, command.name);
    const args = positionals.slice(command.name.split(' ').length);
    checkUsage(command, values, args);
    const v = values as Values<GlobalOptions>;
    const programIdText = v['program-id'] ?? env.JOB_ESCROW_PROGRAM_ID;
    const programId = programIdText ? parsePublicKey(programIdText, v['program-id'] ? '--program-id' : 'JOB_ESCROW_PROGRAM_ID') : undefined;
    const priorityFee = v['priority-fee'] === undefined ? undefined : Number(parseWhole(v['priority-fee'], '--priority-fee'));
    const resolved = io.provider ? undefined : resolveProvider(v, { signs: !command.readOnly });
    const provider = io.provider ?? resolved!.provider;
    rpcUrl = provider.connection.rpcEndpoint;
    const client = new JobEscrowClient(provider, { programId, priorityFeeMicroLamports: priorityFee || undefined });
    const wallet = () => {
      if (resolved && !resolved.hasKeypair) {
        const address = command.args?.[0];
        throw new UsageError(`no keypair at ${resolved.keypairPath} (use --keypair${address ? `, or name the account: job-escrow ${command.name} <${address.name}>` : ''})`);
      }
      return client.wallet;
    };
    await command.run({ v: values as Ctx<OptionSpecs>['v'], args, client, wallet, out, err, env, onServer: io.onServer });
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
