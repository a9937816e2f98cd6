import { isoTime as when } from '../../core/time.js';
import { OWNER_ALIAS, TIER_NAMES, account, defineCommand, jsonText } from '../options.js';

export const jobs = defineCommand({
  name: 'jobs',
  summary: "open jobs (of one owner, or everyone's), expired first",
  readOnly: true,
  args: [{ name: 'address', help: "only this owner's jobs (default: everyone's)" }],
  options: {
    owner: OWNER_ALIAS,
    json: { type: 'boolean', help: 'one JSON array' },
  },
  async run({ v, args, client, out }) {
    const [jobs, now] = await Promise.all([client.openJobs({ owner: account(v, args) }), client.clusterTime()]);
    jobs.sort((a, b) => (a.job.expiresAt < b.job.expiresAt ? -1 : a.job.expiresAt > b.job.expiresAt ? 1 : 0));
    if (v.json) {
      out(jsonText(jobs.map(({ owner, creditAccount, job }) => ({ owner, creditAccount, ...job, expired: job.expiresAt <= now }))));
      return;
    }
    const expired = jobs.filter(({ job }) => job.expiresAt <= now).length;
    out(`${jobs.length} open job(s), ${expired} expired`);
    for (const { owner, creditAccount, job } of jobs) {
      const due = job.expiresAt <= now ? `expired ${now - job.expiresAt} s ago` : `expires in ${job.expiresAt - now} s`;
      out(`owner ${owner.toBase58()}  job ${job.jobId}  ${TIER_NAMES[job.tier] ?? job.tier}  ${job.creditsLocked} credits  ${due} (${when(job.expiresAt)})  credit account ${creditAccount.toBase58()}`);
    }
  },
});
