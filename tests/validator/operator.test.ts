// `job-escrow operator` as an operator runs it: a process against a real
// solana-test-validator, with its faults injected — killed and restarted
// mid-stream, a webhook receiver that is down for a while, an RPC proxy that
// fails a share of requests. Users and the platform act through the SDK; the
// assertions read the chain, the operator's HTTP API and what the webhook
// receiver got.
import { join } from 'node:path';
import { AnchorProvider, Wallet } from '@coral-xyz/anchor';
import { createAssociatedTokenAccount, getOrCreateAssociatedTokenAccount, mintTo } from '@solana/spl-token';
import { Keypair, Transaction, type PublicKey } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEscrowClient, LookupTables, PayerPool, findCreditAccountPda, getInitializeConfigInstruction, type HistoryEntry } from '../../sdk/src/index.js';
import { verifyWebhook } from '../../sdk/src/operator/index.js';
import { faultyProxy, receiver, sleep, startOperatorProcess, stopProcess, waitFor } from './faults.js';
import { startValidator, type LocalValidator } from './harness.js';

const SECRET = 'whsec-test-secret';
const RPC_PORT = 16899;
let v: LocalValidator;
const provider = (kp: Keypair) => new AnchorProvider(v.connection, new Wallet(kp), { commitment: 'confirmed' });

