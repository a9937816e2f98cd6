import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { encodeURL, fetchTransaction, parseURL, type TransactionRequestURL, type TransferRequestURL } from '@solana/pay';
import { TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from '@solana/spl-token';
import { Keypair, Transaction } from '@solana/web3.js';
import { address } from '@solana/kit';
import BigNumber from 'bignumber.js';
import { createTopUpUrl as createKitTopUpUrl } from '../../sdk/src/kit/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEscrowClient, fetchConfig, findCreditAccountPda, findVaultAddress, type Config } from '../../sdk/src/index.js';
import { LiteSVMBank, LiteSVMProvider } from '../../sdk/src/litesvm/index.js';
import {
  ValidateTopUpError,
  createTopUpUrl,
  ensureTopUpReady,
  findTopUp,
  parseTopUpUrl,
  validateTopUp,
} from '../../sdk/src/pay/index.js';
import { createTopUpServer, writeTopUpQr } from '../../sdk/src/server/index.js';
import { Escrow, type MintOptions } from '../shared/index.js';
import { mintExtension } from '../../sdk/src/testing/index.js';
import { decodeQrPng } from '../shared/qr.js';
import { payTransferRequest } from '../shared/wallet.js';

function world(mint: MintOptions = {}) {
  const env = new Escrow({}, mint);
  const bank = env.bank;
  const platform = new JobEscrowClient(new LiteSVMProvider(bank, env.operator));
  const owner = env.wallet();
  const payer = env.wallet();
  env.createTokenAccount(payer.publicKey, 100_000_000n);
  env.createTokenAccount(owner.publicKey, 100_000_000n);
  return { env, bank, platform, owner, payer, provider: new LiteSVMProvider(bank, payer) };
}


describe('Solana Pay transfer requests', () => {
  it('emits URLs that @solana/pay parses to the same fields, with exact amounts', async () => {
    const { platform, owner } = world();
    const config = await platform.config();
    const reference = Keypair.generate().publicKey;
    const request = createTopUpUrl({ owner: owner.publicKey, credits: 12_345n, reference, label: 'Acme AI', message: 'Top up', memo: 'inv-42' }, { config });
    const parsed = parseURL(request.url) as TransferRequestURL;
    expect(parsed.recipient).toEqual(findCreditAccountPda(owner.publicKey)[0]);
    expect(parsed.amount!.toString()).toBe('123.45');
    expect(parsed.splToken).toEqual(config.mint);
    expect(parsed.reference).toEqual([reference]);
    expect([parsed.label, parsed.message, parsed.memo]).toEqual(['Acme AI', 'Top up', 'inv-42']);
    expect(request).toMatchObject({ credits: 12_345n, amount: 123_450_000n, vault: findVaultAddress(parsed.recipient, config.mint) });
    expect(parseTopUpUrl(request.url, { config })).toMatchObject({ credits: 12_345n, amount: 123_450_000n, references: [reference], memo: 'inv-42' });
    // Amounts that are not round in binary floating point stay exact
    expect(String(createTopUpUrl({ owner: owner.publicKey, credits: 333n }, { config }).url)).toContain('amount=3.33&');
    expect(() => createTopUpUrl({ owner: owner.publicKey, credits: 99n }, { config })).toThrow(/at least 100/);
    const otherMint = { ...config, mint: Keypair.generate().publicKey };
    expect(() => parseTopUpUrl(request.url, { config: otherMint })).toThrow(/mint/);
  });

  it('the URL text is what @solana/pay encodeURL writes for the same fields, from both clients', async () => {
    // Our encoder (sdk/src/core/topUp.ts) replaces encodeURL so the Kit client carries no web3.js; it must write the same text.
    const { platform, owner } = world();
    const config = await platform.config();
    const kitConfig = { mint: address(config.mint.toBase58()), pricePerCredit: config.pricePerCredit, minPurchaseCredits: config.minPurchaseCredits };
    const cases = [
      { credits: 100n },
      { credits: 12_345n, label: 'Acme AI', message: 'Top up', memo: 'inv-42' },
      { credits: 1n << 40n, label: 'Ünïcode & spaces / ?#=', memo: 'a+b=c' },
      { credits: 333n, message: '' },
    ];
    for (const fields of cases) {
      const reference = Keypair.generate().publicKey;
      const ours = createTopUpUrl({ owner: owner.publicKey, reference, ...fields }, { config });
      const library = encodeURL({
        recipient: ours.recipient,
        amount: new BigNumber(ours.amount.toString()).shiftedBy(-6),
        splToken: config.mint,
        reference,
        label: fields.label,
        message: fields.message,
        memo: fields.memo,
      });
      expect(String(ours.url)).toBe(String(library));
      const kit = await createKitTopUpUrl({ owner: address(owner.publicKey.toBase58()), reference: address(reference.toBase58()), ...fields }, { config: kitConfig });
      expect(String(kit.url)).toBe(String(library));
      expect([kit.recipient, kit.vault, kit.amount]).toEqual([ours.recipient.toBase58(), ours.vault.toBase58(), ours.amount]);
    }
    await expect(createKitTopUpUrl({ owner: address(owner.publicKey.toBase58()), credits: 99n }, { config: kitConfig })).rejects.toThrow(/at least 100/);
  });

  it('a wallet paying the parsed URL raises the balance by exactly the credits; findTopUp and validateTopUp confirm it', async () => {
    // Given an owner whose credit account the platform prepared
    const { platform, owner, payer, provider, bank } = world();
    expect((await ensureTopUpReady(platform, { owner: owner.publicKey })).opened).toBe(true);
    expect((await ensureTopUpReady(platform, { owner: owner.publicKey })).opened).toBe(false);
    const config = await platform.config();
    const request = createTopUpUrl({ owner: owner.publicKey, credits: 250n, memo: 'order 7' }, { config });
    // When a wallet pays it the way the Solana Pay spec says
    await payTransferRequest(provider, payer, String(request.url));
    // Then 250 credits are available, with no job_escrow instruction in between
    expect((await platform.getBalance({ owner: owner.publicKey })).available).toBe(250n);
    const found = await findTopUp(bank as never, request.reference);
    expect(await validateTopUp(bank as never, found.signature, { owner: owner.publicKey, amount: 2_500_000n, reference: request.reference, config })).toEqual({ amount: 2_500_000n, credits: 250n });
    await expect(validateTopUp(bank as never, found.signature, { owner: owner.publicKey, amount: 2_500_001n, config })).rejects.toBeInstanceOf(ValidateTopUpError);
    await expect(validateTopUp(bank as never, found.signature, { owner: owner.publicKey, amount: 2_500_000n, reference: Keypair.generate().publicKey, config })).rejects.toThrow(/reference/);
    // And the history shows it as a deposit
    expect((await platform.history({ owner: owner.publicKey })).map((e) => e.kind)).toEqual(['open', 'deposit']);
  });

  it('a Token-2022 stablecoin: the wallet pays the vault under Token-2022 with TransferChecked, validateTopUp confirms it', async () => {
    // Given a config whose mint is a Token-2022 mint with a zero transfer fee and a metadata pointer (PYUSD-like)
    const key = () => Keypair.generate().publicKey.toBytes();
    const { env, platform, owner, payer, provider, bank } = world({ mintExtensions: [mintExtension.transferFeeConfig({ withdrawAuthority: key() }), mintExtension.metadataPointer(key(), key())] });
    await ensureTopUpReady(platform, { owner: owner.publicKey });
    const config = await platform.config();
    expect(config.tokenProgram).toEqual(TOKEN_2022_PROGRAM_ID);
    const request = createTopUpUrl({ owner: owner.publicKey, credits: 300n }, { config });
    // The URL names the mint; the vault is the ATA under Token-2022
    expect((parseURL(request.url) as TransferRequestURL).splToken).toEqual(env.mint);
    expect(request.vault).toEqual(findVaultAddress(request.recipient, env.mint, { tokenProgram: TOKEN_2022_PROGRAM_ID }));
    expect(env.account(request.vault)!.owner).toEqual(TOKEN_2022_PROGRAM_ID);
    // When a wallet pays it (TransferChecked under the mint's program)
    await payTransferRequest(provider, payer, String(request.url));
    // Then the credits are there and validateTopUp confirms exactly the amount
    expect(env.tokenBalance(request.vault)).toBe(3_000_000n);
    expect((await platform.getBalance({ owner: owner.publicKey })).available).toBe(300n);
    const found = await findTopUp(bank as never, request.reference);
    expect(await validateTopUp(bank as never, found.signature, { owner: owner.publicKey, amount: 3_000_000n, reference: request.reference, config })).toEqual({ amount: 3_000_000n, credits: 300n });
    await expect(validateTopUp(bank as never, found.signature, { owner: owner.publicKey, amount: 3_000_001n, config })).rejects.toBeInstanceOf(ValidateTopUpError);
    // A config that says classic Token looks for the classic vault, which the transfer did not touch
    await expect(validateTopUp(bank as never, found.signature, { owner: owner.publicKey, amount: 3_000_000n, config: { ...config, tokenProgram: TOKEN_PROGRAM_ID } })).rejects.toThrow(/vault/);
    expect((await platform.history({ owner: owner.publicKey })).map((e) => e.kind)).toEqual(['open', 'deposit']);
  });

  it('writes a QR code (PNG and SVG) that decodes back to the URL', async () => {
    const { platform, owner } = world();
    const request = createTopUpUrl({ owner: owner.publicKey, credits: 100n, label: 'Acme AI' }, { config: await platform.config() });
    const png = join(tmpdir(), `topup-${Date.now()}.png`);
    const svg = join(tmpdir(), `topup-${Date.now()}.svg`);
    await writeTopUpQr(request.url, { png, svg });
    expect(decodeQrPng(readFileSync(png))).toBe(String(request.url));
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[^>]+viewBox/);
  });
});

