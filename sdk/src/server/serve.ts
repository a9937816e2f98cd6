// The runnable transaction-request server:
//   job-escrow-serve-pay --url <rpc url> [--port 8080] [--host 127.0.0.1]
//                        [--public-url https://pay.example.com] [--label "Compute credits"]
//                        [--program-id <pk>]   (default: $JOB_ESCROW_PROGRAM_ID, else the built-in id)
import { AnchorProvider, Wallet } from '@coral-xyz/anchor';
import { Connection, Keypair, PublicKey } from '@solana/web3.js';
import { parseArgs } from 'node:util';
import { JobEscrowClient } from '../client.js';
import { createTopUpServer } from './topUpServer.js';

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string', default: process.env.SOLANA_RPC_URL ?? 'http://127.0.0.1:8899' },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      'public-url': { type: 'string' },
      label: { type: 'string', default: 'Compute credits' },
      'program-id': { type: 'string', default: process.env.JOB_ESCROW_PROGRAM_ID },
    },
  });
  // The server signs nothing: the wallet only satisfies the Provider interface.
  const provider = new AnchorProvider(new Connection(values.url!, 'confirmed'), new Wallet(Keypair.generate()), { commitment: 'confirmed' });
  const programId = values['program-id'] ? new PublicKey(values['program-id']) : undefined;
  const client = new JobEscrowClient(provider, { programId });
  await client.config(); // fail fast when the program is not initialized there
  const server = createTopUpServer({ client, label: values.label, publicUrl: values['public-url'] });
  server.listen(Number(values.port), values.host, () => {
    console.log(`top-up server on http://${values.host}:${values.port} (RPC ${values.url}); page: /topup?owner=<wallet>`);
  });
}
