// Webhooks: signed with HMAC-SHA256 over `<timestamp>.<body>` (the scheme
// Stripe and Svix use), delivered at least once from the outbox table with
// exponential backoff. Each event has a stable id, `<type>:<signature>:<position>`
// with the entry's transaction-wide position (HistoryEntry.position), so a
// receiver that has seen an id can drop a repeat (it must: a sender that
// dies after a receiver answered, before the row is marked delivered, or a
// failover while a send is in flight, repeats it). Rows are claimed before
// they are sent, so two operator processes never send one row at once; the
// claimed rows of one round go out concurrently.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OperatorStore } from './store/index.js';

export type WebhookType = 'credit.low' | 'credit.topup' | 'job.locked' | 'job.settled' | 'job.refunded';

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export const SIGNATURE_HEADER = 'x-job-escrow-signature';
/** Header carrying the event id (also in the body). */
export const EVENT_ID_HEADER = 'x-job-escrow-event-id';

/** HMAC-SHA256(secret, "<timestamp>.<body>"). */
function mac(secret: string, body: string, timestamp: number): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();
}

export function signWebhook(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${mac(secret, body, timestamp).toString('hex')}`;
}

/**
 * Checks a webhook's signature header against its raw body: the HMAC must
 * match and the timestamp be within `toleranceSecs` of `now` (replays of old
 * deliveries fail).
 */
export function verifyWebhook(secret: string, body: string, header: string | undefined | null, { toleranceSecs = 300, now = Date.now() / 1000 } = {}): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const timestamp = Number(m[1]);
  if (Math.abs(now - timestamp) > toleranceSecs) return false;
  // Both are 32 bytes (the pattern above fixes the length), as timingSafeEqual needs.
  return timingSafeEqual(Buffer.from(m[2], 'hex'), mac(secret, body, timestamp));
}

/** Delay before attempt `attempts + 1`: 1 s, 2 s, 4 s … capped at `maxMs`. */
export function backoffMs(attempts: number, maxMs = 60_000): number {
  return Math.min(maxMs, 1_000 * 2 ** Math.min(attempts, 16));
}

export interface WebhookSenderOptions {
  url: string;
  secret: string;
  /** Per-request timeout (default 5 s). */
  timeoutMs?: number;
  maxBackoffMs?: number;
  onDelivered?: (id: string) => void;
  onFailed?: (id: string, error: string) => void;
}

/** How long a claimed row stays this sender's (longer than a request's timeout: a round sends its rows concurrently). */
export const WEBHOOK_CLAIM_MS = 15_000;

/** Claims the due outbox rows and sends each once; returns how many were delivered. `holder`: this process (leases.ts). */
export async function deliverDue(store: OperatorStore, holder: string, o: WebhookSenderOptions): Promise<number> {
  const rows = await store.claimWebhooks(holder, { now: Date.now(), claimMs: WEBHOOK_CLAIM_MS });
  const sent = await Promise.all(
    rows.map(async (row) => {
      const timestamp = Math.floor(Date.now() / 1000);
      try {
        const res = await fetch(o.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(o.secret, row.body, timestamp), [EVENT_ID_HEADER]: row.id },
          body: row.body,
          signal: AbortSignal.timeout(o.timeoutMs ?? 5_000),
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
      } catch (err) {
        const message = err instanceof Error ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}` : String(err);
        await store.webhookFailed(row.id, holder, message, Date.now() + backoffMs(row.attempts, o.maxBackoffMs));
        o.onFailed?.(row.id, message);
        return false;
      }
      await store.webhookDelivered(row.id);
      o.onDelivered?.(row.id);
      return true;
    }),
  );
  return sent.filter(Boolean).length;
}
