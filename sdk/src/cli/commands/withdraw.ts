import { WITHDRAW_ALL } from '../../instructions/index.js';
import { defineCommand, whole } from '../options.js';

export const withdraw = defineCommand({
  name: 'withdraw',
  summary: 'turn unspent credits back into USDC in the wallet',
  options: {
    credits: { type: 'string', placeholder: 'n|all', required: true, help: 'how many credits, or all of the withdrawable ones' },
  },
  async run({ v, client, out }) {
    const credits = v.credits === 'all' ? WITHDRAW_ALL : whole(v, 'credits');
    const r = await client.withdraw({ credits });
    out(`withdrew ${v.credits === 'all' ? 'everything' : `${credits} credits`} (${r.signature})`);
  },
});
