#!/usr/bin/env node
// Runs the code blocks of README.md, docs/*.md, tests/README.md and the packages' READMEs
// (sdk/README.md, sdk/kit/README.md) that a newcomer would copy, and fails
// when one is neither run nor marked.
//
// In scope: fenced blocks in ```sh / bash / shell / console and
// ```ts / typescript / js / javascript. Every one of them is RUN unless the
// line right before its fence is a skip marker; other languages (json, rust,
// text, unlabelled) are counted as out of scope. The one marker form:
//
//   <!-- doc-test: skip — <why this block cannot run here, specifically> -->
//   <!-- doc-test: skip `<text>` — <why> -->
//
// Put it on the line right above the opening fence. The first form skips
// the whole block. The second (shell blocks only) skips the block's commands
// that contain <text> and runs the rest; a block may carry several, one per
// line, all directly above its fence. A reason says specifically why the
// block cannot run here (at least 15 characters: "needs a running cluster
// and a funded keypair", "this is `npm test` itself"). A marker that skips
// nothing, stands above no block in scope, or has another form
// (`<!-- doc-test -->`, …) is an error, as is a block neither run nor marked.
//
// How a block runs:
// - TypeScript: the block's imports, then the GIVENS it uses without
//   declaring them (`provider`, `owner`, `operator`, `url`, `send`, …, each
//   made from one embedded LiteSVM world of the test kit, of the block's
//   flavour: Kit when it imports @solana/kit or @job-escrow/kit; a given
//   may add a check after the block), then the block's code inside an async
//   function. TS_PLACEHOLDERS replace a few literals (a facilitator URL, a
//   /var/lib path) with local equivalents. Bundled by esbuild with
//   `@job-escrow/sdk[/entry]` and `@job-escrow/kit[/entry]` resolved to this
//   checkout's sources (through each package's exports), run by
//   node; passes when it exits 0 within 2 minutes. A ReferenceError means
//   the block uses a name nothing gives: declare it in the block (what a
//   reader would have to do too), add a given, or mark the block.
// - Shell: a command line `npm run job-escrow -- <args>`, `npx job-escrow
//   <args>` or `job-escrow <args>` (after `NAME=value` prefixes, `\`
//   continuations joined, `# comments` dropped) runs in-process through the
//   CLI's entry `runCli(argv, { provider })` (scripts/doc-blocks-cli.ts)
//   against one embedded world per doc file, in document order (a job
//   locked earlier in a file is there for a later command), in a scratch
//   directory (target/doc-blocks/scratch: `--qr topup.png` lands there).
//   PLACEHOLDERS map the docs' `<wallet>`, `<mint>`, `https://…`, `…` to
//   values of that world. `--url` and `--keypair` are passed on as written
//   and have no effect (runCli ignores both when given a provider); the
//   command signs as SIGNERS says. A service (operator, serve-pay) gets
//   `--port 0` (and the operator a `--ws-url` nothing answers: the embedded
//   world has no websocket, so it indexes by polling), is asked its SERVICES
//   probe over HTTP, then stopped by closing its server. Each command must
//   exit 0 and print what EXPECT says (else something), or exit with the
//   code its comment promises (`# exits 1`) and print `error: …`; a file it names with
//   --qr/--svg/--csv must exist. A line in SAFE_SHELL (readelf of the built
//   program) runs as it is, with bash. Any other shell line (npm test, the
//   demo, cargo, solana, npm install, a loop) must be marked.
//
//   node scripts/run-doc-blocks.mjs [--check] [file.md ...]
// --check only classifies (no block runs). Prints one line per block, a
// per-file count, then a JSON summary line; exits 1 on any problem.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const checkOnly = argv.includes('--check');
const named = argv.filter((a) => a !== '--check');
const files = named.length
  ? named.map((f) => relative(root, resolve(process.cwd(), f)))
  : [
      'README.md',
      ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => join('docs', f)),
      // The packages' READMEs (what npm shows): sdk/README.md, sdk/kit/README.md, …
      'tests/README.md',
      'sdk/README.md',
      ...readdirSync(join(root, 'sdk'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join('sdk', d.name, 'README.md')).sort(),
    ].filter((f) => existsSync(join(root, f)));

