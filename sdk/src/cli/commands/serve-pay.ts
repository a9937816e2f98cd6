import { keepServingOnStrayErrors } from '../../http/process.js';
import { createTopUpServer } from '../../server/topUpServer.js';
import { UsageError, defineCommand, whole, wholeNumber } from '../options.js';

export const servePay = defineCommand({
  name: 'serve-pay',
  summary: 'the Solana Pay transaction-request server and top-up page (links use --public-url, else the address it listens on)',
  readOnly: true,
  options: {
    port: { type: 'string', placeholder: 'n', default: '8080', help: 'the port, 0: any free one' },
    host: { type: 'string', placeholder: 'address', default: '127.0.0.1', help: 'the host it listens on' },
    'public-url': { type: 'string', placeholder: 'https://…', help: 'the origin wallets reach it at (default: the address it listens on)' },
    label: { type: 'string', placeholder: 's', help: 'who asks, as the wallet shows it' },
    'max-credits': { type: 'string', placeholder: 'n', help: 'the most credits one payment may buy' },
    chain: { type: 'string', placeholder: 'solana:mainnet|devnet|testnet|localnet', help: 'the chain wallets are told' },
  },
  async run({ v, client, out, err, onServer }) {
    if (v['public-url'] && !/^https?:\/\/[^/]+\/?$/.test(v['public-url'])) throw new UsageError(`--public-url must be an origin like https://pay.example.com, got ${v['public-url']}`);
    if (v.chain && !/^solana:(mainnet|devnet|testnet|localnet)$/.test(v.chain)) throw new UsageError(`--chain must be solana:mainnet, solana:devnet, solana:testnet or solana:localnet, got ${v.chain}`);
    const port = wholeNumber(v, 'port', { min: 0, max: 65_535 });
    await client.config();
    const server = createTopUpServer({
      client,
      label: v.label,
      publicUrl: v['public-url']?.replace(/\/$/, ''),
      maxCredits: whole(v, 'max-credits'),
      chain: v.chain,
      log: err,
    });
    const host = v.host;
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    const address = server.address();
    out(`top-up server on http://${host}:${typeof address === 'object' && address ? address.port : port}; page: /topup?owner=<wallet>`);
    if (!v['public-url']) out('note: without --public-url the Solana Pay links use this http address; wallets follow only https links (put it behind TLS and pass --public-url)');
    // Every request answers its own failures; anything thrown outside one is logged, and serving goes on.
    const unguard = keepServingOnStrayErrors(err);
    onServer?.(server);
    await new Promise<void>((resolve) => server.on('close', resolve));
    unguard();
  },
});
