// The job of tests/web/browser/kit-topup-app.ts on the Anchor/web3.js SDK (a
// top-up URL, a purchase instruction, the credit account fetched), bundled
// by `npm run bench` to compare the two clients' browser weight.
import { Connection, PublicKey } from '@solana/web3.js';
import { fetchMaybeCreditAccount, getPurchaseInstruction } from '../../../sdk/src/index.js';
import { createTopUpUrl } from '../../../sdk/src/pay/index.js';

async function main() {
  const params = new URLSearchParams(location.search);
  const owner = new PublicKey(params.get('owner')!);
  const mint = new PublicKey(params.get('mint')!);
  const connection = new Connection(params.get('rpc')!);
  const config = { mint, pricePerCredit: 10_000n, minPurchaseCredits: 100n };
  const topUp = createTopUpUrl({ owner, credits: 250n, label: 'Acme AI' }, { config });
  const purchase = getPurchaseInstruction({ owner, mint, source: new PublicKey(params.get('source')!) }, { credits: 250n });
  const account = await fetchMaybeCreditAccount(connection, owner);
  document.body.dataset.result = JSON.stringify({ url: String(topUp.url), purchase: Array.from(purchase.data), purchased: account ? String(account.purchased) : null });
}
main().catch((err) => (document.body.dataset.error = String(err?.stack ?? err)));