const SHELL = new Set(['sh', 'bash', 'shell', 'console', 'zsh']);
const SCRIPT = new Set(['ts', 'typescript', 'js', 'javascript']);
const MARKER = /^<!-- doc-test: skip(?: `([^`]+)`)? — (.+?) -->$/;
const MIN_REASON = 15;

// ── Shell commands: the table of what the docs leave to the reader ─────────

/** Doc placeholders → values of the file's world ({{name}}: see scripts/doc-blocks-cli.ts). Longest first. */
const PLACEHOLDERS = [
  ['<wallet>', '{{user}}'], // a wallet with an open credit account, 1,000 credits bought, fees owed
  ['<address>', '{{user}}'],
  ['<owner>', '{{user}}'],
  ['<USDC mint>', '{{mint}}'],
  ['<mint>', '{{mint}}'],
  ['<squads vault>', '{{worker}}'], // a key nobody in the world signs for, as a multisig's vault (a PDA): takes the upgrade authority or an admin nomination
  ['https://platform.example/hooks/job-escrow', '{{sink}}/hooks/job-escrow'], // a local server that takes webhooks
  ['https://…', '{{sink}}'],
  ['/var/lib/job-escrow/', '{{scratch}}/'], // relative paths already land in the scratch directory (the commands' cwd)
];
/** A whole argument or variable value `…` (a secret the reader chooses). */
const SECRET = 'doc-test-secret';
/** Who signs (the provider's wallet); any other command signs as the config's operator. */
const SIGNERS = {
  admin: ['init-config', 'update-config', 'nominate-admin', 'set-upgrade-authority'], // the admin is also the world's upgrade authority
  user: ['purchase', 'withdraw', 'add-job-slots', 'set-spending-limit', 'close', 'expire-promo', 'accept-admin'],
};
/** Services: asked once over HTTP, then stopped. */
const SERVICES = {
  operator: { probe: '/healthz', set: { port: '0', host: '127.0.0.1', 'ws-url': '{{nows}}' } },
  'serve-pay': { probe: '/api/pay?credits=100', set: { port: '0', host: '127.0.0.1' } },
};
/** What a command's output must match (a RegExp source); a command not here must print something. */
const EXPECT = {
  balance: '^(available \\d+ credits|\\{)',
  lock: '^(locked job \\d+|job \\d+ was already locked)',
  settle: '^settled job',
  refund: '^refunded job',
  crank: '^refunded \\d+ expired job',
  'topup-url': '^solana:',
  jobs: '^(\\d+ open job|\\[)',
  'add-job-slots': '^added \\d+ job slot',
  'update-config': '^config updated',
  'collect-fees': '^collected ',
  purchase: '^bought ',
  open: '^credit account ',
  'upgrade-authority': '^(\\w{32,44}|none: the program is immutable)$',
  'set-upgrade-authority': '^(would hand|handed) the upgrade authority of ',
};
/**
 * Other shell lines cheap and safe to run as they are (bash, in the checkout,
 * after the program is built): each must exit 0 and print what it says.
 */
const SAFE_SHELL = [
  { pattern: /^readelf -h target\/deploy\/job_escrow\.so \| grep Flags$/, expect: 'Flags:\\s+0x3\\b' }, // "0x3 for v3"
  { pattern: /^readelf -h target\/sbpf-v0\/job_escrow\.so \| grep Flags$/, expect: 'Flags:\\s+0x0\\b' },
];
/** Options whose value is a file the command writes (relative to the scratch directory). */
const WRITES = ['qr', 'svg', 'csv'];

// ── TypeScript blocks: what a block may use without declaring it ───────────

const WORLD_HELPERS = `import * as __doc from ${JSON.stringify(join(root, 'scripts/doc-blocks-world.ts'))};`;
/** Shared by both flavours. */
const COMMON_GIVENS = {
  // A webhook handler's inputs: the operator's signed request; answering 400 means the doc's check refused it.
  rawBody: { imports: [WORLD_HELPERS], code: "process.env.JOB_ESCROW_WEBHOOK_SECRET ??= 'doc-test-secret';\nconst __webhook = __doc.signedWebhook(process.env.JOB_ESCROW_WEBHOOK_SECRET);\nconst rawBody = __webhook.rawBody;" },
  req: { deps: ['rawBody'], code: 'const req = { headers: __webhook.headers };' },
  res: { code: 'const res = { status(code: number) { throw new Error(`the handler answered ${code}`); } };' },
  rpcUrl: { code: "const rpcUrl = 'http://127.0.0.1:9'; // read only to answer a 402, which no block asks for" },
  runInference: { code: 'const runInference = async (_req: unknown, _job: unknown) => ({ outputTokens: 400 });' },
};
/** @job-escrow/sdk (web3.js, Anchor): one createTestWorld(). */
const ANCHOR_GIVENS = {
  ...COMMON_GIVENS,
  world: { imports: ["import { createTestWorld as __createTestWorld } from '@job-escrow/sdk/testing';"], code: 'const world = __createTestWorld();' },
  alice: { deps: ['world'], code: 'const alice = world.wallet({ usdc: 50_000_000n });' },
  bob: { deps: ['world'], code: 'const bob = world.wallet({ usdc: 50_000_000n });' },
  provider: { deps: ['world', 'alice'], code: 'const provider = world.provider(alice);' },
  owner: { deps: ['alice'], code: 'const owner = alice.publicKey;' },
  operator: { deps: ['world'], code: 'const operator = world.client(world.operator);' },
  operatorClient: { deps: ['world'], code: 'const operatorClient = world.client(world.operator);' },
  operatorKeypair: { deps: ['world'], code: 'const operatorKeypair = world.operator;' },
  connection: { deps: ['world'], code: 'const connection = world.provider(world.operator).connection;' },
  providerTokenAccount: { deps: ['world'], imports: ["import { Keypair as __Keypair } from '@solana/web3.js';"], code: 'const providerTokenAccount = world.createTokenAccount(__Keypair.generate().publicKey);' },
  workerUsdc: { deps: ['world'], imports: ["import { Keypair as __Keypair } from '@solana/web3.js';"], code: 'const workerUsdc = world.createTokenAccount(__Keypair.generate().publicKey);' },
  // Jobs for the batch calls: three of alice's and bob's (their accounts opened and funded), two finish, one fails.
  requests: {
    deps: ['world', 'alice', 'bob'],
    code: [
      'for (const w of [alice, bob]) await world.client(w).purchase({ credits: 1_000 });',
      'const requests = [',
      '  { wallet: alice.publicKey, id: 1n, maxTokens: 2_000, outputTokens: 1_500 },',
      '  { wallet: bob.publicKey, id: 1n, maxTokens: 2_000, outputTokens: 800 },',
      '  { wallet: alice.publicKey, id: 2n, maxTokens: 1_000, outputTokens: 0 },',
      '];',
    ].join('\n'),
    after: [
      '{',
      '  const __balances = await Promise.all([alice, bob].map((w) => world.client(w).getBalance()));',
      "  if (__balances.some((b) => b.charged === 0n || b.locked !== 0n)) throw new Error(`jobs not settled or refunded: ${JSON.stringify(__balances, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);",
      '}',
    ].join('\n'),
  },
  finished: { deps: ['requests'], code: 'const finished = requests.slice(0, 2);' },
  failed: { deps: ['requests'], code: 'const failed = requests.slice(2);' },
};
/** @solana/kit: one createKitTestWorld(). */
const KIT_GIVENS = {
  ...COMMON_GIVENS,
  world: { imports: ["import { createKitTestWorld as __createKitTestWorld } from '@job-escrow/kit/testing';"], code: 'const world = await __createKitTestWorld();' },
  alice: { deps: ['world'], code: 'const alice = await world.wallet({ usdc: 50_000_000n });' },
  aliceUsdc: { deps: ['world', 'alice'], code: 'const aliceUsdc = await world.usdcAddress(alice.address);' },
  operator: { deps: ['world'], code: 'const operator = world.operator;' },
  mint: { deps: ['world'], code: 'const mint = world.mint;' },
  rpc: { deps: ['world'], code: 'const rpc = world.rpc;' },
  // An RPC URL: a local JSON-RPC endpoint serving the world's accounts (getAccountInfo, getMultipleAccounts).
  url: { deps: ['world'], imports: [WORLD_HELPERS], code: 'const url = await __doc.serveRpc(world.rpc);' },
  // "send: your Kit pipeline": the world's, fee payer alice.
  send: { deps: ['world', 'alice'], code: 'const send = (instructions: Parameters<typeof world.send>[0]) => world.send(instructions, alice);' },
  providerTokenAccount: {
    deps: ['world'],
    imports: ["import { generateKeyPairSigner as __generateKeyPairSigner } from '@solana/kit';"],
    code: 'const __worker = await __generateKeyPairSigner();\nconst providerTokenAccount = await world.usdcAddress(__worker.address);\nworld.writeTokenAccount(providerTokenAccount, __worker.address, 0n);',
  },
};
/** Literals in TypeScript blocks → local equivalents. */
const TS_PLACEHOLDERS = [
  ["'/var/lib/job-escrow/operator.sqlite'", "__doc.scratchPath('operator.sqlite')", [WORLD_HELPERS]],
  ["'https://facilitator.example'", 'await __doc.serveFacilitator(SOLANA_MAINNET_CAIP2)', [WORLD_HELPERS]],
];

