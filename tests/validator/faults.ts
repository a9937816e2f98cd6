// What the operator's validator tests inject and observe, in one place: a
// webhook receiver that can be down, an RPC proxy that fails a share of
// requests, a TCP proxy whose connections (the websocket) can be cut, and
// `job-escrow operator` run as a process, as an operator runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createTcpServer, connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { verifyWebhook } from '../../sdk/src/operator/index.js';
import { ROOT } from '../shared/index.js';

export const CLI = join(ROOT, 'sdk/dist/job-escrow.js');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await fn().catch(() => undefined);
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

export interface ReceivedHook {
  id: string;
  type: string;
  wallet: string;
  body: string;
  verified: boolean;
  /** Unix ms it arrived. */
  at: number;
}

/** A webhook receiver (starts down: 503) that records what it accepted and checks each HMAC with `secret`. */
export function receiver(secret: string) {
  const got: ReceivedHook[] = [];
  let down = true;
  let refused = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (down) {
        refused++;
        res.writeHead(503).end();
        return;
      }
      const parsed = JSON.parse(body) as { id: string; type: string; data: { wallet: string } };
      got.push({ id: parsed.id, type: parsed.type, wallet: parsed.data.wallet, body, verified: verifyWebhook(secret, body, req.headers['x-job-escrow-signature'] as string), at: Date.now() });
      res.writeHead(200).end();
    });
  });
  return {
    got,
    server,
    setDown: (d: boolean) => (down = d),
    refused: () => refused,
    listen: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`))),
  };
}

/** An HTTP proxy to the validator's RPC that answers a share of requests with 503 instead (changeable while it runs). */
export function faultyProxy(target: string, failShare: number) {
  let seen = 0;
  let failed = 0;
  const server = createServer((req, res) => {
    seen++;
    if (Math.random() < failShare) {
      failed++;
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' }).end('injected fault');
      return;
    }
    const up = httpRequest(target, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  return {
    server,
    counts: () => ({ seen, failed }),
    setFailShare: (share: number) => (failShare = share),
    listen: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
  };
}

/** A TCP proxy to `port` (the validator's websocket) whose open connections can all be cut at once. */
export function cuttableProxy(port: number) {
  const open = new Set<Socket>();
  let cuts = 0;
  const server = createTcpServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    open.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream).pipe(client);
  });
  return {
    server,
    /** Cuts every connection (as a load balancer or a network blip does); returns how many were open. */
    cut: () => {
      const n = open.size / 2;
      for (const s of open) s.destroy();
      open.clear();
      cuts++;
      return n;
    },
    cuts: () => cuts,
    listen: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`))),
  };
}

export interface OperatorProcess {
  child: ChildProcess;
  api: string;
  stderr: string[];
  /** Unix ms each stderr line arrived, alongside stderr. */
  stderrAt: number[];
}

export async function startOperatorProcess(args: string[]): Promise<OperatorProcess> {
  const child = spawn('node', [CLI, 'operator', ...args], { cwd: ROOT });
  const stderr: string[] = [];
  const stderrAt: number[] = [];
  let partial = '';
  child.stderr!.on('data', (d: Buffer) => {
    // Whole lines only: a chunk may end mid-line.
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      stderr.push(line);
      stderrAt.push(Date.now());
    }
  });
  const api = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /operator running: API (\S+)/.exec(d.toString());
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`operator exited with ${code}: ${stderr.join('\n')}`)));
  });
  return { child, api, stderr, stderrAt };
}

export async function stopProcess(p: OperatorProcess | undefined, signal: NodeJS.Signals = 'SIGTERM') {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill(signal);
  await exited;
}

/**
 * Requests per second the servers at `urls` answer (200s only, else it
 * throws), driven by `processes` separate node processes with `concurrency`
 * connections each, so the load generator is not the bottleneck of one
 * event loop. `urls` are taken in turn.
 */
export async function requestsPerSecond(urls: string[], { requests = 4_000, processes = 4, concurrency = 16 }: { requests?: number; processes?: number; concurrency?: number } = {}): Promise<number> {
  const script = `
    const [urls, n, c] = [JSON.parse(process.argv[1]), Number(process.argv[2]), Number(process.argv[3])];
    let next = 0, bad = 0;
    const started = Date.now();
    await Promise.all(Array.from({ length: c }, async () => {
      for (let i = next++; i < n; i = next++) {
        const res = await fetch(urls[i % urls.length]);
        if (res.status !== 200) bad++;
        await res.arrayBuffer();
      }
    }));
    console.log(JSON.stringify({ ms: Date.now() - started, bad }));`;
  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: processes }, (_, p) => {
      const share = urls.map((_, i) => urls[(i + p) % urls.length]);
      const child = spawn('node', ['--input-type=module', '-e', script, JSON.stringify(share), String(Math.ceil(requests / processes)), String(concurrency)]);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      return new Promise<{ ms: number; bad: number }>((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { ms: number; bad: number }) : reject(new Error(`load generator exited with ${code}`)))));
    }),
  );
  const bad = results.reduce((n, r) => n + r.bad, 0);
  if (bad) throw new Error(`${bad} requests were not answered 200`);
  return (Math.ceil(requests / processes) * processes) / ((Date.now() - started) / 1000);
}
