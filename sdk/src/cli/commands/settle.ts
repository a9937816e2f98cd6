import { defineCommand, publicKey, whole, wholeNumber } from '../options.js';

export const settle = defineCommand({
  name: 'settle',
  summary: 'operator: charge a finished job and pay the worker',
  options: {
    owner: { type: 'string', placeholder: 'pk', required: true, help: "the job's account owner" },
    'job-id': { type: 'string', placeholder: 'n', required: true, help: 'the locked job' },
    tokens: { type: 'string', placeholder: 'n', required: true, help: 'the output tokens the job used' },
    worker: { type: 'string', placeholder: 'token account', required: true, help: "the worker's USDC account, paid its share" },
    'share-bps': { type: 'string', placeholder: 'n', help: "the worker's share in basis points (default: the config's)" },
  },
  async run({ v, client, out }) {
    const r = await client.settle({
      owner: publicKey(v, 'owner'),
      jobId: whole(v, 'job-id'),
      outputTokens: wholeNumber(v, 'tokens'),
      providerShareBps: v['share-bps'] ? wholeNumber(v, 'share-bps', { max: 10_000 }) : undefined,
      providerTokenAccount: publicKey(v, 'worker'),
    });
    out(`settled job ${v['job-id']} (${r.signature})`);
  },
});
