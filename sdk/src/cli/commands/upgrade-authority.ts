import { fetchUpgradeAuthority } from '../../upgradeAuthority.js';
import { defineCommand } from '../options.js';

export const upgradeAuthority = defineCommand({
  name: 'upgrade-authority',
  summary: "the program's upgrade authority, the key that can replace its code (none: immutable); not the program's admin (the Config's, moved by nominate-admin)",
  readOnly: true,
  options: {},
  async run({ client, out }) {
    const { authority } = await fetchUpgradeAuthority(client.connection, { programId: client.programId });
    out(authority ? authority.toBase58() : 'none: the program is immutable');
  },
});
