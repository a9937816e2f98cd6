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
  readonly openJobs = new Gauge({ name: 'job_escrow_open_jobs', help: 'Open jobs the crank is tracking', registers: [this.registry] });
}
