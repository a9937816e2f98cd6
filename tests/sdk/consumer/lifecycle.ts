// A dApp developer's test, run from the packed SDK in a fresh project (see
// scripts/check-sdk-package.sh): compiled with `tsc --strict` (no
// skipLibCheck) once as ESM (.mts) and once as CommonJS (.cts), then run in
// fresh Node processes. It prints one JSON line; any failure or crash exits
// non-zero. Float math between transactions catches a runtime that leaves
// the FPU dirty (LiteSVM 0.8's JIT did).
import { JobEscrowErrorCode, Tier, isJobEscrowError, type HistoryEntry } from '@job-escrow/sdk';
import { createTestWorld } from '@job-escrow/sdk/testing';

function floats(): number {
  let x = 0;
  for (let i = 1; i <= 50; i++) x += ((i * 0.1) % 0.7) / 3;
  return x;
}
const baseline = floats(); // before LiteSVM runs anything

function checkFloats(step: string): void {
  const x = floats();
  if (x !== baseline) throw new Error(`float math broke after ${step}: ${x}, expected ${baseline}`);
}

function expect(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

async function main(): Promise<void> {
  const world = createTestWorld();
  const alice = world.wallet({ usdc: 10_000_000n });
  const user = world.client(alice);
  const operator = world.client(world.operator);
  const owner = alice.publicKey;
  const worker = world.wallet({ usdc: 0n });

  const bought = await user.purchase({ credits: 500 });
  expect(bought.opened, 'purchase opens the credit account');
  checkFloats('purchase');
  await operator.lock({ owner, jobId: 1, tier: Tier.Standard, maxOutputTokens: 2_000 });
  await operator.lock({ owner, jobId: 2, tier: Tier.Lite, maxOutputTokens: 1_000 });
  checkFloats('lock');
  await operator.settle({ owner, jobId: 1, outputTokens: 1_200, providerShareBps: 8_000, providerTokenAccount: world.usdcAddress(worker.publicKey) });
  await operator.refund({ owner, jobId: 2 });
  checkFloats('settle/refund');
  await user.withdraw({ credits: 100 });
  const rejected = await user.withdraw({ credits: 1_000 }).catch((err: unknown) => err);
  expect(isJobEscrowError(rejected, JobEscrowErrorCode.InsufficientCredits), `withdrawing too much is InsufficientCredits, got ${String(rejected)}`);

  const balance = await user.getBalance();
  const history: HistoryEntry[] = await user.history();
  const kinds = history.map((e) => e.kind).join(',');
  expect(kinds === 'open,purchase,lock,lock,settle,refund,withdraw', `history: ${kinds}`);
  // 500 bought, 11 charged (8 + ceil(700 * 4 / 1000)), 100 withdrawn
  expect(balance.available === 389n && balance.locked === 0n, `balance: ${balance.available}/${balance.locked}`);
  expect(world.tokenBalance(world.usdcAddress(worker.publicKey)) === 88_000n, 'the worker got 80 % of 11 credits');
  checkFloats('history');
  console.log(JSON.stringify({ ok: true, available: String(balance.available), history: kinds }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
