import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from '@solana/spl-token';
import { COMPUTE_UNITS } from '../../constants.js';
import { getInitializeConfigInstruction } from '../../instructions/index.js';
import { defineCommand, publicKey, wholeNumber } from '../options.js';

export const initConfig = defineCommand({
  name: 'init-config',
  summary: "create the Config (the wallet must be the upgrade authority); the treasury defaults to the wallet's ATA of the mint",
  options: {
    mint: { type: 'string', placeholder: 'pk', required: true, help: 'the mint credits are bought with (USDC)' },
    treasury: { type: 'string', placeholder: 'pk', help: "the token account fees go to (default: the wallet's ATA of the mint, created)" },
    operator: { type: 'string', placeholder: 'pk', help: 'the key that locks, settles and grants (default: the wallet)' },
    'job-timeout-secs': { type: 'string', placeholder: 'n', help: "seconds before anyone may refund a locked job (default: the program's)" },
  },
  async run({ v, client, wallet, out }) {
    const admin = wallet();
    const mint = publicKey(v, 'mint');
    const treasury = publicKey(v, 'treasury') ?? getAssociatedTokenAddressSync(mint, admin);
    const ixs = v.treasury ? [] : [createAssociatedTokenAccountIdempotentInstruction(admin, treasury, admin, mint)];
    ixs.push(
      getInitializeConfigInstruction(
        { admin, mint, treasury },
        { operator: publicKey(v, 'operator') ?? admin, jobTimeoutSecs: wholeNumber(v, 'job-timeout-secs') },
        { programId: client.programId },
      ),
    );
    // Creating the treasury ATA costs about what opening a credit account's vault does.
    const units = COMPUTE_UNITS.initialize_config + (v.treasury ? 0 : COMPUTE_UNITS.open_credit_account);
    const signature = await client.send(ixs, units);
    out(`config initialized: mint ${mint.toBase58()}, treasury ${treasury.toBase58()} (${signature})`);
  },
});
