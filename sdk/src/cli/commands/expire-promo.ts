import { defineCommand, publicKey } from '../options.js';

export const expirePromo = defineCommand({
  name: 'expire-promo',
  summary: 'return expired promotional credits to the treasury (the owner: give them up now)',
  options: {
    owner: { type: 'string', placeholder: 'pk', help: "the account's owner (default: the wallet)" },
  },
  async run({ v, client, wallet, out }) {
    const owner = publicKey(v, 'owner') ?? wallet();
    const before = await client.getBalance({ owner });
    const r = await client.expirePromo({ owner });
    const after = await client.getBalance({ owner });
    out(`returned ${before.promo - after.promo} promotional credits to the treasury (${r.signature})`);
  },
});
