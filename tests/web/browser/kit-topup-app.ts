// "Top up, buy, show the balance" on the Kit client, as a page does it:
// build a top-up URL, a purchase instruction, and fetch the credit account
// over JSON-RPC. Bundled by tests/web/browser_bundle.test.ts (and measured by
// `npm run bench` against tests/web/browser/anchor-topup-app.ts, the same job on
// the Anchor SDK); run in Chromium. No web3.js, Anchor or bn.js inside.
import { address, createNoopSigner, createSolanaRpc } from '@solana/kit';
import { createTopUpUrl, fetchMaybeCreditAccount, findOwnerAddresses, getPurchaseInstructionAsync } from '../../../sdk/src/kit/index.js';

async function main() {
  const params = new URLSearchParams(location.search);
  const owner = address(params.get('owner')!);
  const mint = address(params.get('mint')!);
  const rpc = createSolanaRpc(params.get('rpc')!);
  const config = { mint, pricePerCredit: 10_000n, minPurchaseCredits: 100n };
  const topUp = await createTopUpUrl({ owner, credits: 250n, reference: address(params.get('reference')!), label: 'Acme AI' }, { config });
  const { creditAccount, vault } = await findOwnerAddresses({ owner, mint });
  const purchase = await getPurchaseInstructionAsync({ mint, owner: createNoopSigner(owner), vault, source: address(params.get('source')!), credits: 250n });
  const account = await fetchMaybeCreditAccount(rpc, creditAccount);
  document.body.dataset.result = JSON.stringify({
    url: String(topUp.url),
    purchaseData: Array.from(purchase.data),
    purchaseKeys: purchase.accounts.map((a) => a.address),
    creditAccount,
    purchased: account.exists ? String(account.data.purchased) : null,
    hasGlobalBuffer: 'Buffer' in globalThis,
  });
}
main().catch((err) => (document.body.dataset.error = String(err?.stack ?? err)));
