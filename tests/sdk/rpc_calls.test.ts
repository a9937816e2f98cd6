// How many RPC round trips a balance and a history cost, counted at the
// connection (each Connection method is one HTTP request; getTransactions
// is one batched request): balance with the last top-up in at most 3
// (the config read once per client besides), a 200-transaction history in
// 2 + ceil(200 / 100).
import type { Connection } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import { JobEscrowClient, Tier, fetchHistory } from '../../sdk/src/index.js';
import { createTestWorld, type LiteSVMProvider } from '../../sdk/src/testing/index.js';
import { PROGRAM_PATH } from '../shared/index.js';

/** `provider` whose connection counts each RPC method called. */
function counting(provider: LiteSVMProvider) {
  const calls: string[] = [];
  const connection = new Proxy(provider.connection, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function' || typeof name !== 'string' || !name.startsWith('get')) return value;
      return (...args: unknown[]) => {
        calls.push(name);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Connection;
  return { provider: Object.assign(Object.create(Object.getPrototypeOf(provider)) as LiteSVMProvider, provider, { connection }), calls };
}

describe('RPC round trips of a balance and a history', () => {
  it('balance: 1 call, 3 with the last top-up; a 200-transaction history: 4', async () => {
    const world = createTestWorld({ programPath: PROGRAM_PATH });
    const alice = world.wallet({ usdc: 100_000_000n });
    await world.client(alice).purchase({ credits: 1_000n });
    const purchasedAt = Number(world.now());
    const operator = world.client(world.operator);
    // 99 jobs locked and refunded after the top-up: 198 more vault-less transactions (the vault's list holds only the purchase).
    for (let id = 1n; id <= 99n; id++) {
      world.warp(1);
      await operator.lock({ owner: alice.publicKey, jobId: id, tier: Tier.Lite, maxOutputTokens: 100 });
      await operator.refund({ owner: alice.publicKey, jobId: id });
    }
    const { provider, calls } = counting(world.provider(alice));
    const client = new JobEscrowClient(provider);
    await client.config(); // read once per client
    calls.length = 0;

    const balance = await client.getBalance();
    expect(balance.available).toBe(1_000n);
    expect(calls).toEqual(['getMultipleAccountsInfo']);

    calls.length = 0;
    const withTopUp = await client.getBalance({ withLastTopUp: true });
    expect(withTopUp.lastTopUpAt).toBe(purchasedAt);
    expect(calls).toEqual(['getMultipleAccountsInfo', 'getSignaturesForAddress', 'getTransactions']);

    calls.length = 0;
    const history = await client.history();
    expect(history.map((e) => e.kind)).toEqual(['open', 'purchase', ...Array.from({ length: 99 }, () => ['lock', 'refund']).flat()]);
    // 200 transactions (open + purchase, 198 job transactions): the two signature lists, then two batched reads of 100.
    expect(calls).toEqual(['getSignaturesForAddress', 'getSignaturesForAddress', 'getTransactions', 'getTransactions']);
    // fetchHistory alone (what the client's history() calls) is the same.
    calls.length = 0;
    await fetchHistory(provider.connection, alice.publicKey, { mint: world.mint, programId: world.programId });
    expect(calls).toHaveLength(4);
  });

  it('the last top-up is found past 100 later vault transactions, 100 at a time; none at all is null', async () => {
    const world = createTestWorld({ programPath: PROGRAM_PATH });
    const bob = world.wallet({ usdc: 100_000_000n });
    const client = world.client(bob);
    await client.openCreditAccount();
    expect((await client.getBalance({ withLastTopUp: true })).lastTopUpAt).toBeNull();
    await client.purchase({ credits: 1_000n });
    const purchasedAt = Number(world.now());
    // 120 withdrawals of one credit: vault transactions after the top-up.
    for (let i = 0; i < 120; i++) {
      world.warp(1);
      await client.withdraw({ credits: 1n });
    }
    const { provider, calls } = counting(world.provider(bob));
    const counted = new JobEscrowClient(provider);
    await counted.config();
    calls.length = 0;
    expect((await counted.getBalance({ withLastTopUp: true })).lastTopUpAt).toBe(purchasedAt);
    expect(calls).toEqual(['getMultipleAccountsInfo', 'getSignaturesForAddress', 'getTransactions', 'getSignaturesForAddress', 'getTransactions']);
  });
});
