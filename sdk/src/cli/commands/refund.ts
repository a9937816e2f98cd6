import { defineCommand, publicKey, whole } from '../options.js';

export const refund = defineCommand({
  name: 'refund',
  summary: "return a job's locked credits (the operator any time; anyone once expired)",
  options: {
    owner: { type: 'string', placeholder: 'pk', required: true, help: "the job's account owner" },
    'job-id': { type: 'string', placeholder: 'n', required: true, help: 'the locked job' },
  },
  async run({ v, client, out }) {
    const r = await client.refund({ owner: publicKey(v, 'owner'), jobId: whole(v, 'job-id') });
    out(`refunded job ${v['job-id']} (${r.signature})`);
  },
});