// ── Reading the docs ────────────────────────────────────────────────────────

const problems = []; // { where, problem }
const blocks = [];
for (const file of files) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const markerAt = new Map(); // line index → parsed marker
  lines.forEach((line, i) => {
    if (!line.trim().startsWith('<!-- doc-test')) return;
    const m = MARKER.exec(line.trim());
    if (!m) problems.push({ where: `${file}:${i + 1}`, problem: `not a marker this runner knows: ${line.trim()} (blocks run unless marked "<!-- doc-test: skip — <reason> -->")` });
    else if (m[2].trim().length < MIN_REASON) problems.push({ where: `${file}:${i + 1}`, problem: `the reason "${m[2]}" says too little: say why this block cannot run here` });
    else markerAt.set(i, { line: i + 1, text: m[1], reason: m[2].trim(), used: false });
  });
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})\s*([\w+-]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, langRaw] = open;
    let end = i + 1;
    while (end < lines.length && !(lines[end].trim().startsWith(fence) && lines[end].trim().replace(/`+/, '') === '')) end++;
    const lang = langRaw.toLowerCase();
    const code = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
    const markers = [];
    for (let j = i - 1; markerAt.has(j); j--) markers.unshift(markerAt.get(j));
    const kind = SHELL.has(lang) ? 'shell' : SCRIPT.has(lang) ? 'script' : 'other';
    for (const m of markers) {
      m.used = true;
      if (kind === 'other') problems.push({ where: `${file}:${m.line}`, problem: `a marker before a \`\`\`${lang || '(unlabelled)'} block, which is out of scope` });
      if (m.text && kind !== 'shell') problems.push({ where: `${file}:${m.line}`, problem: 'a marker naming lines (`<text>`) applies to shell blocks only' });
    }
    blocks.push({ file, line: i + 2, lang: lang || '(none)', kind, code, markers });
    i = end;
  }
  for (const m of markerAt.values()) if (!m.used) problems.push({ where: `${file}:${m.line}`, problem: 'a marker that is not directly above a code fence' });
}

