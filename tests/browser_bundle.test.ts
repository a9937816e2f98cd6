// The browser entries as a front-end developer bundles them: esbuild with
// --platform=browser (no Node built-ins, no polyfills), loaded in a real
// Chromium with no global Buffer. Each page must compute what Node computes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { Keypair } from '@solana/web3.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { availableCredits, findCreditAccountPda, findJobPda, findVaultAddress, getLockInstruction, quote } from '../sdk/src/index.js';
import { createTopUpUrl } from '../sdk/src/pay/index.js';
import { ROOT } from './setup.js';
import { launchChromium } from './support/chromium.js';

let browser: Browser;
let server: Server;
let base: string;
const bundles = new Map<string, string>();

/** Bundles `entry` for the browser; returns the code and logs its size. */
async function bundle(name: string, entry: string): Promise<{ bytes: number; gzip: number }> {
  const out = await build({ entryPoints: [`${ROOT}/${entry}`], bundle: true, platform: 'browser', format: 'esm', minify: true, write: false, logLevel: 'silent', target: 'es2022' });
  const code = out.outputFiles[0].text;
  bundles.set(name, code);
  return { bytes: code.length, gzip: gzipSync(code).length };
}

async function run(name: string, query: string) {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/${name}.html?${query}`);
  await page.waitForFunction(() => document.body.dataset.result || document.body.dataset.error, undefined, { timeout: 30_000 });
  const { result, error } = await page.evaluate(() => ({ result: document.body.dataset.result, error: document.body.dataset.error }));
  await page.close();
  expect(errors).toEqual([]);
  expect(error).toBeUndefined();
  return JSON.parse(result!);
}

describe('browser entries (esbuild --platform=browser, Chromium)', () => {
  beforeAll(async () => {
    browser = await launchChromium();
    server = createServer((req, res) => {
      const name = new URL(req.url!, 'http://x').pathname.slice(1);
      if (name.endsWith('.html')) {
        res.setHeader('content-type', 'text/html');
        res.end(`<!doctype html><html><body><script type="module" src="/${name.replace('.html', '.js')}"></script></body></html>`);
      } else if (bundles.has(name.replace('.js', ''))) {
        res.setHeader('content-type', 'text/javascript');
        res.end(bundles.get(name.replace('.js', '')));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('the core entry bundles without Node modules and derives, builds and prices as in Node', async () => {
    const size = await bundle('core', 'tests/browser/core-app.ts');
    console.log(`core bundle: ${size.bytes} bytes, ${size.gzip} gzipped`);
    const owner = Keypair.generate().publicKey;
    const mint = Keypair.generate().publicKey;
    const got = await run('core', `owner=${owner.toBase58()}&mint=${mint.toBase58()}`);
    const [credit] = findCreditAccountPda(owner);
    const ix = getLockInstruction({ authority: owner, rentPayer: owner, creditAccount: credit, mint }, { jobId: 42n, tier: 2, maxOutputTokens: 2_000 });
    expect(got).toEqual({
      credit: credit.toBase58(),
      vault: findVaultAddress(credit, mint).toBase58(),
      job: findJobPda(credit, 42n)[0].toBase58(),
      lockData: Array.from(ix.data),
      lockKeys: ix.keys.map((k) => k.pubkey.toBase58()),
      quote: String(quote(2, 1_700)),
      available: String(availableCredits({ vaultAmount: 1_500_000n, feesAccrued: 20_000n, locked: 12n, pricePerCredit: 10_000n })),
      paused: 6014,
      hasGlobalBuffer: false,
    });
  });

  it('the pay entry bundles without Node modules and builds, parses and draws the same top-up URL', async () => {
    const size = await bundle('pay', 'tests/browser/pay-app.ts');
    console.log(`pay bundle: ${size.bytes} bytes, ${size.gzip} gzipped`);
    const [owner, mint, reference] = [0, 1, 2].map(() => Keypair.generate().publicKey);
    const got = await run('pay', `owner=${owner.toBase58()}&mint=${mint.toBase58()}&reference=${reference.toBase58()}`);
    const config = { mint, pricePerCredit: 10_000n, minPurchaseCredits: 100n };
    const expected = createTopUpUrl({ owner, credits: 250n, reference, label: 'Acme AI' }, { config });
    expect(got).toEqual({
      url: String(expected.url),
      parsedCredits: '250',
      recipient: expected.recipient.toBase58(),
      svgStart: '<svg',
      imgWidth: expect.any(Number),
      hasGlobalBuffer: false,
    });
    expect(got.imgWidth).toBeGreaterThan(0);
  });

  it('the Node-only server entry does not bundle for the browser', async () => {
    await expect(bundle('server', 'sdk/src/server/index.ts')).rejects.toThrow(/Could not resolve "node:/);
  });
});
