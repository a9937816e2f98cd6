// Three `job-escrow operator` processes on one real Postgres, against a real
// solana-test-validator, under a steady workload of locks across 100
// wallets whose jobs are left to expire, with faults injected: the crank's
// leader killed with SIGKILL twice (each restarted after), Postgres
// restarted once, the websocket cut, and an RPC proxy failing a share of
// requests throughout. Afterwards every expired job must have been refunded
// within its timeout + the lease time + 10 s, every event the chain's
// history implies delivered with a valid HMAC (repeats counted and allowed
// only around a failover), and every replica's API must agree with the
// chain. Prints the failover times, refund latency percentiles, webhook
// counts, the stream's lag and API requests per second with one and with
// three replicas.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PublicKey } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../sdk/src/index.js';
import { startPostgres, type TestPostgres } from '../shared/postgres.js';
import { startBatchWorld, type BatchWorld } from './batch-world.js';
import { cuttableProxy, faultyProxy, receiver, requestsPerSecond, sleep, startOperatorProcess, stopProcess, waitFor, type OperatorProcess } from './faults.js';

const SECRET = 'whsec-replicas';
const USERS = 100;
const JOB_TIMEOUT_SECS = 10;
const LEASE_TTL_SECS = 6; // the operator's default (DEFAULT_LEASE_TTL_MS)
const WORKLOAD_SECS = 60;
const JOBS_PER_ROUND = 8;
const RPC_FAIL_SHARE = 0.1;

const HOOK_OF: Partial<Record<HistoryEntry['kind'], string>> = { purchase: 'credit.topup', deposit: 'credit.topup', lock: 'job.locked', settle: 'job.settled', refund: 'job.refunded' };
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

