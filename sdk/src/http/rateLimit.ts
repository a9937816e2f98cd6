// A token bucket per client address whose memory is bounded: at most
// `maxClients` buckets, the least recently seen forgotten first (a Map keeps
// insertion order; a bucket is re-inserted at each use). A forgotten client
// starts again with a full bucket, which only a client idle for longer than
// the rest of the table can gain from. IPv6 clients are counted per /64 (one
// host usually holds a whole /64).
import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
import { HttpError } from './errors.js';

export interface RateLimiterOptions {
  /** Requests per second refilled into each bucket. */
  ratePerSecond: number;
  /** Bucket size: requests a client may send at once (default twice the rate). */
  burst?: number;
  /** Buckets kept at most (default 10,000). */
  maxClients?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** The bucket key of a client address: IPv4 as is, IPv6 by its /64 prefix. */
export function clientKey(address: string | undefined): string {
  if (!address) return '?';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly rate: number;
  private readonly burst: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(o: RateLimiterOptions) {
    this.rate = o.ratePerSecond;
    this.burst = o.burst ?? o.ratePerSecond * 2;
    this.max = Math.max(1, o.maxClients ?? 10_000);
    this.now = o.now ?? Date.now;
  }

  /** Takes one token from the bucket of `address` (see clientKey); false when it is empty. */
  allow(address: string | undefined): boolean {
    const key = clientKey(address);
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    // Re-inserted: the Map's first key is the least recently seen client.
    this.buckets.delete(key);
    this.buckets.set(key, b);
    if (this.buckets.size > this.max) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /**
   * Takes one token for the client `req` came from.
   * @throws HttpError 429 rate_limited with Retry-After when its bucket is empty
   */
  take(req: IncomingMessage): void {
    if (!this.allow(req.socket.remoteAddress)) throw new HttpError(429, 'rate_limited', 'Too many requests from this address; slow down.', { headers: { 'retry-after': '1' } });
  }

  /** Buckets held (at most maxClients). */
  get size(): number {
    return this.buckets.size;
  }
}
