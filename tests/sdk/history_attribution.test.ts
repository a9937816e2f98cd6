// Which account an event belongs to, when job_escrow is also invoked through
// a CPI: an attacker's transaction that (0) calls a wrapper program which
// CPIs into `purchase` for the attacker's account B, then (1) calls
// `set_spending_limit` on the victim's account A. Counting events against
// top-level job_escrow instructions pins B's purchase on A (a forged
// `credit.topup` webhook and an inflated balance in A's index). The history
// attributes each event to the invocation that logged it: the top-level
// instruction at depth 1, or the n-th job_escrow inner instruction
// (meta.innerInstructions) inside a CPI. The transaction is assembled from
// two real ones run on the embedded bank (their logs and instructions),
// as getTransaction would return the attacker's one.
import { Keypair, PublicKey, TransactionMessage, type Connection } from '@solana/web3.js';
import bs58 from 'bs58';
import { describe, expect, it } from 'vitest';
import { getPurchaseInstruction, getSetSpendingLimitInstruction } from '../../sdk/src/index.js';
import { newReplayState, replayTransaction } from '../../sdk/src/history.js';
import { createTestWorld } from '../../sdk/src/testing/index.js';
import { PROGRAM_PATH } from '../shared/index.js';

describe('history: events attributed to the invocation that logged them', () => {
  it('a purchase logged inside a CPI is B’s, not the top-level instruction A’s that follows it', async () => {
    const world = createTestWorld({ programPath: PROGRAM_PATH });
    const [alice, mallory] = [world.wallet({ usdc: 10_000_000n }), world.wallet({ usdc: 10_000_000n })];
    for (const w of [alice, mallory]) await world.client(w).openCreditAccount();
    const [a, b] = await Promise.all([alice, mallory].map((w) => world.client(w).addresses()));
    // Two real transactions: B's purchase and A's spending limit (their logs hold the real events).
    const purchase = getPurchaseInstruction({ owner: mallory.publicKey, mint: world.mint, source: world.usdcAddress(mallory.publicKey) }, { credits: 100n });
    const limit = getSetSpendingLimitInstruction({ owner: alice.publicKey }, { maxCreditsPerJob: 5n });
    const purchaseLogs = world.send(purchase, [mallory]).logs;
    const limitLogs = world.send(limit, [alice]).logs;

    // The attacker's transaction: [wrapper → CPI purchase(B)], [set_spending_limit(A)].
    const wrapper = Keypair.generate().publicKey;
    const wrapperIx = { programId: wrapper, keys: [...purchase.keys, { pubkey: world.programId, isSigner: false, isWritable: false }], data: Buffer.alloc(0) };
    const message = new TransactionMessage({ payerKey: mallory.publicKey, recentBlockhash: world.svm.latestBlockhash(), instructions: [wrapperIx, limit] }).compileToLegacyMessage();
    const index = (k: PublicKey) => message.accountKeys.findIndex((x) => x.equals(k));
    const nested = purchaseLogs.map((l) => l.replace(/ invoke \[(\d+)\]$/, (_, d) => ` invoke [${Number(d) + 1}]`));
    const tx = {
      slot: 1,
      blockTime: 1_800_000_000,
      transaction: { message, signatures: ['attack'] },
      meta: {
        err: null,
        logMessages: [`Program ${wrapper.toBase58()} invoke [1]`, ...nested, `Program ${wrapper.toBase58()} success`, ...limitLogs],
        innerInstructions: [{ index: 0, instructions: [{ programIdIndex: index(world.programId), accounts: purchase.keys.map((k) => index(k.pubkey)), data: bs58.encode(purchase.data), stackHeight: 2 }] }],
        preTokenBalances: [],
        postTokenBalances: [],
      },
    } as unknown as NonNullable<Awaited<ReturnType<Connection['getTransaction']>>>;

    // Then A's history of it is its spending limit only, and B's is its purchase
    const ofA = replayTransaction(tx, 'attack', { credit: a.creditAccount, vault: a.vault, programId: world.programId }, newReplayState());
    const ofB = replayTransaction(tx, 'attack', { credit: b.creditAccount, vault: b.vault, programId: world.programId }, newReplayState());
    expect(ofA.map((e) => [e.kind, e.credits])).toEqual([['limit', 5n]]);
    expect(ofB.map((e) => [e.kind, e.credits, e.usdc])).toEqual([['purchase', 100n, 1_000_000n]]);
    expect(ofA[0].position).toBe(1);
    expect(ofB[0].position).toBe(0);
  });
});
