// Bundled for the browser by tests/web/browser_bundle.test.ts and run in
// Chromium: the SDK's core (PDAs, builders, pricing, errors, decoders) with
// no Node module and no global Buffer. Reports what it computed on the page.
import { PublicKey } from '@solana/web3.js';
import {
  JobEscrowErrorCode,
  availableCredits,
  findCreditAccountPda,
  findVaultAddress,
  getLockBatchInstruction,
  getLockInstruction,
  getRefundInstruction,
  quote,
} from '../../../sdk/src/index.js';

const owner = new PublicKey(new URLSearchParams(location.search).get('owner')!);
const mint = new PublicKey(new URLSearchParams(location.search).get('mint')!);
const [credit] = findCreditAccountPda(owner);
const other = new PublicKey(new URLSearchParams(location.search).get('other')!);
const [otherCredit] = findCreditAccountPda(other);
const ix = getLockInstruction({ authority: owner, creditAccount: credit, mint }, { jobId: 42n, tier: 2, maxOutputTokens: 2_000 });
const refund = getRefundInstruction({ authority: owner, creditAccount: credit }, { jobId: 42n });
const batch = getLockBatchInstruction({ authority: owner }, [
  { creditAccount: otherCredit, vault: findVaultAddress(otherCredit, mint), jobId: 1n, tier: 0, maxOutputTokens: 100 },
  { creditAccount: credit, vault: findVaultAddress(credit, mint), jobId: 2n, tier: 1, maxOutputTokens: 200 },
]);
const result = {
  credit: credit.toBase58(),
  vault: findVaultAddress(credit, mint).toBase58(),
  refundData: Array.from(refund.data),
  batchData: Array.from(batch.data),
  batchKeys: batch.keys.map((k) => k.pubkey.toBase58()),
  lockData: Array.from(ix.data),
  lockKeys: ix.keys.map((k) => k.pubkey.toBase58()),
  quote: String(quote(2, 1_700)),
  available: String(availableCredits({ vaultAmount: 1_500_000n, feesAccrued: 20_000n, locked: 12n, pricePerCredit: 10_000n })),
  paused: JobEscrowErrorCode.Paused,
  hasGlobalBuffer: 'Buffer' in globalThis,
};
document.body.dataset.result = JSON.stringify(result);
