import { MAX_JOB_SLOTS } from '../../constants.js';
import { defineCommand, parseWhole } from '../options.js';

export const addJobSlots = defineCommand({
  name: 'add-job-slots',
  summary: `owner: give the wallet's credit account count more job slots (the wallet pays their rent, returned to it at close; at most ${MAX_JOB_SLOTS} in all)`,
  args: [{ name: 'count', required: true, help: 'how many job slots to add' }],
  options: {},
  async run({ args: [raw], client, wallet, out }) {
    const count = Number(parseWhole(raw, 'the count', { min: 1, max: MAX_JOB_SLOTS }));
    const r = await client.addJobSlots({ count });
    const after = await client.creditAccount({ owner: wallet() });
    out(`added ${raw} job slot(s)${after ? `: ${after.jobSlots.length} in all` : ''} (${r.signature})`);
  },
});