describe('Solana Pay transaction-request server', () => {
  let env: Escrow, bank: LiteSVMBank, server: ReturnType<typeof createTopUpServer>, base: string, config: Config, client: JobEscrowClient;
  beforeAll(async () => {
    ({ env, bank } = world());
    client = new JobEscrowClient(new LiteSVMProvider(bank, env.operator));
    config = await fetchConfig(bank as never);
    // Wallets only follow https links (Solana Pay spec): the server advertises
    // its public https origin; the test reaches the same routes over loopback.
    server = createTopUpServer({ client, label: 'Acme AI', publicUrl: 'https://pay.acme.example' });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('answers GET with label and icon', async () => {
    const r = await fetch(`${base}/api/pay?credits=150`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ label: 'Acme AI', icon: 'https://pay.acme.example/icon.svg' });
  });

  it('serves a transaction that @solana/pay fetches and that, signed by the wallet, buys the credits (opening the account)', async () => {
    // Given a wallet with USDC and no credit account
    const wallet = env.wallet();
    env.createTokenAccount(wallet.publicKey, 10_000_000n);
    const topup = (await (await fetch(`${base}/api/topup?owner=${wallet.publicKey.toBase58()}&credits=150`)).json()) as { transactionUrl: string; reference: string };
    const { link } = parseURL(topup.transactionUrl) as TransactionRequestURL;
    expect(link.toString()).toBe(`https://pay.acme.example/api/pay?credits=150&reference=${topup.reference}`);
    // When the wallet fetches it with @solana/pay (over loopback HTTP here) and signs it
    const tx: Transaction = await fetchTransaction(bank as never, wallet.publicKey, new URL(link.pathname + link.search, base));
    const signature = await new LiteSVMProvider(bank, wallet).sendAndConfirm(tx);
    // Then the account exists and holds 150 credits, bought through the program
    expect((await client.getBalance({ owner: wallet.publicKey })).available).toBe(150n);
    expect((await client.history({ owner: wallet.publicKey })).map((e) => [e.kind, e.credits])).toEqual([['open', 0n], ['purchase', 150n]]);
    expect(signature).toBeTruthy();
  });

  it('answers bad input with a 4xx and the error body (docs/http.md), never a transaction', async () => {
    const post = (path: string, body: string) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const account = JSON.stringify({ account: Keypair.generate().publicKey.toBase58() });
    const cases: [Promise<Response>, number, string, RegExp][] = [
      [post('/api/pay?credits=150', JSON.stringify({ account: 'not-a-key' })), 400, 'bad_request', /account is not a valid public key/],
      [post('/api/pay?credits=150', JSON.stringify({ account: findCreditAccountPda(Keypair.generate().publicKey)[0].toBase58() })), 400, 'bad_request', /not a wallet address/],
      [post('/api/pay?credits=150', '{oops'), 400, 'bad_request', /must be JSON/],
      [post('/api/pay?credits=99', account), 400, 'bad_request', /at least 100/],
      [post('/api/pay?credits=abc', account), 400, 'bad_request', /whole number/],
      [post('/api/pay?credits=1.5', account), 400, 'bad_request', /whole number/],
      [post('/api/pay?credits=150', JSON.stringify({ account: 'x'.repeat(5_000) })), 413, 'payload_too_large', /larger than/],
      [fetch(`${base}/nope`), 404, 'not_found', /no route/i],
      [fetch(`${base}/api/pay?credits=150`, { method: 'PUT', body: account }), 405, 'method_not_allowed', /GET or POST/],
      [fetch(`${base}/api/topup?owner=bad&credits=150`), 400, 'bad_request', /owner/],
    ];
    for (const [response, status, error, message] of cases) {
      const r = await response;
      const body = (await r.json()) as { error: string; message: string; transaction?: string };
      expect(r.status, message.source).toBe(status);
      expect(body).toMatchObject({ error, message: expect.stringMatching(message) });
      expect(body.transaction).toBeUndefined();
    }
    void config;
  });
});

