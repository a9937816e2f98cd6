import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from '@solana/spl-token';
import { PublicKey } from '@solana/web3.js';
import { readAccountInfo } from '../../accounts/index.js';
import { COMPUTE_UNITS, tokenProgramOfMint } from '../../constants.js';
import { getInitializeConfigInstruction } from '../../instructions/index.js';
import { defineCommand, publicKey, wholeNumber } from '../options.js';

export const initConfig = defineCommand({
  name: 'init-config',
  summary: "create the Config (the wallet must be the upgrade authority); the treasury defaults to the wallet's ATA of the mint",
  options: {
    mint: { type: 'string', placeholder: 'pk', required: true, help: 'the mint credits are bought with (USDC; a Token-2022 mint such as PYUSD too)' },
    treasury: { type: 'string', placeholder: 'pk', help: "the token account fees go to (default: the wallet's ATA of the mint, created)" },
    operator: { type: 'string', placeholder: 'pk', help: 'the key that locks, settles and grants (default: the wallet)' },
    'job-timeout-secs': { type: 'string', placeholder: 'n', help: "seconds before anyone may refund a locked job (default: the program's)" },
  },
  async run({ v, client, wallet, out }) {
    const admin = wallet();
    const mint = publicKey(v, 'mint');
    // The mint's owner is its token program (classic SPL Token or Token-2022): the treasury ATA is under it.
    const info = await readAccountInfo(client.connection, mint);
    if (!info) throw new Error(`no mint at ${mint.toBase58()}`);
    const tokenProgram = new PublicKey(tokenProgramOfMint(info.owner.toBase58()));
    const treasury = publicKey(v, 'treasury') ?? getAssociatedTokenAddressSync(mint, admin, false, tokenProgram);
    const ixs = v.treasury ? [] : [createAssociatedTokenAccountIdempotentInstruction(admin, treasury, admin, mint, tokenProgram)];
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
