// Every CLI subcommand, in-process with a LiteSVM-backed provider.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keypair } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import { runCli } from '../sdk/src/cli/index.js';
import { fetchConfig } from '../sdk/src/index.js';
import { LiteSVMProvider } from '../sdk/src/litesvm/provider.js';
import { TestEnv } from './setup.js';
import { decodeQrPng } from './support/qr.js';

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
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toBe('time,kind,id,job_id,credits,usdc,available_after,locked_after,signature');

    // A program error is one sentence and exit code 1
    r = await cli(user, 'withdraw', '--credits', '491');
    expect(r).toEqual({ code: 1, out: '', err: 'error: not enough available credits (InsufficientCredits, 6016)' });
    expect((await cli(user, 'withdraw', '--credits', 'all')).out).toMatch(/^withdrew everything/);

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
  });
});
