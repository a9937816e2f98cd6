import { defineCommand, whole } from '../options.js';

export const purchase = defineCommand({
  name: 'purchase',
  summary: "buy credits with the wallet's USDC (opens the credit account when missing)",
  options: {
    credits: { type: 'string', placeholder: 'n', required: true, help: 'how many credits to buy' },
  },
  async run({ v, client, out }) {
    const r = await client.purchase({ credits: whole(v, 'credits') });
    out(`bought ${v.credits} credits${r.opened ? ' (opened the credit account)' : ''} (${r.signature})`);
  },
});
