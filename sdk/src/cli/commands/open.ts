import { MAX_JOB_SLOTS } from '../../constants.js';
import { defineCommand, publicKey, wholeNumber } from '../options.js';

export const open = defineCommand({
  name: 'open',
  summary: `open a credit account (the wallet pays the rent, and gets it back when the owner closes) with n job slots, the jobs it can have in flight at once (default 16, at most ${MAX_JOB_SLOTS})`,
  options: {
    owner: { type: 'string', placeholder: 'pk', help: "the account's owner (default: the wallet)" },
    'job-slots': { type: 'string', placeholder: 'n', help: `jobs in flight at once, 1 to ${MAX_JOB_SLOTS} (default: 16)` },
  },
  async run({ v, client, wallet, out }) {
    const jobSlots = wholeNumber(v, 'job-slots', { min: 1, max: MAX_JOB_SLOTS });
    const r = await client.openCreditAccount({ owner: publicKey(v, 'owner') ?? wallet(), jobSlots });
    out(`credit account ${r.creditAccount.toBase58()}, vault ${r.vault.toBase58()} (${r.signature})`);
  },
});
