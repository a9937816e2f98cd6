import { defineCommand, publicKey, tier, whole, wholeNumber } from '../options.js';

export const lock = defineCommand({
  name: 'lock',
  summary: "operator: lock a job's price in escrow",
  options: {
    owner: { type: 'string', placeholder: 'pk', required: true, help: 'whose credits pay for the job' },
    'job-id': { type: 'string', placeholder: 'n', required: true, help: "the job's id, unique per account" },
    tier: { type: 'string', placeholder: 'lite|standard|pro|max', required: true, help: "the job's price tier" },
    'max-tokens': { type: 'string', placeholder: 'n', required: true, help: 'the most output tokens the job may use (its price is locked for these)' },
  },
  async run({ v, client, out }) {
    const r = await client.lock({ owner: publicKey(v, 'owner'), jobId: whole(v, 'job-id'), tier: tier(v, 'tier'), maxOutputTokens: wholeNumber(v, 'max-tokens') });
    out(r.alreadyLocked ? `job ${v['job-id']} was already locked: ${r.credits} credits` : `locked job ${v['job-id']}: ${r.credits} credits (${r.signature})`);
  },
});
