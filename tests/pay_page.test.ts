// The top-up page in a real headless Chromium (Debian's), on a phone-sized
// screen: it loads, its QR code decodes to the URL the SDK emits, and the
// balance it shows changes after a wallet pays.
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEscrowClient } from '../sdk/src/index.js';
import { LiteSVMProvider } from '../sdk/src/litesvm/provider.js';
import { ensureTopUpReady, parseTopUpUrl } from '../sdk/src/pay/index.js';
import { createTopUpServer } from '../sdk/src/server/index.js';
import { Escrow, ROOT } from './setup.js';
import { launchChromium } from './support/chromium.js';
import { decodeQrPng } from './support/qr.js';
import { payTransferRequest } from './support/wallet.js';

let browser: Browser;

describe('top-up page (headless Chromium)', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => browser?.close());

  it('shows the QR of the SDK’s transfer request and the balance after a wallet pays', async () => {
    // Given a user whose credit account exists, and the server on loopback
    const env = new Escrow();
    const bank = env.bank;
    const client = new JobEscrowClient(new LiteSVMProvider(bank, env.operator));
    const owner = env.wallet().publicKey;
    await ensureTopUpReady(client, { owner });
    const payer = env.wallet();
    env.createTokenAccount(payer.publicKey, 10_000_000n);
    const server = createTopUpServer({ client, label: 'Acme AI' });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
      // When the owner opens the page and asks for 150 credits
      await page.goto(`${base}/topup?owner=${owner.toBase58()}`);
      await expect.poll(() => page.textContent('#balance')).toBe('0');
      await page.fill('#credits', '150');
      await page.click('button[type=submit]');
      await page.waitForSelector('#transferQr:not([hidden])');
      expect(await page.textContent('#amount')).toBe('Pay 1.5 USDC for 150 credits');
      // Then the transfer QR decodes to a URL the SDK parses: 150 credits to this owner
      const src = (await page.getAttribute('#transferQr', 'src'))!;
      const url = decodeQrPng(Buffer.from(src.split(',')[1], 'base64'))!;
      expect(url).toBe(await page.getAttribute('#transferQr', 'data-url'));
      const config = await client.config();
      expect(parseTopUpUrl(url, { config })).toMatchObject({ credits: 150n, amount: 1_500_000n, recipient: (await client.addresses({ owner })).creditAccount });
      // And the page fits a phone: no horizontal scroll, the QR within the screen
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect((await page.locator('#transferQr').boundingBox())!.width).toBeLessThanOrEqual(390);
      await page.screenshot({ path: `${ROOT}/target/topup-page.png`, fullPage: true });
      // When a wallet pays that URL, Then the page shows the new balance
      await payTransferRequest(new LiteSVMProvider(bank, payer), payer, url);
      await expect.poll(() => page.textContent('#balance'), { timeout: 10_000 }).toBe('150');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 60_000);
});
