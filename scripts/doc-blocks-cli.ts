// The CLI half of scripts/run-doc-blocks.mjs: runs one doc file's CLI
// commands, in document order, in-process (`runCli`, the `job-escrow` bin's
// entry) against one embedded LiteSVM world, and prints one JSON line per
// command. The runner bundles this file next to the program build (the test
// kit finds job_escrow.so there) and hands it a JSON plan:
//   node doc-blocks-cli.mjs plan.json
// A plan's argv and env values may name the world with {{…}}: {{user}} (a
// wallet with an open credit account, 1,000 credits bought, one job settled
// so fees are owed), {{operator}}, {{admin}}, {{mint}}, {{treasury}},
// {{worker}} (a USDC token account), {{scratch}} (the directory the commands
// run in: relative files such as topup.png land there), {{sink}} (a local
// HTTP server that accepts webhooks), {{nows}} (a websocket URL nothing
// answers). Each command signs as the plan's `signer`. A command that serves
// (operator, serve-pay) is asked `probe` over HTTP once it listens, then its
// server is closed and the command must return.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Keypair } from '@solana/web3.js';
import { runCli } from '../sdk/src/cli/index.js';
import { Tier } from '../sdk/src/constants.js';
import { createTestWorld } from '../sdk/src/testing/index.js';

export type Signer = 'user' | 'operator' | 'admin';

export interface PlannedCommand {
  /** file:line of the command in the doc. */
  where: string;
  /** The arguments after `job-escrow`, placeholders as {{name}}. */
  argv: string[];
  /** Variables the doc sets on the command line (NAME=value before the command). */
  env: Record<string, string>;
  signer: Signer;
  /** The exit code the doc promises (default 0). */
  exitCode?: number;
  /** What the output (stderr when the doc promises a failure) must match, a RegExp source. */
  expect?: string;
  /** A path the service answers 200 on (operator: /healthz; serve-pay: /api/pay?credits=100). */
  probe?: string;
  /** Files the command must have written (relative to {{scratch}}). */
  writes?: string[];
}

export interface Plan {
  scratch: string;
  commands: PlannedCommand[];
}

export interface CommandResult {
  where: string;
  ok: boolean;
  argv: string[];
  code: number;
  out: string;
  error?: string;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The world every command of one doc file runs against. */
async function makeWorld(scratch: string) {
  const world = createTestWorld();
  const user = world.wallet({ usdc: 50_000_000n });
  const worker = world.createTokenAccount(Keypair.generate().publicKey);
  await world.client(user).purchase({ credits: 1_000 });
  const operator = world.client(world.operator);
  await operator.lock({ owner: user.publicKey, jobId: 1n, tier: Tier.Standard, maxOutputTokens: 1_000 });
  await operator.settle({ owner: user.publicKey, jobId: 1n, outputTokens: 800, providerShareBps: 8_000, providerTokenAccount: worker });
  const hooks: string[] = [];
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hooks.push(req.url ?? '/');
      res.end('{}');
    });
  });
  const sinkUrl = await listen(sink);
  sink.unref();
  // A websocket URL nothing answers (a port just freed): the embedded world has no RPC websocket, so the operator indexes by polling.
  const freed = createServer();
  const nows = (await listen(freed)).replace(/^http/, 'ws');
  await new Promise((resolve) => freed.close(resolve));
  const values: Record<string, string> = {
    user: user.publicKey.toBase58(),
    operator: world.operator.publicKey.toBase58(),
    admin: world.admin.publicKey.toBase58(),
    mint: world.mint.toBase58(),
    treasury: world.treasury.toBase58(),
    worker: worker.toBase58(),
    scratch,
    sink: sinkUrl,
    nows,
  };
  const signers: Record<Signer, Keypair> = { user, operator: world.operator, admin: world.admin };
  return { world, values, signers };
}

const fill = (text: string, values: Record<string, string>) =>
  text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    if (!Object.hasOwn(values, name)) throw new Error(`the plan names {{${name}}}, which the world does not have`);
    return values[name];
  });

async function runOne(c: PlannedCommand, w: Awaited<ReturnType<typeof makeWorld>>): Promise<CommandResult> {
  const argv = c.argv.map((a) => fill(a, w.values));
  const env = { ...process.env, ...Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, fill(v, w.values)])) };
  const out: string[] = [];
  const err: string[] = [];
  let server: Server | undefined;
  let probed: Promise<string | undefined> = Promise.resolve(undefined);
  const provider = w.world.provider(w.signers[c.signer]);
  const running = runCli(argv, {
    provider,
    env,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    onServer: (s) => {
      server = s;
      // Ask the service once, then stop it the way a supervisor would: its server closes and the command returns.
      probed = (async () => {
        try {
          const { port } = s.address() as AddressInfo;
          const res = await fetch(`http://127.0.0.1:${port}${c.probe ?? '/'}`);
          const body = await res.text();
          return res.status === 200 ? undefined : `GET ${c.probe} answered ${res.status}: ${body.slice(0, 200)}`;
        } catch (e) {
          return `GET ${c.probe} failed: ${(e as Error).message}`;
        } finally {
          s.close();
          (s as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        }
      })();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    running,
    new Promise<number>((resolve) => {
      timer = setTimeout(() => resolve(-1), 60_000);
    }),
  ]);
  clearTimeout(timer);
  // A failure the doc promises is told on stderr: that is its output.
  const result: CommandResult = { where: c.where, ok: true, argv, code, out: (code === 0 ? out : err).join('\n') };
  const fail = (why: string) => {
    result.ok = false;
    result.error ??= why;
  };
  if (code === -1) fail(server ? 'the service did not stop within 60 s of its server closing' : 'no answer within 60 s');
  else if (code !== (c.exitCode ?? 0)) fail(`exit code ${code}, the doc expects ${c.exitCode ?? 0}: ${err.join(' | ') || out.join(' | ')}`);
  if (c.probe) {
    if (!server) fail(`the service never listened: ${err.join(' | ')}`);
    const probeError = await probed;
    if (probeError) fail(probeError);
  }
  if (c.expect && !new RegExp(c.expect).test(result.out)) fail(`the output does not match /${c.expect}/: ${JSON.stringify(result.out.slice(0, 300))}`);
  if (!c.expect && !c.probe && result.ok && !`${result.out}${err.join('')}`.trim()) fail('the command printed nothing');
  for (const file of c.writes ?? []) if (!existsSync(join(w.values.scratch, file))) fail(`it did not write ${file}`);
  return result;
}

async function main() {
  const plan = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Plan;
  mkdirSync(plan.scratch, { recursive: true });
  // Relative paths in the docs (topup.png, operator.sqlite) land in the scratch directory, never in the checkout.
  process.chdir(plan.scratch);
  const w = await makeWorld(plan.scratch);
  for (const c of plan.commands) console.log(JSON.stringify(await runOne(c, w)));
}

await main();
// Nothing else to wait for (a service left behind by a failed command must not hold the run).
process.exit(0);