/** A shell block's commands: { line, text } with continuations joined and comments dropped. */
function shellCommands(block) {
  const out = [];
  let pending = null;
  block.code.forEach((raw, k) => {
    let text = raw;
    if (block.lang === 'console') {
      if (!pending && !/^\$ /.test(text)) return; // output
      if (!pending) text = text.slice(2);
    }
    const line = block.line + k;
    const joined = pending ? `${pending.text} ${text.trim()}` : text.trim();
    if (joined.endsWith('\\')) {
      pending = { line: pending?.line ?? line, text: joined.slice(0, -1).trim() };
      return;
    }
    const start = pending?.line ?? line;
    pending = null;
    const [stripped, comment] = splitComment(joined);
    if (stripped) out.push({ line: start, text: stripped, comment });
  });
  if (pending) {
    const [stripped, comment] = splitComment(pending.text);
    out.push({ line: pending.line, text: stripped, comment });
  }
  return out;
}

/** The line and its `# comment` (a # at the start or after a blank, outside quotes). */
function splitComment(text) {
  let quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) return [text.slice(0, i).trim(), text.slice(i + 1).trim()];
  }
  return [text.trim(), ''];
}

/** Words, with simple quoting. */
function words(text) {
  const out = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m; (m = re.exec(text)); ) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** A CLI command line → its plan entry, or null when it is not one. */
