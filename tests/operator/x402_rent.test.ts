// The rent harvest, tried as an attacker would: fresh keypairs that never
// pay each sign one request (the paywall opens their credit account, the
// operator paying the rent), then close the account. The program pays the
// rent back to whoever paid it (the operator), so the operator loses only
// transaction fees, and the paywall opens at most `newAccounts.max` accounts
// per period for wallets that have not paid. The paywall runs on the
// embedded LiteSVM world behind a loopback HTTP server; its facilitator is
// a stand-in that lists the `exact` scheme and refuses every payment (no
// payment is made here; the real facilitator is in tests/validator/x402.test.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKeyPairSignerFromBytes } from '@solana/kit';
import { Keypair } from '@solana/web3.js';
import type { FacilitatorClient } from '@x402/core/server';
import { SOLANA_DEVNET_CAIP2 } from '@x402/svm';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCreditAccount, findCreditAccountPda } from '../../sdk/src/index.js';
import { createTestWorld, type TestWorld } from '../../sdk/src/testing/index.js';
import { createCreditPaywall, signAgentRequest, type OpeningBudgetOptions } from '../../sdk/src/x402/index.js';
import { PROGRAM_PATH } from '../shared/index.js';

const NETWORK = SOLANA_DEVNET_CAIP2;
const FEE = 5_000n;

const refusingFacilitator = (feePayer: string): FacilitatorClient => ({
  getSupported: async () => ({ kinds: [{ x402Version: 2, scheme: 'exact', network: NETWORK, extra: { feePayer } }], extensions: [], signers: {} }),
  verify: async () => ({ isValid: false, invalidReason: 'not_paid_in_this_test', payer: feePayer }),
  settle: async () => ({ success: false, errorReason: 'not_paid_in_this_test', transaction: '', network: NETWORK }),
});

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) (s.close(), s.closeAllConnections());
});

async function startApi(world: TestWorld, newAccounts?: OpeningBudgetOptions) {
  const paywall = createCreditPaywall({
    client: world.client(world.operator),
    facilitator: refusingFacilitator(Keypair.generate().publicKey.toBase58()),
    network: NETWORK,
    jobOf: () => ({ tier: 1, maxOutputTokens: 500 }),
    providerTokenAccount: world.treasury,
    newAccounts,
  });
  await paywall.initialize();
  const server = createServer((req, res) => {
    void paywall.handle(req, res, async (job) => {
      await job.refund();
      res.writeHead(200).end('served');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  /** One request signed by `agent`. */
  return async (agent: Keypair) => {
    const signer = await createKeyPairSignerFromBytes(agent.secretKey);
    const res = await fetch(`${url}/v1/infer`, { headers: await signAgentRequest(signer, 'GET', '/v1/infer') });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };
}

describe('x402 paywall: the operator’s SOL is safe from wallets that never pay', () => {
  it('100 fresh keypairs each sign one request, then close their account: the operator loses only the fees', async () => {
    // Given a paywall that may open 100 accounts an hour for wallets that have not paid
    const world = createTestWorld({ programPath: PROGRAM_PATH });
    const request = await startApi(world, { max: 100 });
    const operatorBefore = world.lamports(world.operator.publicKey);
    const agents = Array.from({ length: 100 }, () => world.wallet({ sol: 0.01 }));
    // When each signs one request (its account is opened, the operator paying the rent: 402, credits low)
    for (const agent of agents) {
      const r = await request(agent);
      expect(r.status).toBe(402);
      const [credit] = findCreditAccountPda(agent.publicKey);
      expect(decodeCreditAccount(world.account(credit)!.data).rentPayer).toEqual(world.operator.publicKey);
    }
    const opened = operatorBefore - world.lamports(world.operator.publicKey);
    expect(opened).toBeGreaterThan(100n * 4_000_000n); // about 0.0042 SOL of rent each, tied up
    // And then each closes its account
    const agentsBefore = agents.map((a) => world.lamports(a.publicKey));
    for (const agent of agents) await world.client(agent).closeCreditAccount();
    // Then the operator is down by exactly the 100 opening fees, and no agent gained a lamport
    expect(operatorBefore - world.lamports(world.operator.publicKey)).toBe(100n * FEE);
    agents.forEach((a, i) => expect(world.lamports(a.publicKey)).toBe(agentsBefore[i] - FEE));
  }, 120_000);

  it('opens at most newAccounts.max accounts per period for wallets that have not paid: the next gets 429 and costs nothing', async () => {
    const world = createTestWorld({ programPath: PROGRAM_PATH });
    const request = await startApi(world, { max: 3, periodMs: 3_600_000 });
    for (let i = 0; i < 3; i++) expect((await request(world.wallet({ sol: 0.01 }))).status).toBe(402);
    const before = world.lamports(world.operator.publicKey);
    // (0.02 SOL: enough for it to open its own account below, 0.0109 SOL of rent with 16 job slots)
    const late = world.wallet({ sol: 0.02 });
    const refused = await request(late);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: 'account_opening_limited' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3_500);
    expect(world.account(findCreditAccountPda(late.publicKey)[0])).toBeNull();
    expect(world.lamports(world.operator.publicKey)).toBe(before);
    // A wallet that opened its own account is served as before (402: it has no credits yet)
    await world.client(late).openCreditAccount();
    expect((await request(late)).status).toBe(402);
  });

  it('concurrent first requests of one wallet share one open and one budget slot: none fails, the budget is not given back', async () => {
    // Given a budget of one opening
    const world = createTestWorld({ programPath: PROGRAM_PATH });
    const request = await startApi(world, { max: 1 });
    const before = world.lamports(world.operator.publicKey);
    // When one fresh wallet sends five signed requests at once
    const agent = world.wallet({ sol: 0.01 });
    const answers = await Promise.all(Array.from({ length: 5 }, () => request(agent)));
    // Then each is answered 402 (credits low), one account was opened, with one fee
    expect(answers.map((a) => a.status)).toEqual([402, 402, 402, 402, 402]);
    const rent = BigInt(world.account(findCreditAccountPda(agent.publicKey)[0])!.lamports);
    expect(before - world.lamports(world.operator.publicKey)).toBeGreaterThan(rent);
    expect(before - world.lamports(world.operator.publicKey)).toBeLessThan(rent * 3n); // one open, not five
    // And its slot is still counted: the next stranger is refused
    expect((await request(world.wallet({ sol: 0.01 }))).status).toBe(429);
  });

  it('with newAccounts.max 0 the paywall never spends the operator’s SOL on a stranger', async () => {
    const world = createTestWorld({ programPath: PROGRAM_PATH });
    const request = await startApi(world, { max: 0 });
    const before = world.lamports(world.operator.publicKey);
    expect((await request(world.wallet({ sol: 0.01 }))).status).toBe(429);
    expect(world.lamports(world.operator.publicKey)).toBe(before);
  });
});