describe('three operator replicas on one Postgres, with faults', () => {
  let world: BatchWorld;
  let postgres: TestPostgres;

  beforeAll(async () => {
    [world, postgres] = await Promise.all([startBatchWorld({ rpcPort: 23899, users: USERS, credits: 1_000n, jobTimeoutSecs: JOB_TIMEOUT_SECS }), startPostgres()]);
  }, 300_000);
  afterAll(async () => {
    await world?.v.stop();
    await postgres?.stop();
  });

  it('loses no refund and no webhook through two leader kills, a Postgres restart, a cut websocket and a faulty RPC; every replica agrees with the chain', async () => {
    const { v, client, operator, users } = world;
    const db = await postgres.database('operator');
    const keypairPath = join(v.dir, 'operator.json');
    writeFileSync(keypairPath, JSON.stringify(Array.from(operator.secretKey)));
    const rpc = faultyProxy(v.url, RPC_FAIL_SHARE);
    const ws = cuttableProxy(Number(new URL(v.wsUrl).port));
    const hooks = receiver(SECRET);
    const [rpcUrl, wsUrl, hookUrl] = await Promise.all([rpc.listen(), ws.listen(), hooks.listen()]);
    hooks.setDown(false);
    const args = ['--url', rpcUrl, '--ws-url', wsUrl, '--keypair', keypairPath, '--db', db, '--port', '0', '--webhook-url', hookUrl, '--webhook-secret', SECRET, '--low-threshold', '0', '--rate-limit', '100000'];
    const replicas: OperatorProcess[] = [];
    const faults: { what: string; at: number }[] = [];
    const failovers: { role: string; secs: number }[] = [];
    try {
      for (let i = 0; i < 3; i++) replicas.push(await startOperatorProcess(args));
      const alive = () => replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
      const holderOf = async (role: string) =>
        waitFor(`a replica to hold the ${role} lease`, async () => {
          for (const r of alive()) {
            const health = (await (await fetch(`${r.api}/healthz`)).json()) as { roles?: Record<string, boolean> };
            if (health.roles?.[role]) return r;
          }
          return null;
        }, 30_000);
      await holderOf('crank');

      /** Kills the crank's holder, measures how long until another replica takes each role it held, and starts a replacement. */
      const killLeader = async () => {
        const leader = await holderOf('crank');
        const held = ['crank', 'indexer', 'webhooks'].filter((role) => {
          const took = leader.stderr.filter((l) => l.startsWith(`lease: took the ${role} lease`)).length;
          const lost = leader.stderr.filter((l) => l.startsWith(`lease: lost the ${role} lease`)).length;
          return took > lost;
        });
        const at = Date.now();
        faults.push({ what: `SIGKILL of the leader (${held.join(', ')})`, at });
        await stopProcess(leader, 'SIGKILL');
        for (const role of held) {
          const secs = await waitFor(`another replica to take the ${role} over`, async () => {
            for (const r of alive()) {
              const i = r.stderr.findIndex((l, k) => l.startsWith(`lease: took the ${role} lease`) && r.stderrAt[k] >= at);
              if (i >= 0) return (r.stderrAt[i] - at) / 1000;
            }
            return null;
          }, 30_000);
          failovers.push({ role, secs });
        }
        replicas.push(await startOperatorProcess(args));
      };

      // The workload: every second, JOBS_PER_ROUND jobs locked for wallets in turn, each left to expire.
      const nextJob = new Map<string, bigint>();
      const locked: { owner: PublicKey; jobId: bigint }[] = [];
      let running = true;
      let round = 0;
      const workload = (async () => {
        while (running) {
          const started = Date.now();
          const jobs = Array.from({ length: JOBS_PER_ROUND }, () => {
            const owner = users[round++ % users.length].publicKey;
            const jobId = (nextJob.get(owner.toBase58()) ?? 0n) + 1n;
            nextJob.set(owner.toBase58(), jobId);
            return { owner, jobId, tier: 1, maxOutputTokens: 500 };
          });
          const { outcomes } = await client.lockMany(jobs, { authority: operator, maxInFlight: 8 });
          outcomes.forEach((o, i) => {
            if (o.status !== 'done') throw new Error(`lock of job ${jobs[i].jobId} failed: ${JSON.stringify(o)}`);
            locked.push(jobs[i]);
          });
          await sleep(Math.max(0, 1_000 - (Date.now() - started)));
        }
      })();
      const workloadStarted = Date.now();
      const at = (secs: number) => sleep(Math.max(0, workloadStarted + secs * 1_000 - Date.now()));

      await at(8);
      await killLeader();
      await at(20);
      faults.push({ what: 'Postgres restart', at: Date.now() });
      await postgres.restart(2_000);
      await at(32);
      faults.push({ what: 'websocket cut', at: Date.now() });
      const cut = ws.cut();
      await at(44);
      await killLeader();
      await at(WORKLOAD_SECS);
      running = false;
      await workload;
      rpc.setFailShare(0);
      console.log(`replicas: ${locked.length} jobs locked over ${WORKLOAD_SECS} s; faults: ${faults.map((f) => `${f.what} at ${((f.at - workloadStarted) / 1000).toFixed(0)} s`).join('; ')}; ${cut} websocket connections cut; RPC ${rpc.counts().failed} of ${rpc.counts().seen} requests failed on purpose`);

      // Every job refunded by the replicas (nobody else refunds).
      await waitFor('every job refunded', async () => (await client.openJobs()).length === 0, (JOB_TIMEOUT_SECS + LEASE_TTL_SECS + 30) * 1_000);

      // Refund latency on the chain's clock: the refund's block time minus the job's expires_at (the lock's block time + the timeout).
      const histories = new Map<string, HistoryEntry[]>();
      for (let i = 0; i < users.length; i += 10) {
        await Promise.all(users.slice(i, i + 10).map(async (u) => histories.set(u.publicKey.toBase58(), await client.history({ owner: u.publicKey }))));
      }
      const latencies: number[] = [];
      for (const { owner, jobId } of locked) {
        const h = histories.get(owner.toBase58())!;
        const lock = h.find((e) => e.kind === 'lock' && e.jobId === jobId);
        const refund = h.find((e) => e.kind === 'refund' && e.jobId === jobId);
        expect(lock && refund, `job ${jobId} of ${owner.toBase58()}`).toBeTruthy();
        latencies.push(refund!.blockTime! - (lock!.blockTime! + JOB_TIMEOUT_SECS));
      }
      expect(latencies).toHaveLength(locked.length);
      console.log(
        `replicas: refund latency after expiry (chain clock, ${latencies.length} jobs): p50 ${percentile(latencies, 50)} s, p90 ${percentile(latencies, 90)} s, p99 ${percentile(latencies, 99)} s, max ${Math.max(...latencies)} s`,
      );
      expect(Math.max(...latencies)).toBeLessThanOrEqual(LEASE_TTL_SECS + 10);

      // Every event the chain's history implies, delivered with a valid HMAC; repeats only around a failover.
      const expected = new Set([...histories.values()].flatMap((h) => h.flatMap((e) => (HOOK_OF[e.kind] ? [`${HOOK_OF[e.kind]}:${e.id}`] : []))));
      await waitFor('every webhook delivered', async () => [...expected].every((id) => hooks.got.some((g) => g.id === id)), 90_000).catch(() => undefined);
      await sleep(3_000);
      const received = new Map<string, number[]>();
      for (const g of hooks.got) received.set(g.id, [...(received.get(g.id) ?? []), g.at]);
      const lost = [...expected].filter((id) => !received.has(id));
      const extra = [...received.keys()].filter((id) => !expected.has(id));
      const repeats = [...received.values()].filter((ats) => ats.length > 1);
      const duplicates = repeats.reduce((n, ats) => n + ats.length - 1, 0);
      console.log(`replicas: ${expected.size} webhooks expected, ${hooks.got.length} deliveries, ${lost.length} lost, ${extra.length} unexpected, ${duplicates} duplicates (${repeats.length} ids)`);
      expect(lost).toEqual([]);
      expect(extra).toEqual([]);
      expect(hooks.got.every((g) => g.verified)).toBe(true);
      // A repeat is sent again only by a process that took a role over: within a lease time and a claim time (15 s) of a fault.
      const nearFault = (ms: number) => faults.some((f) => ms >= f.at && ms - f.at <= (LEASE_TTL_SECS + 15 + 10) * 1_000);
      expect(repeats.filter((ats) => !ats.slice(1).every(nearFault))).toEqual([]);

      // Every replica's API agrees with the chain: balances and the whole transaction list of every wallet.
      for (const r of alive()) {
        for (const u of users) {
          const owner = u.publicKey.toBase58();
          const account = (await (await fetch(`${r.api}/v1/account/${owner}`)).json()) as { creditsRemaining: string; locked: string };
          const b = await client.getBalance({ owner: u.publicKey });
          expect([account.creditsRemaining, account.locked]).toEqual([String(b.available), String(b.locked)]);
          const page = (await (await fetch(`${r.api}/v1/account/${owner}/transactions?limit=500`)).json()) as { transactions: { id: string }[] };
          expect(page.transactions.map((t) => t.id)).toEqual(histories.get(owner)!.map((e) => e.id).reverse());
        }
      }

      // The stream: its lag behind the chain's tip when the index had ingested each transaction (every replica's histogram, summed), and the backfills.
      const lag = new Map<string, number>();
      const backfills = new Map<string, number>();
      for (const r of alive()) {
        const metrics = await (await fetch(`${r.api}/metrics`)).text();
        for (const m of metrics.matchAll(/^job_escrow_stream_lag_slots_bucket\{le="([^"]+)"\} (\d+)$/gm)) lag.set(m[1], (lag.get(m[1]) ?? 0) + Number(m[2]));
        for (const m of metrics.matchAll(/^job_escrow_backfills_total\{reason="(\w+)"\} (\d+)$/gm)) backfills.set(m[1], (backfills.get(m[1]) ?? 0) + Number(m[2]));
      }
      const streamed = lag.get('+Inf') ?? 0;
      const within = (share: number) => [...lag].find(([, n]) => n >= share * streamed)?.[0];
      console.log(
        `replicas: stream lag over ${streamed} streamed transactions (replicas alive at the end): p50 ≤ ${within(0.5)} slots, p90 ≤ ${within(0.9)}, p99 ≤ ${within(0.99)}; backfills: ${[...backfills].map(([k, n]) => `${n} ${k}`).join(', ')}`,
      );
      expect(streamed).toBeGreaterThan(0);
      console.log(`replicas: failover (kill → another replica runs the role): ${failovers.map((f) => `${f.role} ${f.secs.toFixed(1)} s`).join(', ')}`);
      expect(Math.max(...failovers.map((f) => f.secs))).toBeLessThanOrEqual(10);

      // API requests per second on a store-only route (the database is the shared part), one replica and then all three.
      const three = alive().slice(0, 3);
      const urls = (rs: OperatorProcess[]) => users.flatMap((u, i) => `${rs[i % rs.length].api}/v1/account/${u.publicKey.toBase58()}/transactions?limit=20`);
      const one = await requestsPerSecond(urls(three.slice(0, 1)));
      const all = await requestsPerSecond(urls(three));
      console.log(`replicas: API GET /v1/account/<wallet>/transactions: ${one.toFixed(0)} req/s on one replica, ${all.toFixed(0)} req/s across three (4 load processes × 16 connections, 2 cores shared with the validator and Postgres)`);
    } finally {
      await Promise.all(replicas.map((r) => stopProcess(r)));
      hooks.server.close();
      rpc.server.close();
      ws.server.close();
    }
  }, 600_000);
});
