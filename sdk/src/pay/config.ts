import type { Config } from '../accounts/index.js';

/**
 * The Config fields a top-up needs: the mint and price, and the mint's token
 * program (the vault is the ATA under it; classic SPL Token when omitted) and
 * decimals (the URL's amount; 6, USDC's, when omitted). A fetched Config has
 * them all.
 */
export type TopUpConfig = Pick<Config, 'mint' | 'pricePerCredit' | 'minPurchaseCredits'> & Partial<Pick<Config, 'tokenProgram' | 'decimals'>>;
