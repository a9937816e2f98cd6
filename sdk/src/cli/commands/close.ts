import { defineCommand } from '../options.js';

export const close = defineCommand({
  name: 'close',
  summary: "close the wallet's empty credit account (unspent promotional credits are given up first); its rent payer gets back the rent it paid at opening, the wallet the rest (the rent of job slots it added)",
  options: {},
  async run({ client, wallet, out }) {
    const owner = wallet();
    const before = await client.creditAccount({ owner });
    const r = await client.closeCreditAccount();
    const payer = before?.rentPayer;
    out(
      !payer || payer.equals(owner)
        ? `closed the credit account ${r.creditAccount.toBase58()}; rent returned to the wallet, its rent payer (${r.signature})`
        : `closed the credit account ${r.creditAccount.toBase58()}; ${before!.rentPaid} lamports of rent returned to its rent payer ${payer.toBase58()}, the rest to the wallet (${r.signature})`,
    );
  },
});
