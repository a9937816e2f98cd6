import { formatUnits } from '../../core/pricing.js';
import { isoTime as when } from '../../core/time.js';
import { ADDRESS_ARG, OWNER_ALIAS, account, defineCommand, jsonText } from '../options.js';

export const balance = defineCommand({
  name: 'balance',
  summary: 'available, withdrawable, promotional and locked credits',
  readOnly: true,
  args: [ADDRESS_ARG],
  options: {
    owner: OWNER_ALIAS,
    json: { type: 'boolean', help: 'one JSON object (amounts as decimal strings)' },
  },
  async run({ v, args, client, wallet, out }) {
    const b = await client.getBalance({ owner: account(v, args) ?? wallet() });
    if (v.json) {
      out(jsonText(b));
      return;
    }
    const promo = b.promo === 0n ? '' : `; ${b.promo} promotional${b.promoExpiresAt === null ? '' : ` (expire ${when(b.promoExpiresAt)})`}`;
    out(`available ${b.available} credits (${b.usdcValue} USDC), withdrawable ${b.withdrawable}${promo}; locked ${b.locked} in ${b.openJobs} job(s); fees owed ${formatUnits(b.feesAccrued)} USDC; vault ${formatUnits(b.vaultAmount)} USDC`);
  },
});
