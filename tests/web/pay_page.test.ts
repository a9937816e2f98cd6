// The top-up page as people use it, in a real headless Chromium against the
// program (LiteSVM bank): a desktop user with a browser wallet (a Wallet
// Standard wallet injected into the page) buys in one click; a phone user
// opens the Solana Pay links in a wallet (a spec-following
// transaction-request wallet, then a transfer wallet); bad input always
// shows a message and never a stale QR; the server's CORS, 405s, links,
// config refresh, icon and CSP. Screenshots: target/topup-desktop.png,
// target/topup-phone.png.
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Server } from 'node:http';
import { parseURL, type TransactionRequestURL } from '@solana/pay';
import { Keypair, Transaction } from '@solana/web3.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEscrowClient, getUpdateConfigInstruction } from '../../sdk/src/index.js';
import { LiteSVMProvider } from '../../sdk/src/litesvm/provider.js';
import { parseTopUpUrl } from '../../sdk/src/pay/index.js';
import { createTopUpServer, type TopUpServerOptions } from '../../sdk/src/server/index.js';
import { Escrow, ROOT } from '../shared/index.js';
import { bundleForBrowser } from './setup/bundle.js';
import { launchChromium } from './setup/chromium.js';
import { decodeQrDataUrl } from '../shared/qr.js';
import { payTransferRequest } from '../shared/wallet.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
let browser: Browser;
let testWallet: string;

/** A world, a user holding $100 of USDC with no credit account yet, and the server on loopback counting requests by path. */
async function start(options: Partial<TopUpServerOptions> = {}) {
  const env = new Escrow();
  const client = new JobEscrowClient(new LiteSVMProvider(env.bank, env.operator));
  const user = env.wallet();
  const usdc = env.createTokenAccount(user.publicKey, 100_000_000n);
  const server: Server = createTopUpServer({ client, label: 'Acme AI', chain: 'solana:localnet', ...options });
  const hits = new Map<string, number>();
  server.on('request', (req) => {
    const path = new URL(req.url!, 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((r) => server.close(() => r()));
  return { env, client, user, usdc, server, base, hits, close };
}
type World = Awaited<ReturnType<typeof start>>;

async function open(w: World, viewport: { width: number; height: number }, path: string, before?: (page: Page) => Promise<void>): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 2 });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await before?.(page);
  await page.goto(`${w.base}${path}`);
  return { page, problems };
}

/** Signs as the wallet in Node and sends to the bank. */
function signAndSend(w: World, signer: Keypair, base64: string): string {
  const tx = Transaction.from(Buffer.from(base64, 'base64'));
  tx.partialSign(signer);
  return w.env.bank.process(tx).signature;
}

const text = (page: Page, selector: string) => page.locator(selector).textContent();

