import { defineCommand, publicKey } from '../options.js';

export const nominateAdmin = defineCommand({
  name: 'nominate-admin',
  summary: 'admin: nominate the next admin, who takes over with accept-admin',
  options: {
    'new-admin': { type: 'string', placeholder: 'pk', required: true, help: 'the key that takes over' },
  },
  async run({ v, client, out }) {
    const newAdmin = publicKey(v, 'new-admin');
    const { signature } = await client.nominateAdmin({ newAdmin });
    out(`nominated ${newAdmin.toBase58()} as admin; they take over with accept-admin (${signature})`);
  },
});
