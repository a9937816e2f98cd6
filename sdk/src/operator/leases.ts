// One process at a time per role: each operator process asks the store for
// the lease of every role it runs (crank, indexer, webhooks) every
// `renewMs`, holding it for `ttlMs` from each renewal. A process that dies
// stops renewing, and another takes the role once the lease lapses: within
// ttlMs + renewMs (8 s by default). A process counts a lease as held only
// until its own deadline, measured from before the renewal was asked for,
// less a margin, so a process cut off from the store stops acting before
// another can take over. Writes of the indexer carry the lease's fencing
// token (OperatorStore.recordTransaction), so a stale holder's write is
// refused.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Lease, LeaseRole, OperatorStore } from './store/index.js';

export const DEFAULT_LEASE_TTL_MS = 6_000;
export const DEFAULT_LEASE_RENEW_MS = 2_000;
/** Clock drift and latency allowed between the store's clock and ours. */
const MARGIN_MS = 1_000;

/** A name for this process in the leases table: host, pid and a random suffix (a restarted pid is another holder). */
export function processHolderId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export interface LeaseEvents {
  /** The lease of `role` was taken (`lease`) or lost (null). */
  onChange?: (role: LeaseRole, lease: Lease | null) => void;
  /** Another holder has `role` (reported when first seen, and when it changes). */
  onStandby?: (role: LeaseRole, holder: Lease) => void;
  onError?: (err: unknown) => void;
}

export class Leases {
  private readonly held = new Map<LeaseRole, { lease: Lease; until: number }>();
  private readonly seenHolder = new Map<LeaseRole, string>();

  constructor(
    private readonly store: OperatorStore,
    readonly holder: string,
    readonly roles: readonly LeaseRole[],
    private readonly o: { ttlMs?: number; events?: LeaseEvents } = {},
  ) {}

  get ttlMs(): number {
    return this.o.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  }

  /** The lease of `role` if this process holds it now. */
  lease(role: LeaseRole): Lease | null {
    const h = this.held.get(role);
    if (h && Date.now() < h.until) return h.lease;
    if (h) this.drop(role);
    return null;
  }

  /** Takes or renews every role's lease once (one store call each). */
  async renew(): Promise<void> {
    await Promise.all(
      this.roles.map(async (role) => {
        const asked = Date.now();
        try {
          const lease = await this.store.takeLease(role, this.holder, this.ttlMs);
          if (lease) {
            const was = this.held.get(role)?.lease;
            this.held.set(role, { lease, until: asked + this.ttlMs - MARGIN_MS });
            if (!was || was.token !== lease.token) this.o.events?.onChange?.(role, lease);
            this.seenHolder.delete(role);
            return;
          }
          if (this.held.has(role)) this.drop(role);
          const other = await this.store.leaseHolder(role);
          if (other && this.seenHolder.get(role) !== other.holder) {
            this.seenHolder.set(role, other.holder);
            this.o.events?.onStandby?.(role, other);
          }
        } catch (err) {
          // The store is unreachable: the lease stays ours only until its deadline (lease()).
          this.o.events?.onError?.(err);
        }
      }),
    );
  }

  /** Gives every held lease up (a clean stop: the next holder need not wait for it to lapse). */
  async release(): Promise<void> {
    await Promise.all(
      [...this.held.keys()].map(async (role) => {
        this.drop(role);
        await this.store.releaseLease(role, this.holder).catch(() => undefined);
      }),
    );
  }

  private drop(role: LeaseRole): void {
    this.held.delete(role);
    this.o.events?.onChange?.(role, null);
  }
}