describe('top-up page (headless Chromium)', () => {
  beforeAll(async () => {
    browser = await launchChromium();
    testWallet = (await bundleForBrowser(`${ROOT}/tests/web/browser/test-wallet.ts`)).code.replace(/export\s*\{[^}]*\};?\s*$/, '');
  }, 180_000);
  afterAll(async () => browser?.close());

  it('desktop: connects a Wallet Standard wallet and buys in one click; the page shows the credits received', async () => {
    const w = await start();
    try {
      // The wallet is in the page before the page's own script runs, as an extension's would be.
      const { page, problems } = await open(w, DESKTOP, '/topup', async (p) => {
        await p.exposeFunction('testWalletSignAndSend', (tx: string) => signAndSend(w, w.user, tx));
        const account = JSON.stringify({ address: w.user.publicKey.toBase58(), publicKey: [...w.user.publicKey.toBytes()], calls: 0 });
        await p.addInitScript({ content: `window.testWallet = ${account};\n${testWallet}` });
      });
      // Given no owner yet: the page offers to connect
      await page.getByRole('button', { name: 'Connect wallet' }).click();
      await expect.poll(() => text(page, '#owner')).toBe(w.user.publicKey.toBase58());
      await expect.poll(() => text(page, '#available')).toBe('0');
      expect(await text(page, '#usdc')).toBe('0');
      // When they pick 500 credits and click Buy
      await page.getByRole('button', { name: '500 credits', exact: true }).click();
      const buy = page.getByRole('button', { name: 'Buy 500 credits for 5 USDC' });
      await buy.waitFor();
      expect(await page.locator('#mobile-pay').isHidden()).toBe(true);
      await buy.click();
      // Then one signature buys them, the account is opened, and the page says so
      await expect.poll(() => text(page, '#status'), { timeout: 15_000 }).toBe('Received 500 credits. Your balance is now 500 credits.');
      expect(await text(page, '#available')).toBe('500');
      expect(await text(page, '#usdc')).toBe('5');
      expect(await text(page, '#limit')).toBe('No spending limit set.');
      expect(await page.evaluate(() => window.testWallet.calls)).toBe(1);
      expect(await w.client.getBalance({ owner: w.user.publicKey })).toMatchObject({ available: 500n, usdcValue: '5' });
      expect(w.env.tokenBalance(w.usdc)).toBe(95_000_000n);
      expect(await page.locator('#pay').isHidden()).toBe(true);
      // A declined signature is said in words and charges nothing
      await page.evaluate(() => (window.testWallet.decline = true));
      await page.getByRole('button', { name: '1000 credits', exact: true }).click();
      await page.getByRole('button', { name: 'Buy 1000 credits for 10 USDC' }).click();
      await expect.poll(() => text(page, '#status')).toBe('The payment did not go through: you declined in the wallet. Nothing was charged.');
      expect(w.env.tokenBalance(w.usdc)).toBe(95_000_000n);
      await page.screenshot({ path: `${ROOT}/target/topup-desktop.png`, fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await w.close();
    }
  }, 90_000);

  it('phone: "Open in wallet" links that @solana/pay parses; paying either one flips the page to "received"', async () => {
    // Behind TLS, as wallets require (https links only); the wallet below reaches it through the "proxy" (the loopback port).
    const w = await start({ publicUrl: 'https://pay.acme.example' });
    const viaProxy = (u: string | URL) => String(u).replace('https://pay.acme.example', w.base);
    try {
      const owner = w.user.publicKey.toBase58();
      const { page, problems } = await open(w, PHONE, `/topup?owner=${owner}`);
      await expect.poll(() => text(page, '#available')).toBe('0');
      expect(await page.locator('#connect').isHidden()).toBe(true); // no browser wallet on this phone
      await page.getByRole('button', { name: '1000 credits', exact: true }).click();
      await expect.poll(() => text(page, '#price')).toBe('10 USDC for 1000 credits');
      // The recommended path: a transaction request, as a link and as a QR of the same URL
      const link = (await page.getByRole('link', { name: 'Open in wallet' }).getAttribute('href'))!;
      const request = parseURL(link) as TransactionRequestURL;
      expect(request.link.origin).toBe('https://pay.acme.example');
      expect(request.link.pathname).toBe('/api/pay');
      expect(request.link.searchParams.get('credits')).toBe('1000');
      const qr = (await page.getAttribute('#request-qr', 'src'))!;
      expect(decodeQrDataUrl(qr)).toBe(link);
      // No transfer for an account that is not open: an explanation instead
      await page.getByText('My wallet only does plain transfers').click();
      expect(await page.locator('#transfer-closed').isVisible()).toBe(true);
      expect(await page.locator('#transfer-open').isHidden()).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      // The button to tap is on screen once the amount is chosen
      const button = (await page.getByRole('link', { name: 'Open in wallet' }).boundingBox())!;
      expect(button.y).toBeGreaterThanOrEqual(0);
      expect(button.y + button.height).toBeLessThanOrEqual(PHONE.height);

      // A spec-following wallet: GET the link (label, icon), POST the account, sign, send
      const meta = (await (await fetch(viaProxy(request.link))).json()) as { label: string; icon: string };
      expect(meta.label).toBe('Acme AI');
      expect((await fetch(viaProxy(meta.icon))).headers.get('content-type')).toBe('image/svg+xml');
      const built = (await (await fetch(viaProxy(request.link), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: owner }) })).json()) as { transaction: string; message: string };
      expect(built.message).toBe('Buy 1000 credits for 10 USDC');
      signAndSend(w, w.user, built.transaction);
      await expect.poll(() => text(page, '#status'), { timeout: 15_000 }).toBe('Received 1000 credits. Your balance is now 1000 credits.');
      expect(await text(page, '#available')).toBe('1000');

      // The owner sets a spending limit (security issue); the page shows it with the next balance
      await new JobEscrowClient(new LiteSVMProvider(w.env.bank, w.user)).setSpendingLimit({ maxCreditsPerJob: 50n, dailyLimitCredits: 300n });
      // Now the account is open: a custom amount offers the transfer too; a wallet pays the transfer QR
      await page.fill('#credits', '250');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect.poll(() => text(page, '#price')).toBe('2.5 USDC for 250 credits');
      if ((await page.locator('#transfer-option').getAttribute('open')) === null) await page.getByText('My wallet only does plain transfers').click();
      const transferQr = (await page.getAttribute('#transfer-qr', 'src'))!;
      const transferUrl = decodeQrDataUrl(transferQr)!;
      expect(transferUrl).toBe(await page.getByRole('link', { name: 'Open in wallet (transfer)' }).getAttribute('href'));
      expect(parseTopUpUrl(transferUrl, { config: await w.client.config() })).toMatchObject({ credits: 250n, recipient: (await w.client.addresses({ owner: w.user.publicKey })).creditAccount });
      await page.screenshot({ path: `${ROOT}/target/topup-phone.png`, fullPage: true });
      await payTransferRequest(new LiteSVMProvider(w.env.bank, w.user), w.user, transferUrl);
      await expect.poll(() => text(page, '#status'), { timeout: 15_000 }).toBe('Received 250 credits. Your balance is now 1250 credits.');
      expect((await w.client.getBalance({ owner: w.user.publicKey })).available).toBe(1250n);
      expect(await text(page, '#limit')).toBe('Spending limit: 50 credits per job, 300 credits per day.');
      expect(problems).toEqual([]);
    } finally {
      await w.close();
    }
  }, 90_000);

  it('every bad input shows its message and clears the QR and price; the server refuses the same amounts', async () => {
    const w = await start({ maxCredits: 1_000_000n });
    try {
      const { page } = await open(w, PHONE, `/topup?owner=${w.user.publicKey.toBase58()}`);
      const offerShown = async () => {
        await page.getByRole('button', { name: '500 credits', exact: true }).click();
        await expect.poll(() => text(page, '#price')).toBe('5 USDC for 500 credits');
        expect(await page.getAttribute('#request-qr', 'src')).toMatch(/^data:image\/svg\+xml/);
      };
      const noOffer = async () => {
        expect(await page.locator('#pay').isHidden()).toBe(true);
        expect(await text(page, '#price')).toBe('');
        expect(await page.getAttribute('#request-qr', 'src')).toBeNull();
        expect(await page.getAttribute('#transfer-qr', 'src')).toBeNull();
      };
      for (const [typed, message] of [
        ['abc', 'Enter a whole number of credits.'],
        ['12.5', 'Enter a whole number of credits.'],
        ['-5', 'Enter a whole number of credits.'],
        ['50', 'A top-up is at least 100 credits.'],
        ['1000001', 'A top-up is at most 1000000 credits.'],
        ['999999999999999999999999', 'A top-up is at most 1000000 credits.'],
      ]) {
        await offerShown();
        await page.fill('#credits', typed);
        await noOffer(); // typing alone already clears the offer
        await page.getByRole('button', { name: 'Continue' }).click();
        await expect.poll(() => text(page, '#input-error')).toBe(message);
        expect(await page.getAttribute('#credits', 'aria-invalid')).toBe('true');
        await noOffer();
      }
      // The server gives the same answers
      const owner = w.user.publicKey.toBase58();
      for (const [credits, message] of [
        ['999999999999999999', 'A top-up is at most 1000000 credits.'],
        ['50', 'A top-up is at least 100 credits.'],
        ['1e3', 'Enter a whole number of credits.'],
      ]) {
        const r = await fetch(`${w.base}/api/topup?owner=${owner}&credits=${credits}`);
        expect({ status: r.status, body: await r.json() }).toEqual({ status: 400, body: { error: 'bad_request', message } });
        expect((await fetch(`${w.base}/api/pay?credits=${credits}`)).status).toBe(400);
      }
      // Without a maximum, the u64 bound: credits × price must fit
      const open2 = await start({ maxCredits: 10n ** 30n });
      try {
        const r = await fetch(`${open2.base}/api/topup?owner=${owner}&credits=${2n ** 64n}`);
        expect(await r.json()).toEqual({ error: 'bad_request', message: `A top-up is at most ${(2n ** 64n - 1n) / 10_000n} credits.` });
      } finally {
        await open2.close();
      }
    } finally {
      await w.close();
    }
  }, 90_000);

  it('watches the reference with backoff, not at all while the tab is hidden', async () => {
    const w = await start();
    try {
      const { page } = await open(w, PHONE, `/topup?owner=${w.user.publicKey.toBase58()}`);
      await page.getByRole('button', { name: '500 credits', exact: true }).click();
      await expect.poll(() => text(page, '#price')).toBe('5 USDC for 500 credits');
      const polls = () => w.hits.get('/api/status') ?? 0;
      await page.waitForTimeout(9_000);
      // 1 s, then 1.5×: about 4 polls in 9 s, not 9
      expect(polls()).toBeGreaterThanOrEqual(2);
      expect(polls()).toBeLessThanOrEqual(5);
      // Hidden: no polls; visible again: at once
      await page.evaluate(() => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await page.waitForTimeout(1_000); // a poll already under way may finish
      const hidden = polls();
      await page.waitForTimeout(12_000);
      expect(polls()).toBe(hidden);
      await page.evaluate(() => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await expect.poll(polls).toBeGreaterThan(hidden);
      // The balance is read on load and on return, never on a timer
      expect(w.hits.get('/api/balance')).toBe(2);
    } finally {
      await w.close();
    }
  }, 60_000);

  it('server: CORS preflights, 405 with Allow, links only from the public URL, the config re-read after its TTL, an icon, a CSP', async () => {
    const w = await start({ publicUrl: 'https://pay.acme.example', configTtlMs: 0 });
    try {
      const owner = w.user.publicKey.toBase58();
      const preflight = await fetch(`${w.base}/api/pay?credits=500`, { method: 'OPTIONS', headers: { origin: 'https://wallet.example', 'access-control-request-method': 'POST' } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
      expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
      expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');
      const put = await fetch(`${w.base}/api/pay?credits=500`, { method: 'PUT' });
      expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, POST, OPTIONS']);
      const post = await fetch(`${w.base}/topup`, { method: 'POST' });
      expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
      // A forged Host header changes no link
      const { request } = await import('node:http');
      const forged = await new Promise<{ transactionUrl: string }>((resolve, reject) => {
        request(`${w.base}/api/topup?owner=${owner}&credits=500`, { headers: { host: 'evil.example' } }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve(JSON.parse(body)));
        })
          .on('error', reject)
          .end();
      });
      expect((parseURL(forged.transactionUrl) as TransactionRequestURL).link.origin).toBe('https://pay.acme.example');
      expect(((await (await fetch(`${w.base}/api/pay?credits=500`)).json()) as { icon: string }).icon).toBe('https://pay.acme.example/icon.svg');
      // The admin raises the minimum: the long-running server follows
      expect((await fetch(`${w.base}/api/topup?owner=${owner}&credits=150`)).status).toBe(200);
      w.env.send(getUpdateConfigInstruction({ admin: w.env.admin.publicKey }, { minPurchaseCredits: 200n }), [w.env.admin]);
      const raised = await fetch(`${w.base}/api/topup?owner=${owner}&credits=150`);
      expect({ status: raised.status, body: await raised.json() }).toEqual({ status: 400, body: { error: 'bad_request', message: 'A top-up is at least 200 credits.' } });
      // Icon, favicon, and the page's content-security policy (no inline script runs, nothing else is called)
      for (const path of ['/icon.svg', '/favicon.ico']) {
        const r = await fetch(`${w.base}${path}`);
        expect([r.status, r.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
        expect(await r.text()).toMatch(/^<svg /);
      }
      const html = await fetch(`${w.base}/topup?owner=${owner}`);
      expect(html.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(html.headers.get('content-security-policy')).toContain("connect-src 'self'");
      expect((await fetch(`${w.base}/topup?owner=nope`)).status).toBe(400);
      // The page's browser code, as served: within 60 KB gzipped
      const script = Buffer.from(await (await fetch(`${w.base}/topup.js`)).arrayBuffer());
      const gzipped = gzipSync(script).length;
      console.log(`top-up page script: ${script.length} bytes, ${gzipped} gzipped`);
      expect(gzipped).toBeLessThanOrEqual(60_000);
    } finally {
      await w.close();
    }
  }, 60_000);

  it('is usable by keyboard alone, labels every control, announces status politely', async () => {
    const w = await start();
    try {
      const { page } = await open(w, DESKTOP, `/topup?owner=${w.user.publicKey.toBase58()}`);
      await expect.poll(() => text(page, '#available')).toBe('0');
      expect(await page.getAttribute('#status', 'aria-live')).toBe('polite');
      expect(await page.getByLabel(/Or another amount/).count()).toBe(1);
      // Tab to the first preset, press Enter: an offer appears
      for (let i = 0; i < 10 && !(await page.evaluate(() => (document.activeElement as HTMLElement)?.dataset?.credits)); i++) await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await expect.poll(() => text(page, '#price')).toBe('1 USDC for 100 credits');
      // Type an amount and press Enter in the field
      await page.focus('#credits');
      await page.keyboard.type('300');
      await page.keyboard.press('Enter');
      await expect.poll(() => text(page, '#price')).toBe('3 USDC for 300 credits');
      // Contrast: body text and the primary link against their backgrounds, at least 4.5:1
      const ratios = await page.evaluate(() => {
        const lum = (rgb: string) => {
          const [r, g, b] = rgb.match(/\d+/g)!.slice(0, 3).map((v) => {
            const c = Number(v) / 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const ratio = (fg: string, bg: string) => {
          const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
          return (a + 0.05) / (b + 0.05);
        };
        const style = (sel: string) => getComputedStyle(document.querySelector(sel)!);
        return [ratio(style('body').color, style('.card').backgroundColor), ratio(style('#request-link').color, style('#request-link').backgroundColor), ratio(style('.hint').color, style('.card').backgroundColor)];
      });
      for (const r of ratios) expect(r).toBeGreaterThanOrEqual(4.5);
    } finally {
      await w.close();
    }
  }, 60_000);
});
