/** The top-up page: plain HTML and JS, no build step, phone-sized first. */
export function topUpPage({ label, minCredits, pricePerCredit }: { label: string; minCredits: bigint; pricePerCredit: bigint }): string {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(label)}: top up</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; padding: 16px; max-width: 480px; margin-inline: auto; color: #111; }
  h1 { font-size: 1.3rem; }
  .balance { font-size: 1.6rem; font-weight: 600; margin: 8px 0 16px; }
  label { display: block; margin-bottom: 6px; }
  input { font-size: 1.1rem; padding: 8px; width: 10ch; }
  button { font-size: 1.1rem; padding: 8px 16px; margin-left: 8px; }
  .qrs { display: grid; gap: 16px; margin-top: 16px; }
  figure { margin: 0; text-align: center; }
  figure img { width: 100%; max-width: 320px; height: auto; image-rendering: pixelated; }
  .amount { font-size: 1.2rem; margin-top: 12px; }
  .error { color: #b91c1c; }
</style>
</head>
<body>
<h1>${escape(label)}</h1>
<div>Available: <span class="balance" id="balance">…</span> credits</div>
<form id="form">
  <label for="credits">Credits to buy (1 credit = ${escape(formatPrice(pricePerCredit))} USDC, minimum ${minCredits})</label>
  <input id="credits" name="credits" type="number" min="${minCredits}" step="1" value="${minCredits}" inputmode="numeric">
  <button type="submit">Show QR codes</button>
</form>
<p class="amount" id="amount"></p>
<p class="error" id="error"></p>
<div class="qrs">
  <figure><img id="transferQr" alt="Solana Pay transfer request QR code" hidden><figcaption>Scan with any Solana Pay wallet (transfer)</figcaption></figure>
  <figure><img id="transactionQr" alt="Solana Pay transaction request QR code" hidden><figcaption>Or buy through the program (transaction request)</figcaption></figure>
</div>
<script>
  const owner = new URLSearchParams(location.search).get('owner');
  const $ = (id) => document.getElementById(id);
  async function refresh() {
    try {
      const r = await fetch('/api/balance?owner=' + encodeURIComponent(owner));
      const b = await r.json();
      $('balance').textContent = r.ok ? b.available : '?';
    } catch { /* keep the last value */ }
  }
  $('form').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('error').textContent = '';
    const r = await fetch('/api/topup?owner=' + encodeURIComponent(owner) + '&credits=' + encodeURIComponent($('credits').value));
    const t = await r.json();
    if (!r.ok) { $('error').textContent = t.message; return; }
    $('amount').textContent = 'Pay ' + t.usdc + ' USDC for ' + t.credits + ' credits';
    for (const k of ['transferQr', 'transactionQr']) { $(k).src = t[k]; $(k).hidden = false; }
    $('transferQr').dataset.url = t.transferUrl;
    $('transactionQr').dataset.url = t.transactionUrl;
  });
  refresh();
  setInterval(refresh, 1000);
</script>
</body>
</html>
`;
}

function formatPrice(pricePerCredit: bigint): string {
  const s = pricePerCredit.toString().padStart(7, '0');
  return `${s.slice(0, -6)}.${s.slice(-6)}`.replace(/0+$/, '').replace(/\.$/, '');
}
