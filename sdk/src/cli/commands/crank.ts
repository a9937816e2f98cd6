import { JobEscrowErrorCode } from '../../errors.js';
import { defineCommand, publicKey } from '../options.js';

export const crank = defineCommand({
  name: 'crank',
  summary: 'refund every expired job once (refund_batch: jobs of many accounts per transaction)',
  options: {
    owner: { type: 'string', placeholder: 'pk', help: "only this owner's jobs (default: everyone's)" },
  },
  async run({ v, client, out, err }) {
    const [open, now] = await Promise.all([client.openJobs({ owner: publicKey(v, 'owner') }), client.clusterTime()]);
    const expired = open.filter(({ job }) => job.expiresAt <= now);
    if (!expired.length) {
      out('refunded 0 expired job(s) in 0 transaction(s)');
      return;
    }
    const { outcomes } = await client.refundMany(expired.map(({ owner, job }) => ({ owner, jobId: job.jobId })));
    const signatures = new Set<string>();
    let failed = 0;
    for (const o of outcomes) {
      if (o.status === 'done') signatures.add(o.signature);
      else if (o.status === 'rejected') {
        // Settled or refunded by someone else since the read: nothing left to do.
        if (o.code !== JobEscrowErrorCode.JobNotFound) failed++;
        err(`not refunded: job ${o.jobId} of ${o.creditAccount.toBase58()}: ${o.error}`);
      }
    }
    const done = outcomes.filter((o) => o.status === 'done').length;
    err(`refunded ${done}/${expired.length} expired job(s)…`);
    out(`refunded ${done} expired job(s) in ${signatures.size} transaction(s)`);
    if (failed) throw new Error(`${failed} refund(s) failed`);
  },
});
