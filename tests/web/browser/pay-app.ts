// Bundled for the browser by tests/web/browser_bundle.test.ts and run in
// Chromium: a top-up URL built, parsed and drawn as a QR code, as a page
// would, with no Node module and no global Buffer.
import { PublicKey } from '@solana/web3.js';
import { createTopUpQr, createTopUpUrl, parseTopUpUrl } from '../../../sdk/src/pay/index.js';

async function main() {
  const params = new URLSearchParams(location.search);
  const config = { mint: new PublicKey(params.get('mint')!), pricePerCredit: 10_000n, minPurchaseCredits: 100n };
  const request = createTopUpUrl({ owner: new PublicKey(params.get('owner')!), credits: 250n, reference: new PublicKey(params.get('reference')!), label: 'Acme AI' }, { config });
  const parsed = parseTopUpUrl(request.url, { config });
  const { svg, dataUrl } = await createTopUpQr(request.url);
  const img = document.createElement('img');
  img.src = dataUrl;
  img.width = 256;
  await new Promise((resolve, reject) => ((img.onload = resolve), (img.onerror = reject), document.body.append(img)));
  document.body.dataset.result = JSON.stringify({
    url: String(request.url),
    parsedCredits: String(parsed.credits),
    recipient: parsed.recipient.toBase58(),
    svgStart: svg.slice(0, 4),
    imgWidth: img.naturalWidth,
    hasGlobalBuffer: 'Buffer' in globalThis,
  });
}
main().catch((err) => (document.body.dataset.error = String(err?.stack ?? err)));