function cliPlan(file, cmd) {
  let text = cmd.text;
  for (const [from, to] of PLACEHOLDERS) text = text.split(from).join(to);
  const tokens = words(text);
  const env = {};
  while (tokens.length && /^[A-Z_][A-Z0-9_]*=/.test(tokens[0])) {
    const [name, ...value] = tokens.shift().split('=');
    env[name] = value.join('=') === '…' ? SECRET : value.join('=');
  }
  let args;
  if (tokens[0] === 'npm' && tokens[1] === 'run' && tokens[2] === 'job-escrow') args = tokens.slice(tokens[3] === '--' ? 4 : 3);
  else if (tokens[0] === 'npx' && tokens[1] === 'job-escrow') args = tokens.slice(2);
  else if (tokens[0] === 'job-escrow') args = tokens.slice(1);
  else return null;
  if (args.some((a) => /^[|&;<>]|[|&;]$/.test(a) || a.includes('$'))) return null; // a pipeline, a background job, a shell variable: not one command
  args = args.map((a) => (a === '…' ? SECRET : a));
  const name = args.find((a) => !a.startsWith('-'));
  const help = args.includes('--help') || args.includes('-h') || !name;
  const service = !help && SERVICES[name];
  if (service) {
    for (const [option, value] of Object.entries(service.set)) {
      const at = args.indexOf(`--${option}`);
      if (at !== -1) args[at + 1] = value;
      else if (option !== 'host') args.push(`--${option}`, value);
    }
  }
  const writes = [];
  WRITES.forEach((option) => {
    const at = args.indexOf(`--${option}`);
    if (at !== -1 && args[at + 1] && !args[at + 1].startsWith('-')) writes.push(args[at + 1]);
  });
  // A comment may promise another exit code: `# exits 1`, `# exit code 2`.
  const exitCode = /\bexit(?:s| code|s with code)? (\d+)\b/.exec(cmd.comment ?? '')?.[1];
  return {
    where: `${file}:${cmd.line}`,
    argv: args,
    env,
    ...(exitCode !== undefined ? { exitCode: Number(exitCode) } : {}),
    signer: SIGNERS.admin.includes(name) ? 'admin' : SIGNERS.user.includes(name) ? 'user' : 'operator',
    ...(exitCode !== undefined && exitCode !== '0' ? { expect: '^error: ' } : help ? { expect: '^job-escrow ' } : EXPECT[name] && !service ? { expect: EXPECT[name] } : {}),
    ...(service ? { probe: service.probe } : {}),
    ...(writes.length ? { writes } : {}),
  };
}

// ── Classifying ─────────────────────────────────────────────────────────────

const plans = new Map(); // file → planned CLI commands in document order
const scripts = []; // TypeScript blocks to run
for (const block of blocks) {
  block.where = `${block.file}:${block.line}`;
  if (block.kind === 'other') continue;
  const whole = block.markers.find((m) => !m.text);
  if (whole) {
    block.status = 'skipped';
    block.reason = whole.reason;
    continue;
  }
  if (block.kind === 'script') {
    block.status = 'run';
    scripts.push(block);
    continue;
  }
  block.commands = shellCommands(block).map((cmd) => {
    const marker = block.markers.find((m) => cmd.text.includes(m.text));
    if (marker) {
      marker.matched = true;
      return { ...cmd, status: 'skipped', reason: marker.reason };
    }
    const safe = SAFE_SHELL.find((c) => c.pattern.test(cmd.text));
    if (safe) return { ...cmd, status: 'run', plan: { where: `${block.file}:${cmd.line}`, shell: cmd.text, expect: safe.expect } };
    const plan = cliPlan(block.file, cmd);
    if (!plan) {
      problems.push({ where: `${block.file}:${cmd.line}`, problem: `neither run nor marked: \`${cmd.text}\` (not a job-escrow command: mark it <!-- doc-test: skip \`…\` — <reason> --> above the block)` });
      return { ...cmd, status: 'unmarked' };
    }
    if (!plans.has(block.file)) plans.set(block.file, []);
    plans.get(block.file).push(plan);
    return { ...cmd, status: 'run', plan };
  });
  for (const m of block.markers) if (m.text && !m.matched) problems.push({ where: `${block.file}:${m.line}`, problem: `the marker's \`${m.text}\` matches no command of the block below it` });
  block.status = block.commands.some((c) => c.status === 'run') ? 'run' : block.commands.every((c) => c.status === 'skipped') ? 'skipped' : 'unmarked';
  if (block.status === 'skipped') block.reason = [...new Set(block.commands.map((c) => c.reason))].join('; ');
}

