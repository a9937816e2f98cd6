import type { UpdateConfigArgs } from '../../instructions/index.js';
import { TIER_NAMES, UsageError, defineCommand, publicKey, tierPrices, whole, wholeNumber } from '../options.js';

const BPS = { max: 10_000 };

export const updateConfig = defineCommand({
  name: 'update-config',
  summary: 'admin: change the config fields given, keep the rest (--tier-price: request credits, credits per 1k tokens, included tokens; repeatable)',
  options: {
    pause: { type: 'boolean', help: 'refuse purchases and new jobs until unpaused' },
    unpause: { type: 'boolean', alternativeTo: 'pause', help: 'take purchases and jobs again' },
    operator: { type: 'string', placeholder: 'pk', help: 'the new operator' },
    treasury: { type: 'string', placeholder: 'pk', help: 'the new treasury token account' },
    'min-purchase': { type: 'string', placeholder: 'n', help: 'the smallest purchase, in credits' },
    'job-timeout-secs': { type: 'string', placeholder: 'n', help: 'seconds before anyone may refund a locked job' },
    'share-bps-min': { type: 'string', placeholder: 'n', help: "the lowest worker's share a settle may give, in basis points" },
    'share-bps-max': { type: 'string', placeholder: 'n', help: "the highest worker's share a settle may give, in basis points" },
    'max-output-tokens': { type: 'string', placeholder: 'n', help: 'the most output tokens one job may lock' },
    'tier-price': { type: 'string', multiple: true, placeholder: 'standard=8,4,500', help: "a tier's request credits, credits per 1k tokens and included tokens" },
  },
  async run({ v, client, out }) {
    const args: UpdateConfigArgs = {};
    const changed: string[] = [];
    if (v.pause || v.unpause) (args.paused = Boolean(v.pause)), changed.push(v.pause ? 'paused' : 'unpaused');
    if (v.operator) (args.operator = publicKey(v, 'operator')), changed.push(`operator ${v.operator}`);
    if (v.treasury) (args.treasury = publicKey(v, 'treasury')), changed.push(`treasury ${v.treasury}`);
    if (v['min-purchase']) (args.minPurchaseCredits = whole(v, 'min-purchase')), changed.push(`minimum purchase ${v['min-purchase']} credits`);
    if (v['job-timeout-secs']) (args.jobTimeoutSecs = wholeNumber(v, 'job-timeout-secs')), changed.push(`job timeout ${v['job-timeout-secs']} s`);
    if (v['share-bps-min']) (args.providerShareBpsMin = wholeNumber(v, 'share-bps-min', BPS)), changed.push(`provider share ≥ ${v['share-bps-min']} bps`);
    if (v['share-bps-max']) (args.providerShareBpsMax = wholeNumber(v, 'share-bps-max', BPS)), changed.push(`provider share ≤ ${v['share-bps-max']} bps`);
    if (v['max-output-tokens']) (args.maxOutputTokensPerJob = wholeNumber(v, 'max-output-tokens')), changed.push(`max output tokens per job ${v['max-output-tokens']}`);
    if (v['tier-price']?.length) {
      args.tiers = tierPrices(v, 'tier-price', (await client.config({ refresh: true })).tiers);
      changed.push(`tier prices ${args.tiers.map((t, i) => `${TIER_NAMES[i]}=${t.requestCredits},${t.per1kCredits},${t.includedTokens}`).join(' ')}`);
    }
    if (changed.length === 0) throw new UsageError('nothing to change (job-escrow update-config --help lists the fields)');
    const { signature } = await client.updateConfig(args);
    out(`config updated: ${changed.join(', ')} (${signature})`);
  },
});
