import { defineCommand, whole } from '../options.js';

export const setSpendingLimit = defineCommand({
  name: 'set-spending-limit',
  summary: "cap what jobs may take from the wallet's account, per job and per 24 hours (0 or omitted: no cap)",
  options: {
    'max-per-job': { type: 'string', placeholder: 'n', help: 'the most credits one job may lock (0: no cap)' },
    daily: { type: 'string', placeholder: 'n', help: 'the most credits jobs may lock in 24 hours (0: no cap)' },
  },
  async run({ v, client, out }) {
    const maxCreditsPerJob = whole(v, 'max-per-job') ?? 0n;
    const dailyLimitCredits = whole(v, 'daily') ?? 0n;
    const r = await client.setSpendingLimit({ maxCreditsPerJob, dailyLimitCredits });
    const cap = (n: bigint, what: string) => (n === 0n ? `no cap ${what}` : `${n} credits ${what}`);
    out(`spending limit: ${cap(maxCreditsPerJob, 'per job')}, ${cap(dailyLimitCredits, 'per day')} (${r.signature})`);
  },
});
