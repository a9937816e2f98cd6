// Where the indexer hears of new transactions. The live source is a
// ChainEventSource; the indexer backfills from each account's last
// processed signature whenever the source (re)connects and at start, so a
// gap in the stream never loses an event, and polls slowly besides (quickly
// while the stream is down). WebsocketLogsSource is the one shipped: the
// RPC node's `logsSubscribe` (every transaction that mentions the program)
// and `slotSubscribe` (the chain's tip, and a heartbeat) on one websocket.
// A Yellowstone gRPC (Geyser) source would implement the same interface:
// docs/operator.md says what it takes.
import WebSocket from 'ws';
import type { PublicKey } from '@solana/web3.js';

export interface TransactionNotice {
  signature: string;
  slot: number;
  /** The transaction failed: it changed no account of the program. */
  failed: boolean;
}

export interface ChainEventHandlers {
  onTransaction(notice: TransactionNotice): void;
  /** The stream (re)connected, or may have missed something: backfill. */
  onGap(why: string): void;
}

export interface ChainEventSource {
  readonly name: string;
  /** True while the stream is subscribed and heard from lately. */
  readonly live: boolean;
  /** The newest slot the stream reported (the chain's tip as it sees it); 0 before any. */
  readonly tipSlot: number;
  /** How many times the stream has (re)connected. */
  readonly connects: number;
  start(handlers: ChainEventHandlers): void;
  stop(): Promise<void>;
}

export interface WebsocketLogsSourceOptions {
  /** No message (slots arrive several a second) for this long ends the socket and reconnects (default 10 s). */
  heartbeatMs?: number;
  onError?: (err: unknown) => void;
}

type RpcMessage = {
  id?: number;
  result?: unknown;
  error?: { message: string };
  method?: string;
  params?: { result: { context?: { slot: number }; value?: { signature: string; err: unknown }; slot?: number } };
};

export class WebsocketLogsSource implements ChainEventSource {
  readonly name = 'websocket';
  private socket: WebSocket | null = null;
  private handlers: ChainEventHandlers | null = null;
  private subscribed = 0;
  private lastHeard = 0;
  private stopped = false;
  private retryMs = 250;
  private heartbeat: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  tipSlot = 0;
  connects = 0;

  constructor(
    readonly url: string,
    readonly programId: PublicKey,
    private readonly o: WebsocketLogsSourceOptions = {},
  ) {}

  get live(): boolean {
    return this.subscribed === 2 && Date.now() - this.lastHeard < this.heartbeatMs;
  }

  private get heartbeatMs(): number {
    return this.o.heartbeatMs ?? 10_000;
  }

  start(handlers: ChainEventHandlers): void {
    this.handlers = handlers;
    this.connect();
    this.heartbeat = setInterval(() => {
      if (this.socket && this.subscribed === 2 && Date.now() - this.lastHeard > this.heartbeatMs) this.socket.terminate();
    }, 1_000);
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = new WebSocket(this.url, { handshakeTimeout: 5_000 });
    this.socket = socket;
    this.subscribed = 0;
    socket.on('open', () => {
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'logsSubscribe', params: [{ mentions: [this.programId.toBase58()] }, { commitment: 'confirmed' }] }));
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'slotSubscribe' }));
    });
    socket.on('message', (data) => {
      let m: RpcMessage;
      try {
        m = JSON.parse(String(data)) as RpcMessage;
      } catch {
        return;
      }
      this.lastHeard = Date.now();
      if (m.id !== undefined) {
        if (m.error) {
          this.o.onError?.(new Error(`websocket subscription refused: ${m.error.message}`));
          socket.terminate();
          return;
        }
        if (++this.subscribed === 2) {
          this.connects++;
          this.retryMs = 250;
          // Subscribed first, then backfilled: whatever landed in between is in one or the other.
          this.handlers?.onGap(this.connects === 1 ? 'stream connected' : 'stream reconnected');
        }
        return;
      }
      const r = m.params?.result;
      if (m.method === 'slotNotification' && r?.slot !== undefined) this.tipSlot = Math.max(this.tipSlot, r.slot);
      else if (m.method === 'logsNotification' && r?.value && r.context) {
        this.tipSlot = Math.max(this.tipSlot, r.context.slot);
        this.handlers?.onTransaction({ signature: r.value.signature, slot: r.context.slot, failed: r.value.err !== null });
      }
    });
    socket.on('error', (err) => this.o.onError?.(err));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.subscribed = 0;
      if (this.stopped) return;
      this.retry = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5_000);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.retry) clearTimeout(this.retry);
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      const closed = new Promise((r) => socket.once('close', r));
      socket.terminate();
      await closed;
    }
  }
}

/** The websocket of an RPC URL as web3.js derives it: ws(s) scheme, and the next port when one is given. */
export function websocketUrlOf(rpcUrl: string): string {
  const u = new URL(rpcUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  if (u.port) u.port = String(Number(u.port) + 1);
  return u.toString();
}
