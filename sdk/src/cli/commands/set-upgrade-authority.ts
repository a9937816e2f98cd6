import { existsSync } from 'node:fs';
import { Keypair, PublicKey } from '@solana/web3.js';
import { checkUpgradeAuthorityTransfer, fetchUpgradeAuthority, transferUpgradeAuthority } from '../../upgradeAuthority.js';
import { UsageError, defineCommand, expandHome, readKeypairFile, wholeNumber } from '../options.js';

/** `--new-authority`: a public key, or a keypair file (Solana CLI format) whose key it is. */
function newAuthorityOf(raw: string): PublicKey | Keypair {
  try {
    return new PublicKey(raw);
  } catch {
    // not a key: a keypair file, then
  }
  const path = expandHome(raw);
  if (!existsSync(path)) throw new UsageError(`--new-authority is neither a public key nor a keypair file: ${raw}`);
  try {
    return readKeypairFile(path);
  } catch {
    throw new UsageError(`--new-authority ${raw} is not a keypair file (a JSON array of 64 bytes)`);
  }
}

export const setUpgradeAuthority = defineCommand({
  name: 'set-upgrade-authority',
  summary:
    "upgrade authority (the wallet): hand the program's upgrade authority, the key that can replace its code, to another key (a Squads vault); " +
    "checked first and refused in one line unless the wallet holds it; not the program's admin (the Config's: nominate-admin)",
  options: {
    'new-authority': { type: 'string', placeholder: 'pk|keypair', required: true, help: 'the key that takes over: a public key (a Squads vault), or a keypair file' },
    checked: { type: 'boolean', help: "SetAuthorityChecked: the new authority signs too (--new-authority is its keypair file), so it cannot go to a key nobody holds" },
    yes: { type: 'boolean', help: 'send it (without: check, print what it would do, send nothing)' },
  },
  async run({ v, client, wallet, out }) {
    const current = wallet();
    const next = newAuthorityOf(v['new-authority']);
    const newKey = next instanceof Keypair ? next.publicKey : next;
    if (v.checked && !(next instanceof Keypair)) throw new UsageError('--checked has the new authority sign too: give --new-authority as its keypair file');
    const programId = client.programId;
    const id = programId.toBase58();
    const how = v.checked ? 'SetAuthorityChecked' : 'SetAuthority';
    // The same rule transferUpgradeAuthority applies, read here so a run without --yes tells the refusal too.
    checkUpgradeAuthorityTransfer(await fetchUpgradeAuthority(client.connection, { programId }), current, newKey);
    if (!v.yes) {
      out(`would hand the upgrade authority of ${id} from ${current.toBase58()} to ${newKey.toBase58()} (${how}); nothing sent: run again with --yes`);
      return;
    }
    const { signature } = await transferUpgradeAuthority(client.provider, {
      programId,
      newAuthority: v.checked ? next : newKey,
      checked: v.checked,
      priorityFeeMicroLamports: wholeNumber(v, 'priority-fee') || undefined,
    });
    out(`handed the upgrade authority of ${id} from ${current.toBase58()} to ${newKey.toBase58()} (${signature})`);
  },
});
