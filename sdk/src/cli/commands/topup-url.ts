import { createTopUpUrl } from '../../pay/index.js';
import { writeTopUpQr } from '../../server/writeTopUpQr.js';
import { ADDRESS_ARG, OWNER_ALIAS, account, defineCommand, whole } from '../options.js';

export const topupUrl = defineCommand({
  name: 'topup-url',
  summary: "a Solana Pay URL (and QR code) that tops up the owner's credits",
  readOnly: true,
  args: [ADDRESS_ARG],
  options: {
    owner: OWNER_ALIAS,
    credits: { type: 'string', placeholder: 'n', required: true, help: 'the credits the payment buys' },
    qr: { type: 'string', placeholder: 'file.png', help: 'also write the QR code as a PNG' },
    svg: { type: 'string', placeholder: 'file.svg', help: 'also write the QR code as an SVG' },
    label: { type: 'string', placeholder: 's', help: 'who asks, as the wallet shows it' },
    memo: { type: 'string', placeholder: 's', help: 'a memo on the transaction' },
  },
  async run({ v, args, client, wallet, out }) {
    const request = createTopUpUrl(
      { owner: account(v, args) ?? wallet(), credits: whole(v, 'credits'), label: v.label, memo: v.memo, message: `Top up ${v.credits} credits` },
      { config: await client.config(), programId: client.programId },
    );
    out(String(request.url));
    if (v.qr || v.svg) {
      await writeTopUpQr(request.url, { png: v.qr, svg: v.svg });
      for (const f of [v.qr, v.svg].filter(Boolean)) out(`QR code written to ${f}`);
    }
    out(`reference ${request.reference.toBase58()}`);
  },
});
