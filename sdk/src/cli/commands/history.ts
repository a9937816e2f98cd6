import { writeFileSync } from 'node:fs';
import { formatUnits } from '../../core/pricing.js';
import { isoTime as when } from '../../core/time.js';
import { toCsv } from '../../history.js';
import { ADDRESS_ARG, OWNER_ALIAS, account, defineCommand } from '../options.js';

export const history = defineCommand({
  name: 'history',
  summary: 'every purchase, deposit, job and withdrawal of an account, with the balance after each',
  readOnly: true,
  args: [ADDRESS_ARG],
  options: {
    owner: OWNER_ALIAS,
    csv: { type: 'string', placeholder: 'file', help: 'also write the entries as CSV' },
  },
  async run({ v, args, client, wallet, out }) {
    const entries = await client.history({ owner: account(v, args) ?? wallet() });
    for (const e of entries) {
      out(`${e.blockTime === null ? '-' : when(e.blockTime)}  ${e.kind.padEnd(8)} ${e.jobId === undefined ? '' : `job ${e.jobId} `}${e.credits} credits  ${formatUnits(e.usdc)} USDC  → available ${e.availableAfter}`);
    }
    if (v.csv) {
      writeFileSync(v.csv, toCsv(entries));
      out(`CSV written to ${v.csv}`);
    }
  },
});
