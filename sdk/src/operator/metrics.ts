// Prometheus metrics (prom-client), one registry per operator.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly refunds = new Counter({ name: 'job_escrow_refunds_total', help: 'Expired jobs the crank refunded', registers: [this.registry] });
  readonly refundLatency = new Histogram({
    name: 'job_escrow_refund_latency_seconds',
    help: 'Seconds from a job\'s expires_at to its refund being confirmed',
    buckets: [0.5, 1, 2, 3, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly rpcErrors = new Counter({ name: 'job_escrow_rpc_errors_total', help: 'Failed RPC calls and transactions, by part', labelNames: ['part'] as const, registers: [this.registry] });
  readonly slotLag = new Gauge({ name: 'job_escrow_slot_lag', help: 'Slots between the cluster and the last indexed transaction', registers: [this.registry] });
  readonly webhookBacklog = new Gauge({ name: 'job_escrow_webhook_backlog', help: 'Webhooks not delivered yet', registers: [this.registry] });
  readonly webhooksDelivered = new Counter({ name: 'job_escrow_webhooks_delivered_total', help: 'Webhook deliveries answered with 2xx', registers: [this.registry] });
  readonly indexedEntries = new Gauge({ name: 'job_escrow_indexed_entries', help: 'History entries in the index', registers: [this.registry] });
  readonly leaseHeld = new Gauge({ name: 'job_escrow_lease_held', help: '1 while this process holds the role\'s lease (runs it), 0 on standby', labelNames: ['role'] as const, registers: [this.registry] });
  readonly leaseChanges = new Counter({ name: 'job_escrow_lease_changes_total', help: 'Leases this process took over or lost, by role', labelNames: ['role', 'change'] as const, registers: [this.registry] });
  readonly streamLive = new Gauge({ name: 'job_escrow_stream_live', help: '1 while the streamed event source is connected and heard from', registers: [this.registry] });
  readonly streamConnects = new Counter({ name: 'job_escrow_stream_connects_total', help: 'Times the streamed event source (re)connected', registers: [this.registry] });
  readonly streamLag = new Histogram({
    name: 'job_escrow_stream_lag_slots',
    help: 'Slots between the chain\'s tip and a streamed transaction when the index has ingested it',
    buckets: [0, 1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });
  readonly backfills = new Counter({ name: 'job_escrow_backfills_total', help: 'Backfills from every account\'s last processed signature, by reason', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly backfilledTransactions = new Counter({ name: 'job_escrow_backfilled_transactions_total', help: 'Transactions the backfills ingested (missed by the stream, or while it was down)', registers: [this.registry] });
  readonly storeErrors = new Counter({ name: 'job_escrow_store_errors_total', help: 'Reads or writes the database failed', registers: [this.registry] });
  readonly openJobs = new Gauge({ name: 'job_escrow_open_jobs', help: 'Open jobs the crank is tracking', registers: [this.registry] });
}
