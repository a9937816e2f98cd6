import { isoTime as when } from '../../core/time.js';
import { defineCommand, duration, publicKey, whole } from '../options.js';

export const grant = defineCommand({
  name: 'grant',
  summary: 'operator: give promotional credits (the wallet pays their USDC)',
  options: {
    owner: { type: 'string', placeholder: 'pk', required: true, help: 'who gets the credits' },
    credits: { type: 'string', placeholder: 'n', required: true, help: 'how many promotional credits' },
    'expires-in': { type: 'string', placeholder: '30d|12h|90m|3600', help: 'when they expire (default: never)' },
  },
  async run({ v, client, out }) {
    const r = await client.grantCredits({ owner: publicKey(v, 'owner'), credits: whole(v, 'credits'), expiresIn: duration(v, 'expires-in') });
    const until = r.expiresAt === 0n ? 'never expiring' : `expiring ${when(r.expiresAt)}`;
    out(`granted ${v.credits} promotional credits, ${until} (${r.signature})`);
  },
});
