import { formatUnits } from '../../core/pricing.js';
import { defineCommand, publicKey } from '../options.js';

export const collectFees = defineCommand({
  name: 'collect-fees',
  summary: "move accrued fees to the treasury: one account (default the wallet's) or every account that owes some",
  options: {
    owner: { type: 'string', placeholder: 'pk', help: "the account's owner (default: the wallet)" },
    all: { type: 'boolean', alternativeTo: 'owner', help: 'every account that owes fees' },
  },
  async run({ v, client, wallet, out }) {
    if (!v.all) {
      const owner = publicKey(v, 'owner') ?? wallet();
      const fees = (await client.creditAccount({ owner }))?.feesAccrued ?? 0n;
      const r = await client.collectFees({ owner });
      out(`collected ${formatUnits(fees)} USDC of fees from ${owner.toBase58()} (${r.signature})`);
      return;
    }
    const owing = await client.accountsWithFees();
    let total = 0n;
    for (const { account } of owing) {
      await client.collectFees({ owner: account.owner });
      total += account.feesAccrued;
    }
    out(`collected ${formatUnits(total)} USDC of fees from ${owing.length} account(s)`);
  },
});
