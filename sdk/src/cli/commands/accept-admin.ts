import { defineCommand } from '../options.js';

export const acceptAdmin = defineCommand({
  name: 'accept-admin',
  summary: 'the nominated admin (the wallet) takes over',
  options: {},
  async run({ client, wallet, out }) {
    const { signature } = await client.acceptAdmin();
    out(`${wallet().toBase58()} is now the admin (${signature})`);
  },
});
