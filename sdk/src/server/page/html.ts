// The top-up page's markup, style and icon. Its behaviour is ./app.ts,
// bundled for the browser into dist/topup-page.js and served as /topup.js:
// the page runs no inline script (the server sends a strict CSP), and reads
// its settings from a JSON data block.

/** What the server tells the page (strings: bigints do not survive JSON). */
export interface PageConfig {
  label: string;
  /** The chain a browser wallet signs for ("solana:mainnet", "solana:devnet", "solana:localnet"). */
  chain: string;
  minCredits: string;
  maxCredits: string;
  pricePerCredit: string;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function topUpPage(config: PageConfig): string {
  // In a JSON block "<" is the only character that could end the element early.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(config.label)}: buy credits</title>
<link rel="icon" href="/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/topup.css">
<script type="application/json" id="config">${json}</script>
<script src="/topup.js" defer></script>
</head>
<body>
<main>
  <header>
    <h1>${escape(config.label)}</h1>
    <p class="sub">Buy prepaid credits with USDC. Unspent credits can be withdrawn at any time.</p>
  </header>
  <p id="status" class="status" role="status" aria-live="polite"></p>

  <section class="card" aria-labelledby="account-title">
    <h2 id="account-title">Account</h2>
    <p id="owner-line" hidden>Wallet <code id="owner"></code></p>
    <div id="connect-area">
      <button type="button" id="connect" hidden>Connect wallet</button>
      <ul id="wallet-list" class="wallets" hidden aria-label="Choose a wallet"></ul>
      <p id="no-owner" class="hint" hidden>Connect a browser wallet, or open this page from your app's "top up" link.</p>
    </div>
    <dl class="balance" id="balance" hidden>
      <div><dt>Available</dt><dd><span id="available">…</span> credits</dd></div>
      <div><dt>Locked in running jobs</dt><dd><span id="locked">…</span> credits</dd></div>
      <div><dt>Worth</dt><dd><span id="usdc">…</span> USDC</dd></div>
    </dl>
    <p id="limit" class="hint" hidden></p>
  </section>

  <section class="card" aria-labelledby="amount-title">
    <h2 id="amount-title">How many credits?</h2>
    <form id="amount-form" novalidate>
      <fieldset>
        <legend class="visually-hidden">Preset amounts</legend>
        <div class="presets" id="presets"></div>
      </fieldset>
      <label for="credits">Or another amount (<span id="limits"></span>)</label>
      <div class="custom">
        <input id="credits" name="credits" type="text" inputmode="numeric" autocomplete="off" aria-describedby="input-error">
        <button type="submit" id="show">Continue</button>
      </div>
      <p id="input-error" class="error" role="alert"></p>
    </form>
  </section>

  <section class="card" id="pay" hidden aria-labelledby="pay-title">
    <h2 id="pay-title">Pay <span id="price"></span></h2>
    <div id="wallet-pay" hidden>
      <button type="button" id="buy" class="primary">Buy</button>
      <p class="hint">One signature in your wallet; your credit account is opened on the first purchase.</p>
    </div>
    <div id="mobile-pay">
      <div class="option">
        <h3>Recommended: pay with a Solana Pay wallet</h3>
        <a id="request-link" class="button primary" href="#">Open in wallet</a>
        <figure><img id="request-qr" alt="QR code of the Solana Pay transaction request" width="280" height="280"><figcaption>Or scan it with a wallet on another device.</figcaption></figure>
      </div>
      <details id="transfer-option">
        <summary>My wallet only does plain transfers</summary>
        <div id="transfer-open">
          <p class="hint">A plain USDC transfer to your credit account. It works with any Solana Pay wallet once your credit account exists.</p>
          <a id="transfer-link" class="button" href="#">Open in wallet (transfer)</a>
          <figure><img id="transfer-qr" alt="QR code of the Solana Pay transfer request" width="280" height="280"><figcaption>Or scan to pay by transfer.</figcaption></figure>
        </div>
        <p id="transfer-closed" class="hint">Your credit account is not open yet, and a plain transfer cannot open it. Use the option above once; transfers work after that.</p>
      </details>
    </div>
  </section>

</main>
</body>
</html>
`;
}

export const PAGE_CSS = `
:root { color-scheme: light; --ink: #111827; --muted: #4b5563; --line: #d1d5db; --accent: #3730a3; --ok: #065f46; --bad: #b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--ink); background: #f9fafb; }
main { max-width: 480px; margin: 0 auto; padding: 16px; display: grid; gap: 16px; }
@media (min-width: 900px) {
  main { max-width: 960px; grid-template-columns: 1fr 1fr; align-items: start; }
  header, .status { grid-column: 1 / -1; }
  #pay { grid-column: 2; grid-row: 2 / span 2; }
}
h1 { font-size: 1.5rem; margin: 0; }
h2 { font-size: 1.15rem; margin: 0 0 8px; }
h3 { font-size: 1rem; margin: 0 0 8px; }
.sub, .hint { color: var(--muted); margin: 4px 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 16px; }
code { word-break: break-all; font-size: 0.9rem; }
.balance { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; margin: 8px 0 0; }
.balance dt { color: var(--muted); font-size: 0.85rem; }
.balance dd { margin: 0; font-weight: 600; }
fieldset { border: 0; padding: 0; margin: 0 0 12px; }
.presets { display: flex; flex-wrap: wrap; gap: 8px; }
button, .button { font: inherit; padding: 10px 16px; border-radius: 8px; border: 1px solid var(--accent); background: #fff; color: var(--accent); cursor: pointer; text-decoration: none; display: inline-block; text-align: center; min-height: 44px; }
button[aria-pressed="true"] { background: var(--accent); color: #fff; }
.primary { background: var(--accent); color: #fff; width: 100%; font-weight: 600; }
button:focus-visible, .button:focus-visible, input:focus-visible, summary:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
button:disabled { opacity: 0.6; cursor: progress; }
label { display: block; margin-bottom: 4px; }
.custom { display: flex; gap: 8px; }
input { font: inherit; padding: 10px; border: 1px solid var(--muted); border-radius: 8px; width: 100%; min-width: 0; }
input[aria-invalid="true"] { border-color: var(--bad); }
.error { color: var(--bad); min-height: 1.5em; margin: 8px 0 0; }
.option { margin-bottom: 12px; }
figure { margin: 12px 0 0; text-align: center; }
figure img { width: 100%; max-width: 280px; height: auto; image-rendering: pixelated; }
figcaption { color: var(--muted); font-size: 0.9rem; }
details { border-top: 1px solid var(--line); padding-top: 12px; }
summary { cursor: pointer; color: var(--accent); }
.wallets { list-style: none; padding: 0; margin: 8px 0 0; display: grid; gap: 8px; }
.wallets button { width: 100%; display: flex; align-items: center; gap: 8px; }
.wallets img { width: 24px; height: 24px; }
.status { font-size: 1.1rem; font-weight: 600; margin: 0; min-height: 1.5em; }
.status.ok { color: var(--ok); }
.status.bad { color: var(--bad); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
[hidden] { display: none !important; }
`;

export const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#3730a3"/><circle cx="32" cy="32" r="17" fill="none" stroke="#fff" stroke-width="5"/><path d="M32 22v20M25 29h14" stroke="#fff" stroke-width="5" stroke-linecap="round"/></svg>';