const API_KEY = 'test-api-key';
const AUTHORIZED = { authorization: `Bearer ${API_KEY}` };
const getJson = async (url: string, key: string | null = API_KEY) => {
  const res = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** The webhook ids the operator must send for `history` (one account), in order: `<type>:<signature>:<position>`, the entry's transaction-wide id. */
function expectedHookIds(history: HistoryEntry[]): string[] {
  const type: Partial<Record<HistoryEntry['kind'], string>> = { purchase: 'credit.topup', deposit: 'credit.topup', lock: 'job.locked', settle: 'job.settled', refund: 'job.refunded' };
  return history.flatMap((e) => (type[e.kind] ? [`${type[e.kind]}:${e.id}`] : []));
}

describe('job-escrow operator against solana-test-validator', () => {
  let operator: { keypair: Keypair; path: string };
  let opClient: JobEscrowClient;
  let dbDir: string;

  async function user(usdc = 100_000_000n) {
    const w = await v.wallet();
    const ata = await createAssociatedTokenAccount(v.connection, v.admin, v.mint, w.keypair.publicKey);
    await mintTo(v.connection, v.admin, v.mint, ata, v.mintAuthority, usdc);
    return { ...w, client: new JobEscrowClient(provider(w.keypair)), owner: w.keypair.publicKey };
  }
  const lockAt = (owner: PublicKey, jobId: bigint, maxOutputTokens = 500) => opClient.lock({ owner, jobId, tier: 1, maxOutputTokens });

  beforeAll(async () => {
    v = await startValidator({ rpcPort: RPC_PORT });
    dbDir = v.dir;
    operator = await v.wallet(100);
    opClient = new JobEscrowClient(provider(operator.keypair));
    const treasury = await createAssociatedTokenAccount(v.connection, v.admin, v.mint, v.admin.publicKey);
    await provider(v.admin).sendAndConfirm(
      new Transaction().add(
        getInitializeConfigInstruction({ admin: v.admin.publicKey, mint: v.mint, treasury }, { operator: operator.keypair.publicKey, jobTimeoutSecs: 10 }),
      ),
    );
  }, 240_000);
  afterAll(async () => v?.stop());

  it('refunds every expired job within 5 s of expiry with nobody calling, and its API matches the chain at each step', async () => {
    const op = await startOperatorProcess(['--url', v.url, '--keypair', operator.path, '--db', join(dbDir, 'a.sqlite'), '--port', '0', '--api-key', API_KEY, '--payers', '2', '--payer-sol', '0.1', '--lookup-tables']);
    // Refund fees come from two keys derived from the operator's, funded by it on start.
    const pool = (await PayerPool.derive(operator.keypair, 2)).publicKeys;
    for (const key of pool) expect(await v.connection.getBalance(key)).toBe(100_000_000);
    try {
      const alice = await user();
      const account = async () => (await getJson(`${op.api}/v1/account/${alice.owner.toBase58()}`)).body;
      const matchesChain = async () => {
        const b = await alice.client.getBalance();
        const got = await account();
        return got.creditsRemaining === String(b.available) && got.locked === String(b.locked) && got.withdrawable === String(b.withdrawable) && got.usdcValue === b.usdcValue;
      };
      expect((await getJson(`${op.api}/v1/account/${alice.owner.toBase58()}`)).status).toBe(404);
      await alice.client.purchase({ credits: 300 });
      expect(await matchesChain()).toBe(true);
      const topUp = await waitFor('the index to see the top-up', async () => (await account()).lastTopUpAt as string | null);
      expect(Date.parse(topUp)).toBeGreaterThan(Date.now() - 120_000);
      for (const id of [1n, 2n, 3n]) await lockAt(alice.owner, id);
      expect(await matchesChain()).toBe(true);
      expect((await account()).locked).toBe('24'); // three Standard jobs of 500 tokens, 8 credits each
      const expiries = new Map((await opClient.openJobs({ owner: alice.owner })).map(({ job }) => [String(job.jobId), job.expiresAt]));

      // Nobody calls refund: the operator must.
      await waitFor('the operator to refund all three', async () => (await opClient.openJobs({ owner: alice.owner })).length === 0, 40_000);
      expect(await matchesChain()).toBe(true);
      expect(await account()).toMatchObject({ creditsRemaining: '300', locked: '0', openJobs: 0 });
      // Latency on the chain's own clock: the refund's block time minus the job's expires_at (whole seconds).
      const reported = () =>
        op.stderr.flatMap((l) => {
          const m = /^refunded job (\d+) of \w+ (-?[\d.]+) s after expiry \((\w+)\)/.exec(l);
          return m ? [{ job: m[1], reported: Number(m[2]), signature: m[3] }] : [];
        });
      // The chain may show a job closed a poll before the operator has seen its confirmation.
      const refunds = await waitFor('the operator to report three refunds', async () => reported().length >= expiries.size && reported(), 10_000).catch(() => reported());
      if (refunds.length !== expiries.size) console.log(op.stderr.join('\n'));
      expect(refunds.map((r) => r.job).sort()).toEqual([...expiries.keys()].sort());
      const onChain = await Promise.all(
        refunds.map(async (r) => Number((await v.connection.getTransaction(r.signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 }))!.blockTime) - Number(expiries.get(r.job))),
      );
      expect(Math.max(...onChain)).toBeLessThanOrEqual(5);
      const feePayers = await Promise.all(
        refunds.map(async (r) => (await v.connection.getTransaction(r.signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 }))!.transaction.message.staticAccountKeys[0].toBase58()),
      );
      expect(feePayers.every((k) => pool.some((p) => p.toBase58() === k))).toBe(true);
      // --lookup-tables: the crank put the credit account into a lookup table of the operator's key (the refunds
      // name it plainly until that entry is rooted: a leader resolves lookups against its rooted bank).
      const tables = await LookupTables.load(v.connection, operator.keypair);
      expect(tables.accounts.flatMap((t) => t.state.addresses.map(String))).toContain(String(findCreditAccountPda(alice.owner)[0]));
      const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
      console.log(
        `refund latency after expiry: on-chain block time ${sorted(onChain).join(', ')} s; the operator's own measure median ${sorted(refunds.map((r) => r.reported))[1].toFixed(2)} s, max ${Math.max(...refunds.map((r) => r.reported)).toFixed(2)} s`,
      );

      // The transaction list, JSON and CSV, and the API's 4xx answers.
      const txs = await waitFor('the index to see the refunds', async () => {
        const r = (await getJson(`${op.api}/v1/account/${alice.owner.toBase58()}/transactions?limit=50`)).body.transactions as { type: string }[];
        return r.filter((t) => t.type === 'refund').length === 3 && r;
      });
      expect(txs.map((t) => t.type)).toEqual(['refund', 'refund', 'refund', 'lock', 'lock', 'lock', 'purchase', 'open']);
      const page = (await getJson(`${op.api}/v1/account/${alice.owner.toBase58()}/transactions?limit=3`)).body;
      const next = (await getJson(`${op.api}/v1/account/${alice.owner.toBase58()}/transactions?limit=10&before=${page.nextBefore}`)).body.transactions as { type: string }[];
      expect(next.map((t) => t.type)).toEqual(['lock', 'lock', 'lock', 'purchase', 'open']);
      const csv = await (await fetch(`${op.api}/v1/account/${alice.owner.toBase58()}/transactions?format=csv`, { headers: AUTHORIZED })).text();
      expect(csv.split('\n')[0]).toBe('time,kind,id,job_id,credits,usdc,available_after,locked_after,signature'); // the SDK's toCsv columns
      expect(csv.trim().split('\n')).toHaveLength(9);
      expect((await getJson(`${op.api}/v1/account/nope`)).body).toEqual({ error: 'bad_request', message: 'Not a wallet address: nope.' });
      expect((await getJson(`${op.api}/v1/account/${alice.owner.toBase58()}/transactions?limit=0`)).status).toBe(400);
      expect((await getJson(`${op.api}/v1/elsewhere`)).status).toBe(404);
      expect((await fetch(`${op.api}/v1/account/${alice.owner.toBase58()}`, { method: 'POST', body: 'x', headers: AUTHORIZED })).status).toBe(405);
      const started = Date.now();
      for (let i = 0; i < 20; i++) await account();
      console.log(`API latency, GET /v1/account: ${((Date.now() - started) / 20).toFixed(1)} ms average over 20`);
      const metrics = await (await fetch(`${op.api}/metrics`, { headers: AUTHORIZED })).text();
      expect(metrics).toMatch(/^job_escrow_refunds_total 3$/m);
      expect((await getJson(`${op.api}/healthz`, null)).body).toMatchObject({ ok: true });
      expect(await getJson(`${op.api}/v1/account/${alice.owner.toBase58()}`, null)).toEqual({ status: 401, body: { error: 'unauthorized', message: 'Missing or wrong API key (Authorization: Bearer <key>).' } });
      expect((await getJson(`${op.api}/v1/account/${alice.owner.toBase58()}`, 'wrong')).status).toBe(401);
      expect((await fetch(`${op.api}/v1/account/${'x'.repeat(3_000)}`)).status).toBe(414);

      // The rest of the lifecycle, the API equal to the chain after each step.
      await lockAt(alice.owner, 4n, 2_000);
      expect(await matchesChain()).toBe(true);
      const worker = await createAssociatedTokenAccount(v.connection, v.admin, v.mint, Keypair.generate().publicKey);
      await opClient.settle({ owner: alice.owner, jobId: 4n, outputTokens: 1_200, providerShareBps: 8_000, providerTokenAccount: worker });
      expect(await matchesChain()).toBe(true);
      const operatorUsdc = await getOrCreateAssociatedTokenAccount(v.connection, v.admin, v.mint, operator.keypair.publicKey);
      await mintTo(v.connection, v.admin, v.mint, operatorUsdc.address, v.mintAuthority, 10_000_000n); // the grant's USDC
      await opClient.grantCredits({ owner: alice.owner, credits: 50n });
      expect(await matchesChain()).toBe(true);
      expect(await account()).toMatchObject({ promoCredits: '50', lifetime: { granted: '50' } });
      await alice.client.withdraw({ credits: 100n });
      expect(await matchesChain()).toBe(true);
      expect(await account()).toMatchObject({ lifetime: { withdrawn: '100' } });

      // A burst over the rate limit (20 per second, burst 40) is told to slow down.
      const statuses = await Promise.all(Array.from({ length: 80 }, () => fetch(`${op.api}/healthz`).then((r) => r.status)));
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    } finally {
      await stopProcess(op);
    }
  }, 180_000);

  it('a restart mid-stream and a webhook receiver that is down lose and duplicate nothing; every webhook verifies', async () => {
    const hooks = receiver(SECRET);
    const hookUrl = await hooks.listen();
    const db = join(dbDir, 'b.sqlite');
    const args = ['--url', v.url, '--keypair', operator.path, '--db', db, '--port', '0', '--webhook-url', hookUrl, '--webhook-secret', SECRET, '--low-threshold', '150'];
    const bob = await user();
    let op = await startOperatorProcess(args);
    try {
      const indexedAtLeast = async (n: number) => ((await getJson(`${op.api}/v1/account/${bob.owner.toBase58()}/transactions`)).body.transactions as unknown[]).length >= n;
      await bob.client.purchase({ credits: 200 });
      await waitFor('the index to hold the top-up', () => indexedAtLeast(2));
      await waitFor('a delivery to the receiver, which is down, to fail and stay queued', async () => hooks.refused() > 0, 10_000);
      // The worker's account first: job 1 (a 10-s timeout) is settled right after the kill, before the restarted crank could see it expire.
      const worker = await createAssociatedTokenAccount(v.connection, v.admin, v.mint, Keypair.generate().publicKey);
      await lockAt(bob.owner, 1n, 2_000); // 14 credits: 186 left
      await waitFor('the index to hold the lock', () => indexedAtLeast(3));
      await stopProcess(op, 'SIGKILL'); // no chance to clean up

      // While the operator is down: a settle, a lock that falls below 150 (credit.low), one that will expire.
      await opClient.settle({ owner: bob.owner, jobId: 1n, outputTokens: 900, providerShareBps: 8_000, providerTokenAccount: worker });
      await opClient.lock({ owner: bob.owner, jobId: 2n, tier: 3, maxOutputTokens: 500 }); // 40 credits
      await opClient.lock({ owner: bob.owner, jobId: 3n, tier: 1, maxOutputTokens: 500 }); // 8 credits: now below 150

      op = await startOperatorProcess(args);
      await sleep(3_000);
      hooks.setDown(false);
      await waitFor('the restarted operator to refund both', async () => (await opClient.openJobs({ owner: bob.owner })).length === 0, 40_000);

      const history = await bob.client.history();
      const expected = [...expectedHookIds(history)];
      const lowAt = history.findIndex((e) => e.availableAfter < 150n && e.kind !== 'open');
      expected.push(`credit.low:${history[lowAt].id}`);
      await waitFor('every webhook to arrive', async () => expected.every((id) => hooks.got.some((g) => g.id === id)), 60_000);
      await sleep(2_000); // anything late would be a duplicate

      // (The operator indexes every account: the first test's wallet has events here too.)
      const all = hooks.got.map((g) => g.id);
      expect(new Set(all).size).toBe(all.length); // no duplicate
      const ids = hooks.got.filter((g) => g.wallet === bob.owner.toBase58()).map((g) => g.id);
      expect([...ids].sort()).toEqual([...expected].sort()); // no gap, nothing extra
      expect(hooks.got.every((g) => g.verified)).toBe(true);
      expect(hooks.got.filter((g) => g.type === 'credit.low' && g.wallet === bob.owner.toBase58())).toHaveLength(1);
      expect(verifyWebhook(SECRET, hooks.got[0].body.replace('"', "'"), `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`)).toBe(false);

      // The index equals the chain's history: same entries, once each, in order.
      const indexed = (await getJson(`${op.api}/v1/account/${bob.owner.toBase58()}/transactions?limit=500`)).body.transactions as { type: string; signature: string; balanceAfter: string }[];
      expect(indexed.reverse().map((t) => [t.type, t.signature, t.balanceAfter])).toEqual(history.map((e) => [e.kind, e.signature, String(e.availableAfter)]));
      console.log(`restart test: ${all.length} webhooks delivered once each (${ids.length} of them the test wallet's) after ${hooks.refused()} refused attempts; ${indexed.length} index rows for the wallet`);
    } finally {
      await stopProcess(op);
      hooks.server.close();
    }
  }, 240_000);

  it('an RPC that fails 30 % of requests does not stop the crank from refunding every expired job', async () => {
    const proxy = faultyProxy(v.url, 0.3);
    const proxyUrl = await proxy.listen();
    const carol = await user();
    await carol.client.purchase({ credits: 500 });
    const op = await startOperatorProcess(['--url', proxyUrl, '--ws-url', v.wsUrl, '--keypair', operator.path, '--db', join(dbDir, 'c.sqlite'), '--port', '0', '--payers', '2', '--payer-sol', '0.1']);
    try {
      for (const id of [1n, 2n, 3n, 4n, 5n]) await lockAt(carol.owner, id);
      await waitFor('every job refunded through the faulty RPC', async () => (await opClient.openJobs({ owner: carol.owner })).length === 0, 90_000).catch((err: Error) => {
        throw new Error(`${err.message}; the operator said:\n${op.stderr.slice(-30).join('\n')}`);
      });
      expect((await carol.client.getBalance()).available).toBe(500n);
      // The chain may show the jobs closed before the operator sees the last confirmation through the faulty RPC.
      const refundsTotal = async () => Number(/^job_escrow_refunds_total (\d+)$/m.exec(await (await fetch(`${op.api}/metrics`)).text())?.[1] ?? 0);
      await waitFor('the operator to count five refunds', async () => (await refundsTotal()) >= 5, 30_000).catch(() => console.log(`fault test: the operator said\n${op.stderr.slice(-40).join('\n')}`));
      const metrics = await (await fetch(`${op.api}/metrics`)).text();
      const refunds = Number(/^job_escrow_refunds_total (\d+)$/m.exec(metrics)?.[1] ?? 0);
      const errors = [...metrics.matchAll(/^job_escrow_rpc_errors_total\{part="\w+"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
      expect(refunds).toBe(5);
      expect(op.stderr.filter((l) => l.startsWith('not refunded'))).toEqual([]); // no job was sent twice
      const stray = op.stderr.filter((l) => l.startsWith('unhandled:'));
      if (stray.length) console.log(`fault test: ${stray.length} stray rejections logged, e.g. ${stray[0].slice(0, 200)}`);
      expect(proxy.counts().failed).toBeGreaterThan(0);
      console.log(`fault test: ${proxy.counts().failed} of ${proxy.counts().seen} RPC requests failed on purpose; ${errors} RPC errors counted; ${refunds} of 5 jobs refunded`);
    } finally {
      await stopProcess(op);
      proxy.server.close();
    }
  }, 180_000);

  it('two processes started by mistake on one SQLite file: the second refuses to crank and says why; the first keeps refunding', async () => {
    const db = join(dbDir, 'shared.sqlite');
    const args = ['--url', v.url, '--keypair', operator.path, '--db', db, '--port', '0'];
    const first = await startOperatorProcess(args);
    let second: Awaited<ReturnType<typeof startOperatorProcess>> | undefined;
    try {
      await waitFor('the first to take the crank', async () => first.stderr.some((l) => l.startsWith('lease: took the crank lease')), 20_000);
      second = await startOperatorProcess(args);
      const refusal = await waitFor('the second to refuse the crank', async () => second!.stderr.find((l) => l.startsWith('crank: refused here')), 20_000);
      expect(refusal).toContain(`already runs the crank on ${db}`);
      expect(refusal).toContain('One SQLite file serves one operator process; to run several, share a Postgres database (--db postgres://…)');
      expect(second.stderr.find((l) => l.startsWith('indexer: refused here'))).toBeDefined();
      const metric = async (api: string) => (await (await fetch(`${api}/metrics`)).text()).match(/^job_escrow_lease_held\{role="crank"\} (\d)$/m)?.[1];
      expect(await metric(first.api)).toBe('1');
      expect(await metric(second.api)).toBe('0');
      expect((await getJson(`${second.api}/healthz`, null)).body).toMatchObject({ ok: true, roles: { crank: false, indexer: false } });
      // The jobs are refunded once, by the first.
      const dave = await user();
      await dave.client.purchase({ credits: 100 });
      for (const id of [1n, 2n]) await lockAt(dave.owner, id);
      await waitFor('both refunded', async () => (await opClient.openJobs({ owner: dave.owner })).length === 0, 40_000);
      await sleep(1_000);
      const refunded = (p: { stderr: string[] }) => p.stderr.filter((l) => l.startsWith('refunded job')).length;
      expect(refunded(first)).toBe(2);
      expect(refunded(second)).toBe(0);
      // The second serves the API from the same file, and takes the crank over once the first is gone.
      expect((await getJson(`${second.api}/v1/account/${dave.owner.toBase58()}`, null)).body).toMatchObject({ creditsRemaining: '100', locked: '0' });
      await stopProcess(first);
      await waitFor('the second to take the crank over', async () => second!.stderr.some((l) => l.startsWith('lease: took the crank lease')), 20_000);
    } finally {
      await stopProcess(first);
      await stopProcess(second);
    }
  }, 180_000);
});
