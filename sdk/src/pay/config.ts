import type { Config } from '../accounts/index.js';

/** The Config fields a top-up needs. */
export type TopUpConfig = Pick<Config, 'mint' | 'pricePerCredit' | 'minPurchaseCredits'>;
