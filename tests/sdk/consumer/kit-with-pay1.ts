// A Kit app that also uses @solana/pay 1.x (run from the packed
// @job-escrow/kit in a fresh project where @solana/pay@1 chose @solana/kit 6
// and @solana-program/token 0.12; see scripts/check-kit-package.sh). The
// top-up URL this package makes is read back by @solana/pay's own parser,
// and the URL @solana/pay encodes from the same fields is the same request;
// then the program's lifecycle runs on that @solana/kit. Prints one JSON line.
import { encodeURL, parseURL, type TransferRequestURL } from '@solana/pay';
import { address } from '@solana/kit';
import { createTopUpUrl, findVaultAddress, getOpenCreditAccountInstructionAsync, getPurchaseInstructionAsync, fetchCreditAccount } from '@job-escrow/kit';
import { createKitTestWorld } from '@job-escrow/kit/testing';

function expect(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

async function main(): Promise<void> {
  const world = await createKitTestWorld();
  const alice = await world.wallet({ usdc: 10_000_000n });
  const config = { mint: world.mint, pricePerCredit: 10_000n, minPurchaseCredits: 100n };
  const request = await createTopUpUrl({ owner: alice.address, credits: 250n, label: 'Credits', message: '250 credits' }, { config });

  const parsed = parseURL(request.url.toString()) as TransferRequestURL;
  expect(parsed.recipient === request.recipient, `@solana/pay reads the recipient ${parsed.recipient}`);
  expect(parsed.splToken === world.mint, '@solana/pay reads the mint');
  expect(parsed.amount === 2.5, `@solana/pay reads 2.5 USDC, not ${parsed.amount}`);
  expect(parsed.reference?.[0] === request.reference && parsed.label === 'Credits' && parsed.message === '250 credits', '@solana/pay reads reference, label and message');
  const theirs = encodeURL({ recipient: request.recipient, amount: 2.5, splToken: world.mint, reference: request.reference, label: 'Credits', message: '250 credits' });
  expect(new URL(theirs.toString()).searchParams.toString() === request.url.searchParams.toString(), `@solana/pay encodes the same request: ${theirs} vs ${request.url}`);
  expect(request.vault === (await findVaultAddress({ creditAccount: request.recipient, mint: world.mint })), 'the vault is the ATA of the credit account');

  // The same Kit (6.x here) drives the program: open and buy the 250 credits.
  const aliceUsdc = await world.usdcAddress(alice.address);
  await world.send([await getOpenCreditAccountInstructionAsync({ payer: alice, owner: alice.address, mint: world.mint, vault: request.vault })], alice);
  await world.send([await getPurchaseInstructionAsync({ owner: alice, vault: request.vault, source: aliceUsdc, mint: world.mint, credits: 250n })], alice);
  const account = await fetchCreditAccount(world.rpc, address(request.recipient));
  console.log(JSON.stringify({ purchased: String(account.data.purchased), vault: String(world.tokenBalance(request.vault)) }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