// ── Running ─────────────────────────────────────────────────────────────────

const dir = join(root, 'target/doc-blocks');
const scratch = join(dir, 'scratch');
// This checkout's packages (sdk/package.json and sdk/<dir>/package.json): an
// import of `<name>[/<subpath>]` resolves through the package's `exports` to
// the dist file tsup writes, and from there to that entry's source in the
// package's tsup.config.ts. A subpath the package does not export fails the
// block, as it would fail a reader.
const PACKAGES = new Map();
for (const dir of ['sdk', ...readdirSync(join(root, 'sdk'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join('sdk', d.name))]) {
  const manifest = join(root, dir, 'package.json');
  const tsup = join(root, dir, 'tsup.config.ts');
  if (!existsSync(manifest) || !existsSync(tsup)) continue;
  const { name, exports = {} } = JSON.parse(readFileSync(manifest, 'utf8'));
  const entryTable = /entry:\s*\{([^}]*)\}/.exec(readFileSync(tsup, 'utf8'))?.[1] ?? '';
  const sources = Object.fromEntries([...entryTable.matchAll(/['"]?([\w-]+)['"]?\s*:\s*['"]([^'"]+)['"]/g)].map(([, entry, src]) => [entry, resolve(root, dir, src)]));
  PACKAGES.set(name, { exports, sources });
}
const sdkPlugin = {
  name: 'job-escrow-packages',
  setup(b) {
    b.onResolve({ filter: /^@job-escrow\/[\w-]+(\/.*)?$/ }, (args) => {
      const [, name, subpath = ''] = /^(@job-escrow\/[\w-]+)(\/.*)?$/.exec(args.path);
      const pkg = PACKAGES.get(name);
      if (!pkg) return { errors: [{ text: `no package ${name} in this checkout` }] };
      const target = pkg.exports[`.${subpath}`];
      const file = typeof target === 'string' ? target : (target?.import?.default ?? target?.default);
      if (!file) return { errors: [{ text: `${name} does not export .${subpath}` }] };
      const entry = /^\.\/dist\/(.+)\.js$/.exec(file)?.[1];
      const source = entry && pkg.sources[entry];
      if (!source) return { errors: [{ text: `${name}/.${subpath}: ${file} is no tsup entry of the package (${Object.keys(pkg.sources).join(', ')})` }] };
      return { path: source };
    });
  },
};
const bundle = (entry, outfile) =>
  build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [sdkPlugin],
    packages: 'external',
    logLevel: 'silent',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
const run = (file, args = []) =>
  promisify(execFile)('node', [file, ...args], { cwd: root, timeout: 120_000, maxBuffer: 1 << 24, env: { ...process.env, DOC_TEST_SCRATCH: scratch } });
const firstError = (err) => {
  const text = String(err.stderr?.toString() || err.message || err).trim().split('\n');
  return text.find((l) => /^\w*Error\b/.test(l)) ?? text.slice(-6).join('\n');
};

/** A TypeScript block as a program: its imports, the givens it uses, its code in an async function, the givens' checks. */
function program(block) {
  let code = block.code.join('\n');
  const extraImports = new Set();
  for (const [from, to, imports] of TS_PLACEHOLDERS) {
    if (!code.includes(from)) continue;
    code = code.split(from).join(to);
    imports.forEach((i) => extraImports.add(i));
  }
  const source = ts.createSourceFile('block.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const declared = new Set();
  const used = new Set();
  const importRanges = [];
  let kit = false;
  const declare = (name) => name && ts.isIdentifier(name) && declared.add(name.text);
  const visit = (node) => {
    if (ts.isImportDeclaration(node)) {
      importRanges.push([node.getStart(source), node.end]);
      if (/^(@solana\/kit|@job-escrow\/kit)(\/|$)/.test(node.moduleSpecifier.text)) kit = true;
    }
    if (ts.isVariableDeclaration(node) || ts.isBindingElement(node) || ts.isParameter(node) || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isEnumDeclaration(node) || ts.isImportSpecifier(node) || ts.isNamespaceImport(node) || ts.isImportClause(node)) declare(node.name);
    if (ts.isIdentifier(node)) {
      const p = node.parent;
      const isName =
        (ts.isPropertyAccessExpression(p) && p.name === node) ||
        (ts.isPropertyAssignment(p) && p.name === node) ||
        (ts.isBindingElement(p) && p.propertyName === node) ||
        ((ts.isMethodDeclaration(p) || ts.isPropertySignature(p) || ts.isMethodSignature(p) || ts.isPropertyDeclaration(p)) && p.name === node) ||
        (ts.isQualifiedName(p) && p.right === node);
      if (!isName) used.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const givens = kit ? KIT_GIVENS : ANCHOR_GIVENS;
  const needed = [];
  const need = (name) => {
    if (needed.includes(name)) return;
    for (const dep of givens[name].deps ?? []) need(dep);
    needed.push(name);
  };
  for (const name of used) if (!declared.has(name) && Object.hasOwn(givens, name)) need(name);
  let body = code;
  for (const [start, end] of [...importRanges].sort((a, b) => b[0] - a[0])) body = body.slice(0, start) + body.slice(end);
  for (const name of needed) (givens[name].imports ?? []).forEach((i) => extraImports.add(i));
  return {
    needed,
    text: [
      ...importRanges.map(([s, e]) => code.slice(s, e)),
      ...extraImports,
      'await (async () => {',
      ...needed.map((name) => givens[name].code),
      `// ── ${block.where}`,
      body,
      ...needed.filter((name) => givens[name].after).map((name) => givens[name].after),
      '})();',
      'process.exit(0);',
    ].join('\n'),
  };
}

async function runScript(block, n) {
  const { needed, text } = program(block);
  block.givens = needed;
  const source = join(dir, `block-${n}.ts`);
  const out = join(dir, `block-${n}.mjs`);
  writeFileSync(source, text);
  try {
    await bundle(source, out);
    await run(out);
    block.ok = true;
  } catch (err) {
    block.ok = false;
    block.error = `${firstError(err)} (program: ${relative(root, source)})`;
  }
}

async function runShell(plan) {
  try {
    const { stdout } = await promisify(execFile)('bash', ['-c', plan.shell], { cwd: root, timeout: 60_000 });
    plan.result = new RegExp(plan.expect).test(stdout) ? { ok: true, out: stdout.trim() } : { ok: false, error: `the output does not match /${plan.expect}/: ${JSON.stringify(stdout.slice(0, 300))}` };
  } catch (err) {
    plan.result = { ok: false, error: firstError(err) };
  }
}

async function runPlan(file, commands, n) {
  const planFile = join(dir, `cli-plan-${n}.json`);
  writeFileSync(planFile, JSON.stringify({ scratch: join(scratch, `cli-${n}`), commands }, null, 2));
  try {
    const { stdout } = await run(join(dir, 'doc-blocks-cli.mjs'), [planFile]);
    const results = stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    commands.forEach((c, i) => {
      c.result = results[i] ?? { ok: false, error: 'the driver stopped before this command' };
    });
  } catch (err) {
    for (const c of commands) c.result ??= { ok: false, error: firstError(err) };
  }
}

if (!checkOnly) {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  // The test kit finds the program next to its module, as the packed SDK ships it.
  copyFileSync(join(root, 'target/deploy/job_escrow.so'), join(dir, 'job_escrow.so'));
  if (plans.size) await bundle(join(root, 'scripts/doc-blocks-cli.ts'), join(dir, 'doc-blocks-cli.mjs'));
  const shells = blocks.flatMap((b) => b.commands ?? []).filter((c) => c.status === 'run' && c.plan.shell);
  const jobs = [
    ...scripts.map((b, n) => () => runScript(b, n)),
    ...[...plans].map(([file, commands], n) => () => runPlan(file, commands, n)),
    ...shells.map((c) => () => runShell(c.plan)),
  ];
  // Two at a time: each is one node process with one LiteSVM world.
  await Promise.all(
    [0, 1].map(async () => {
      for (let job; (job = jobs.shift()); ) await job();
    }),
  );
  for (const block of blocks) {
    if (block.kind === 'script' && block.status === 'run' && !block.ok) problems.push({ where: block.where, problem: `failed: ${block.error}` });
    for (const c of block.commands ?? []) if (c.status === 'run' && !c.plan.result.ok) problems.push({ where: c.plan.where, problem: `\`${c.text}\` failed: ${c.plan.result.error}` });
  }
}

// ── Report ──────────────────────────────────────────────────────────────────

const summary = { files: {}, blocks: 0, run: 0, skipped: 0, commandsRun: 0, commandsSkipped: 0, problems };
for (const file of files) {
  const mine = blocks.filter((b) => b.file === file && b.kind !== 'other');
  const f = {
    run: mine.filter((b) => b.status === 'run').length,
    skipped: mine.filter((b) => b.status === 'skipped').map((b) => ({ where: b.where, reason: b.reason })),
    unmarked: mine.filter((b) => b.status === 'unmarked').map((b) => b.where),
    commandsRun: mine.flatMap((b) => b.commands ?? []).filter((c) => c.status === 'run').length,
    commandsSkipped: mine.filter((b) => b.status !== 'skipped').flatMap((b) => b.commands ?? []).filter((c) => c.status === 'skipped').map((c) => ({ where: `${file}:${c.line}`, reason: c.reason })),
    outOfScope: blocks.filter((b) => b.file === file && b.kind === 'other').length,
  };
  summary.files[file] = f;
  summary.blocks += mine.length;
  summary.run += f.run;
  summary.skipped += f.skipped.length;
  summary.commandsRun += f.commandsRun;
  summary.commandsSkipped += f.commandsSkipped.length;
  console.log(`${file}: ${f.run} run, ${f.skipped.length} skipped${f.unmarked.length ? `, ${f.unmarked.length} UNMARKED` : ''}${f.outOfScope ? ` (${f.outOfScope} out of scope)` : ''}`);
  for (const b of mine) {
    const failedHere = problems.some((p) => p.where === b.where || (b.commands ?? []).some((c) => p.where === `${file}:${c.line}`));
    const state = b.status === 'skipped' ? 'skip' : b.status === 'unmarked' ? 'UNMARKED' : checkOnly ? 'found' : failedHere ? 'FAIL' : 'ok';
    const detail =
      b.status === 'skipped'
        ? ` — ${b.reason}`
        : b.commands
          ? `: ${b.commands.filter((c) => c.status === 'run').length} command(s) run${b.commands.some((c) => c.status === 'skipped') ? `, ${b.commands.filter((c) => c.status === 'skipped').length} skipped` : ''}`
          : b.givens?.length
            ? ` (given: ${b.givens.join(', ')})`
            : '';
    console.log(`  ${state.padEnd(8)} ${b.where} ${b.lang}${detail}`);
    if (b.status === 'skipped') continue;
    for (const c of b.commands ?? []) {
      if (c.status === 'skipped') console.log(`    skip   ${file}:${c.line} \`${c.text}\` — ${c.reason}`);
      else if (c.status === 'run') console.log(`    ${checkOnly ? 'found' : c.plan.result.ok ? 'ran  ' : 'FAIL '}  ${file}:${c.line} \`${c.text}\`${!checkOnly && c.plan.result.ok && c.plan.result.out ? ` → ${c.plan.result.out.split('\n')[0].slice(0, 80)}` : ''}`);
    }
  }
}
for (const p of problems) console.log(`PROBLEM ${p.where}: ${p.problem}`);
console.log(JSON.stringify(summary));
process.exit(problems.length ? 1 : 0);
