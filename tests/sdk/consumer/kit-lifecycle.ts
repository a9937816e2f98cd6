// A Kit developer's test, run from the packed @job-escrow/kit in a fresh project with
// @solana/kit and no web3.js code of ours (see scripts/check-kit-package.sh):
// compiled with `tsc --strict` (no skipLibCheck), run in Node against the
// shipped program in LiteSVM 1.x. Opens, purchases, locks, settles and
// withdraws through `@job-escrow/kit` only; prints one JSON line.
import { isSolanaError, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM } from '@solana/kit';
import {
  JOB_ESCROW_ERROR__INSUFFICIENT_CREDITS,
  TierLevel,
  findOwnerAddresses,
  getLockInstructionAsync,
  getOpenCreditAccountInstructionAsync,
  getPurchaseInstructionAsync,
  getSettleInstructionAsync,
  getWithdrawInstructionAsync,
  isJobEscrowError,
  parseEvents,
  quote,
  summarizeBalance,
  decodeCreditAccount,
} from '@job-escrow/kit';
import { createKitTestWorld, KitTransactionFailed } from '@job-escrow/kit/testing';

function expect(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

async function main(): Promise<void> {
  const world = await createKitTestWorld();
  const alice = await world.wallet({ usdc: 10_000_000n });
  const worker = await world.wallet();
  const workerUsdc = await world.usdcAddress(worker.address);
  world.writeTokenAccount(workerUsdc, worker.address, 0n);
  const aliceUsdc = await world.usdcAddress(alice.address);
  const { creditAccount, vault } = await findOwnerAddresses({ owner: alice.address, mint: world.mint });

  await world.send([await getOpenCreditAccountInstructionAsync({ payer: alice, owner: alice.address, mint: world.mint, vault })], alice);
  const bought = await world.send([await getPurchaseInstructionAsync({ owner: alice, vault, source: aliceUsdc, mint: world.mint, credits: 500n })], alice);
  expect(parseEvents(bought.logs)[0]?.name === 'CreditsPurchased', 'purchase logs CreditsPurchased');
  expect(world.tokenBalance(vault) === 5_000_000n, 'the vault holds 5 USDC');

  const lock = (jobId: bigint, tier: TierLevel, maxOutputTokens: number) =>
    getLockInstructionAsync({ authority: world.operator, creditAccount, vault, jobId, tier, maxOutputTokens });
  await world.send([await lock(1n, TierLevel.Standard, 2_000)], world.operator);

  const tooBig = await lock(2n, TierLevel.Max, 100_000); // 2,030 credits
  const refused = await world.send([tooBig], world.operator).then(() => null, (e: unknown) => e);
  expect(refused instanceof KitTransactionFailed, 'a lock above the balance is refused');
  const cause = (refused as KitTransactionFailed).cause;
  expect(isSolanaError(cause, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM), 'the refusal is a custom program error');
  expect(isJobEscrowError(cause, { instructions: { 0: tooBig } }, JOB_ESCROW_ERROR__INSUFFICIENT_CREDITS), 'the refusal is InsufficientCredits');

  const lockedAccount = world.svm.getAccount(creditAccount);
  if (!lockedAccount.exists) throw new Error('credit account missing');
  const slot = decodeCreditAccount(lockedAccount).data.jobSlots.find((s) => s.expiresAt !== 0n);
  expect(slot?.jobId === 1n && slot.tier === TierLevel.Standard, 'job 1 is in a slot of the credit account');

  const settled = await world.send(
    [await getSettleInstructionAsync({ operator: world.operator, creditAccount, vault, providerTokenAccount: workerUsdc, mint: world.mint, jobId: 1n, outputTokens: 1_200, providerShareBps: 8_000 })],
    world.operator,
  );
  const charged = quote(TierLevel.Standard, 1_200);
  const event = parseEvents(settled.logs)[0];
  expect(event?.name === 'JobSettled' && event.data.creditsCharged === charged && event.data.creditAccount === creditAccount, 'settle charges the quote, naming the credit account');

  const account = world.svm.getAccount(creditAccount);
  if (!account.exists) throw new Error('credit account missing');
  const balance = summarizeBalance(decodeCreditAccount(account).data, world.tokenBalance(vault), 10_000n);
  expect(balance.available === 500n - charged, `available is ${balance.available}`);

  await world.send([await getWithdrawInstructionAsync({ owner: alice, vault, destination: aliceUsdc, mint: world.mint, credits: balance.withdrawable })], alice);
  console.log(JSON.stringify({ charged: String(charged), withdrawn: String(balance.withdrawable), vaultLeft: String(world.tokenBalance(vault)), aliceUsdc: String(world.tokenBalance(aliceUsdc)) }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
