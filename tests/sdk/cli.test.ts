// Every CLI subcommand, in-process with a LiteSVM-backed provider.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keypair } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../sdk/src/cli/index.js';
import { fetchConfig } from '../../sdk/src/index.js';
import { LiteSVMProvider } from '../../sdk/src/litesvm/provider.js';
import { TestEnv } from '../shared/index.js';
import { decodeQrPng } from '../shared/qr.js';

async function cli(provider: LiteSVMProvider, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { provider, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('job-escrow CLI', () => {
  it('runs every subcommand against the program', async () => {
    const env = new TestEnv();
    const bank = env.bank;
    const admin = new LiteSVMProvider(bank, env.admin);
    const operator = admin.withWallet(env.operator);
    const userKp = env.wallet();
    const user = admin.withWallet(userKp);
    const owner = userKp.publicKey.toBase58();
    env.createTokenAccount(userKp.publicKey, 50_000_000n);
    const worker = env.createTokenAccount(Keypair.generate().publicKey);
    const dir = tmpdir();

    // init-config: the admin is the upgrade authority; the treasury defaults to the admin's ATA (created)
    let r = await cli(admin, 'init-config', '--mint', env.mint.toBase58(), '--operator', env.operator.publicKey.toBase58());
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toMatch(/^config initialized: mint /);
    expect((await fetchConfig(bank as never)).operator).toEqual(env.operator.publicKey);

    r = await cli(operator, 'open', '--owner', owner);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^credit account \w+, vault \w+/);

    const qr = join(dir, `cli-topup-${Date.now()}.png`);
    r = await cli(operator, 'topup-url', '--owner', owner, '--credits', '250', '--qr', qr);
    expect(r.code).toBe(0);
    const url = r.out.split('\n')[0];
    expect(url).toMatch(/^solana:\w+\?amount=2\.5&spl-token=/);
    expect(decodeQrPng(readFileSync(qr))).toBe(url);

    expect((await cli(user, 'purchase', '--credits', '500')).out).toMatch(/^bought 500 credits/);
    expect((await cli(operator, 'lock', '--owner', owner, '--job-id', '1', '--tier', 'standard', '--max-tokens', '1500')).out).toMatch(/^locked job 1: 12 credits/);
    expect((await cli(operator, 'lock', '--owner', owner, '--job-id', '1', '--tier', 'standard', '--max-tokens', '1500')).out).toBe('job 1 was already locked: 12 credits');
    expect((await cli(operator, 'lock', '--owner', owner, '--job-id', '2', '--tier', 'max', '--max-tokens', '500')).code).toBe(0);
    expect((await cli(operator, 'lock', '--owner', owner, '--job-id', '3', '--tier', 'lite', '--max-tokens', '500')).code).toBe(0);
    expect((await cli(operator, 'settle', '--owner', owner, '--job-id', '1', '--tokens', '1000', '--worker', worker.toBase58(), '--share-bps', '8000')).out).toMatch(/^settled job 1/);
    expect(env.tokenBalance(worker)).toBe(80_000n);
    expect((await cli(operator, 'refund', '--owner', owner, '--job-id', '2')).out).toMatch(/^refunded job 2/);
    env.warp(121);
    r = await cli(admin.withWallet(env.wallet()), 'crank');
    expect(r.out).toBe('refunded 1 expired job(s) in 1 transaction(s)');
    expect(r.err).toBe('refunded 1/1 expired job(s)…');

    r = await cli(user, 'balance', '--json');
    expect(JSON.parse(r.out)).toMatchObject({ available: '490', locked: '0', openJobs: 0, usdcValue: '4.9', feesAccrued: '20000' });
    expect((await cli(user, 'balance')).out).toBe('available 490 credits (4.9 USDC), withdrawable 490; locked 0 in 0 job(s); fees owed 0.02 USDC; vault 4.92 USDC');
    // Anyone reads an account by its address: as an argument or with --owner
    expect((await cli(operator, 'balance', owner)).out).toBe('available 490 credits (4.9 USDC), withdrawable 490; locked 0 in 0 job(s); fees owed 0.02 USDC; vault 4.92 USDC');
    expect(JSON.parse((await cli(operator, 'balance', '--owner', owner, '--json')).out)).toMatchObject({ available: '490' });
    expect(await cli(operator, 'balance', owner, '--owner', owner)).toMatchObject({ code: 2, err: 'error: give the account once: as <address> or as --owner' });
    expect(await cli(operator, 'balance', 'nope')).toMatchObject({ code: 2, err: 'error: <address> is not a valid public key: nope' });
    expect((await cli(operator, 'jobs', owner)).out).toBe('0 open job(s), 0 expired');

    // grant: the operator gives a 30-day welcome bonus from its own USDC; expire-promo before the expiry is refused for a stranger
    env.createTokenAccount(env.operator.publicKey, 10_000_000n);
    env.warp(1_000);
    r = await cli(operator, 'grant', '--owner', owner, '--credits', '100', '--expires-in', '30d');
    const expiresAt = env.now() + 30n * 86_400n;
    expect(r.out).toMatch(new RegExp(`^granted 100 promotional credits, expiring ${new Date(Number(expiresAt) * 1000).toISOString()} \\(`));
    expect((await cli(user, 'balance')).out).toBe(`available 590 credits (5.9 USDC), withdrawable 490; 100 promotional (expire ${new Date(Number(expiresAt) * 1000).toISOString()}); locked 0 in 0 job(s); fees owed 0.02 USDC; vault 5.92 USDC`);
    expect(await cli(admin.withWallet(env.wallet()), 'expire-promo', '--owner', owner)).toMatchObject({ code: 1, err: 'error: only the owner can expire promotional credits before they expire (PromoNotExpired, 6038)' });
    expect(await cli(operator, 'grant', '--owner', owner, '--credits', '5', '--expires-in', 'soon')).toMatchObject({ code: 2, err: 'error: --expires-in must be like 30d, 12h, 90m or 3600, got soon' });
    env.warp(30 * 86_400);
    expect((await cli(admin.withWallet(env.wallet()), 'expire-promo', '--owner', owner)).out).toMatch(/^returned 100 promotional credits to the treasury/);

    const csv = join(dir, `cli-history-${Date.now()}.csv`);
    r = await cli(user, 'history', '--csv', csv);
    const lines = r.out.split('\n');
    expect(lines.slice(0, -1).map((l) => l.split(/\s+/)[1])).toEqual(['open', 'purchase', 'lock', 'lock', 'lock', 'settle', 'refund', 'refund', 'grant', 'expire']);
    expect(lines.at(-1)).toBe(`CSV written to ${csv}`);
    expect((await cli(operator, 'history', owner)).out).toBe(lines.slice(0, -1).join('\n'));
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toBe('time,kind,id,job_id,credits,usdc,available_after,locked_after,signature');

    // A program error is one sentence and exit code 1
    r = await cli(user, 'withdraw', '--credits', '491');
    expect(r).toEqual({ code: 1, out: '', err: 'error: not enough available credits (InsufficientCredits, 6016)' });
    expect((await cli(user, 'withdraw', '--credits', 'all')).out).toMatch(/^withdrew everything/);

    // The upgrade authority (the loader's, not the Config admin): read by anyone, handed over by its holder with --yes
    const nextAuthority = Keypair.generate().publicKey.toBase58();
    expect((await cli(user, 'upgrade-authority')).out).toBe(env.admin.publicKey.toBase58());
    expect((await cli(user, 'set-upgrade-authority', '--new-authority', nextAuthority, '--yes')).code).toBe(1);
    expect((await cli(admin, 'set-upgrade-authority', '--new-authority', nextAuthority, '--yes')).out).toMatch(/^handed the upgrade authority of \w+ from \w+ to \w+ \(\w+\)$/);
    expect((await cli(user, 'upgrade-authority')).out).toBe(nextAuthority);

    // serve-pay answers a wallet's GET and stops when closed
    let server: Server | undefined;
    const serving = runCli(['serve-pay', '--port', '0'], { provider: operator, out: () => {}, onServer: (s) => (server = s) });
    await expect.poll(() => server).toBeDefined();
    const port = (server!.address() as AddressInfo).port;
    const res = await fetch(`http://127.0.0.1:${port}/api/pay?credits=100`);
    expect(await res.json()).toMatchObject({ label: 'Compute credits' });
    server!.close();
    expect(await serving).toBe(0);
  });

  it('rejects bad usage with one sentence and exit code 2', async () => {
    const env = new TestEnv();
    const p = new LiteSVMProvider(env.svm, env.admin);
    expect(await cli(p, 'fly')).toMatchObject({ code: 2, err: 'error: unknown command fly (job-escrow --help lists them)' });
    expect(await cli(p, 'purchase')).toMatchObject({ code: 2, err: 'error: --credits is required' });
    expect(await cli(p, 'purchase', '--credits', '1.5')).toMatchObject({ code: 2, err: 'error: --credits must be a whole number, got 1.5' });
    expect(await cli(p, 'lock', '--owner', 'nope', '--job-id', '1', '--tier', 'pro', '--max-tokens', '1')).toMatchObject({ code: 2, err: 'error: --owner is not a valid public key: nope' });
    expect(await cli(p, 'lock', '--owner', env.admin.publicKey.toBase58(), '--job-id', '1', '--tier', 'gold', '--max-tokens', '1')).toMatchObject({ code: 2, err: 'error: --tier must be lite, standard, pro or max, got gold' });
    expect((await cli(p, '--help')).out).toMatch(/^job-escrow <command>/);

    // An option the command does not declare is refused, not ignored
    expect(await cli(p, 'purchase', '--owner', env.admin.publicKey.toBase58(), '--credits', '5')).toMatchObject({ code: 2, err: 'error: purchase does not take --owner (job-escrow purchase --help lists its options)' });
    expect(await cli(p, 'close', '--all')).toMatchObject({ code: 2, err: 'error: close does not take --all (job-escrow close --help lists its options)' });
    expect(await cli(p, 'purchase', '5')).toMatchObject({ code: 2, err: 'error: purchase takes no arguments, got 5 (job-escrow purchase --help)' });
    expect(await cli(p, 'balance', '--json=yes')).toMatchObject({ code: 2, err: 'error: --json takes no value' });
    expect(await cli(p, 'update-config', '--pause', '--unpause')).toMatchObject({ code: 2, err: 'error: --pause and --unpause together' });
    expect(await cli(p, 'add-job-slots')).toMatchObject({ code: 2, err: 'error: add-job-slots needs a count: job-escrow add-job-slots <count>' });

    // A negative or malformed number is one line naming the flag and its rule, however it is written
    for (const argv of [['--credits', '-5'], ['--credits=-5'], ['--credits', '-1.5']]) {
      expect(await cli(p, 'purchase', ...argv)).toEqual({ code: 2, out: '', err: `error: --credits must be a whole number, got ${argv.at(-1)!.replace('--credits=', '')}` });
    }
    expect(await cli(p, 'purchase', '--credits', 'abc')).toMatchObject({ code: 2, err: 'error: --credits must be a whole number, got abc' });
    expect(await cli(p, '--credits', '-5', 'purchase')).toMatchObject({ code: 2, err: 'error: --credits must be a whole number, got -5' });
    expect(await cli(p, 'purchase', '--credits')).toMatchObject({ code: 2, err: 'error: --credits needs a value' });
    expect(await cli(p, 'topup-url', '--label', '--credits', '5')).toMatchObject({ code: 2, err: 'error: --label needs a value' });
    expect(await cli(p, 'open', '--job-slots', '100')).toMatchObject({ code: 2, err: 'error: --job-slots must be a whole number from 1 to 64, got 100' });
    expect(await cli(p, 'add-job-slots', '-5')).toMatchObject({ code: 2, err: 'error: the count must be a whole number from 1 to 64, got -5' });
    expect(await cli(p, 'operator', '--payers', '100')).toMatchObject({ code: 2, err: 'error: --payers must be a whole number from 0 to 64, got 100' });
    expect(await cli(p, 'settle', '--owner', env.admin.publicKey.toBase58(), '--job-id', '1', '--tokens', '5', '--worker', env.admin.publicKey.toBase58(), '--share-bps', '10001')).toMatchObject({ code: 2, err: 'error: --share-bps must be a whole number of at most 10000, got 10001' });
    expect(await cli(p, 'serve-pay', '--port', '-1')).toMatchObject({ code: 2, err: 'error: --port must be a whole number from 0 to 65535, got -1' });

    // Each command's help is made from its declarations
    const help = (await cli(p, 'update-config', '--help')).out;
    expect(help).toMatch(/^job-escrow update-config \[--pause\|--unpause\] \[--operator <pk>\]/);
    expect(help).toMatch(/\n  --tier-price <standard=8,4,500> +a tier's request credits, credits per 1k tokens and included tokens \(repeatable\)\n/);
    expect(help).toMatch(/\nglobal options:\n  -u, --url <url\|localhost\|devnet\|testnet\|mainnet-beta> +RPC/);
    expect((await cli(p, 'balance', '--help')).out).toMatch(/^job-escrow balance \[<address>\] \[--owner <pk>\] \[--json\]\n\navailable, withdrawable, promotional and locked credits\n\nread-only: /);
    expect((await cli(p, '--help')).out).toContain('\n  lock --owner <pk> --job-id <n> --tier <lite|standard|pro|max> --max-tokens <n>\n      operator: lock a job\'s price in escrow\n');
  });

  it('runs a read-only command without a keypair file; a command that signs needs one', async () => {
    // Given no provider, no keypair file and an RPC nobody listens on
    const address = Keypair.generate().publicKey.toBase58();
    const bare = async (...argv: string[]) => {
      const err: string[] = [];
      const code = await runCli([...argv, '--url', 'http://127.0.0.1:1', '--keypair', '/nonexistent/id.json'], { env: {}, out: () => {}, err: (l) => err.push(l) });
      return { code, err: err.join('\n') };
    };
    // When a read-only command names its account, Then it gets past the keypair to the RPC
    const unreachable = { code: 1, err: 'error: cannot reach http://127.0.0.1:1: is a validator running?' };
    expect(await bare('balance', address)).toEqual(unreachable);
    expect(await bare('balance', '--owner', address)).toEqual(unreachable);
    expect(await bare('history', address)).toEqual(unreachable);
    expect(await bare('jobs', address)).toEqual(unreachable);
    expect(await bare('jobs')).toEqual(unreachable);
    expect(await bare('upgrade-authority')).toEqual(unreachable);
    expect(await bare('topup-url', address, '--credits', '5')).toEqual(unreachable);
    // When it would read the wallet's own account, or the command signs, Then the missing keypair is the error
    expect(await bare('balance')).toEqual({ code: 2, err: 'error: no keypair at /nonexistent/id.json (use --keypair, or name the account: job-escrow balance <address>)' });
    expect(await bare('purchase', '--credits', '5')).toEqual({ code: 2, err: 'error: no keypair at /nonexistent/id.json (use --keypair)' });
    expect(await bare('crank')).toEqual({ code: 2, err: 'error: no keypair at /nonexistent/id.json (use --keypair)' });
  });
});
