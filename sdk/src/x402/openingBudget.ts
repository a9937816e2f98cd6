// How many credit accounts the paywall may open for wallets that have never
// paid. Opening one costs the operator its rent (about 0.011 SOL with the
// vault and the default 16 job slots). The program records the operator as the account's rent payer and
// pays that back when the owner closes it, so nothing is lost, but a wallet
// that never pays and never closes keeps the operator's lamports tied up.
// This budget bounds that: at most `max` such accounts opened within any
// `periodMs`; a wallet leaves the count when its first payment lands.

/** The paywall's limit on accounts it opens for wallets that have not paid yet. */
export interface OpeningBudgetOptions {
  /** Accounts opened for wallets that have not paid, within any period (default 20). 0: the paywall opens none. */
  max?: number;
  /** The period in ms (default one hour). */
  periodMs?: number;
}

export class OpeningBudget {
  readonly max: number;
  readonly periodMs: number;
  /** Wallets the paywall opened an account for that have not paid yet, with when (insertion order = age). */
  private readonly unpaid = new Map<string, number>();

  constructor({ max = 20, periodMs = 3_600_000 }: OpeningBudgetOptions = {}) {
    if (!Number.isSafeInteger(max) || max < 0) throw new RangeError('newAccounts.max must be a whole number ≥ 0');
    if (!Number.isFinite(periodMs) || periodMs <= 0) throw new RangeError('newAccounts.periodMs must be > 0');
    this.max = max;
    this.periodMs = periodMs;
  }

  private prune(now: number): void {
    for (const [wallet, at] of this.unpaid) {
      if (at > now - this.periodMs) break;
      this.unpaid.delete(wallet);
    }
  }

  /**
   * Takes one opening for `wallet`; false when the budget is spent. The
   * answer's `retryAfterSecs` says when the oldest opening leaves the period.
   */
  take(wallet: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSecs: number } {
    this.prune(now);
    if (this.unpaid.has(wallet)) return { ok: true }; // already counted: keeps its place (and its age)
    if (this.unpaid.size >= this.max) {
      const oldest = this.unpaid.values().next().value ?? now;
      return { ok: false, retryAfterSecs: Math.max(1, Math.ceil((oldest + this.periodMs - now) / 1000)) };
    }
    this.unpaid.set(wallet, now);
    return { ok: true };
  }

  /** Gives an opening back (the open failed). */
  release(wallet: string): void {
    this.unpaid.delete(wallet);
  }

  /** The wallet paid: it no longer counts against the budget. */
  paid(wallet: string): void {
    this.unpaid.delete(wallet);
  }
}
