// What must be used once is claimed once: an agent's signed request, a
// settled x402 top-up. A ReplayStore remembers each claimed key until it
// expires. In memory (createMemoryReplayStore) it lasts as long as the
// process; in the operator's store (OperatorStore.replayStore, SQLite or
// Postgres) it survives a restart and is shared by every process on it.

/** Single-use keys with an expiry. */
export interface ReplayStore {
  /**
   * Claims `key` until `expiresAtMs` (unix milliseconds). True the first
   * time the key is claimed while unexpired; false while an earlier claim
   * holds it, and false when `expiresAtMs` has already passed (there is
   * nothing left to protect: the caller's own time check refuses it).
   * Expired keys are pruned.
   */
  claim(key: string, expiresAtMs: number): Promise<boolean>;
}

/** The keys the paywall claims: the prefixes keep the two families apart in one store. */
export const replayKey = {
  /** An agent request's signature (verifyAgentRequest). */
  agentRequest: (signature: string) => `agent-request:${signature}`,
  /** A settled x402 top-up's transaction signature (the paywall credits it once). */
  settlement: (transaction: string) => `x402-settlement:${transaction}`,
} as const;

export interface MemoryReplayStoreOptions {
  /**
   * Most keys held (default 100,000). Past it the oldest claims are
   * forgotten before they expire, so size it above the peak claims per
   * expiry window (requests per minute, with the default 60 s window).
   */
  maxEntries?: number;
  /** The clock expiry is judged by (default Date.now). */
  now?: () => number;
}

/**
 * A ReplayStore in this process's memory: the paywall's default when it is
 * given none. Bounded: expired keys are swept (at most once a second, or
 * when full) and `maxEntries` caps it. One process only: a restart or a
 * second replica accepts a replay, which the operator store's replayStore() prevents.
 */
export function createMemoryReplayStore({ maxEntries = 100_000, now = Date.now }: MemoryReplayStoreOptions = {}): ReplayStore & { readonly size: number } {
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  const keys = new Map<string, number>(); // key → expiry, oldest claim first
  let nextSweep = 0;
  return {
    get size() {
      return keys.size;
    },
    async claim(key, expiresAtMs) {
      const at = now();
      if (at >= nextSweep || keys.size >= maxEntries) {
        for (const [k, expiry] of keys) if (expiry <= at) keys.delete(k);
        nextSweep = at + 1_000;
      }
      if (expiresAtMs <= at) return false;
      const held = keys.get(key);
      if (held !== undefined && held > at) return false;
      keys.delete(key);
      // Full of unexpired claims: forget the oldest.
      while (keys.size >= maxEntries) keys.delete(keys.keys().next().value as string);
      keys.set(key, expiresAtMs);
      return true;
    },
  };
}
