import { fetchEncodedAccounts, type Address, type GetMultipleAccountsApi, type Rpc } from '@solana/kit';
import { summarizeBalance, tokenAccountAmount, type BalanceSummary } from '../core/balances.js';
import { PROGRAM_ADDRESS } from '../core/constants.js';
import { decodeConfig, decodeCreditAccount, type Config } from './generated/index.js';
import { findOwnerAddresses } from './addresses.js';

/** A credit balance (see BalanceSummary), with the accounts it was read from. */
export interface KitBalance extends BalanceSummary {
  creditAccount: Address;
  vault: Address;
  config: Config;
}

/**
 * `owner`'s credit balance from one getMultipleAccounts call (Config,
 * CreditAccount, vault), computed by the same formula as the Anchor SDK's
 * `getBalance`.
 * @throws Error when the config or the credit account does not exist.
 */
export async function fetchBalance(
  rpc: Rpc<GetMultipleAccountsApi>,
  { owner, mint, programAddress = PROGRAM_ADDRESS as Address }: { owner: Address; mint: Address; programAddress?: Address },
): Promise<KitBalance> {
  const { config, creditAccount, vault } = await findOwnerAddresses({ owner, mint, programAddress });
  const [configAccount, creditAccountAccount, vaultAccount] = await fetchEncodedAccounts(rpc, [config, creditAccount, vault]);
  if (!configAccount.exists || configAccount.programAddress !== programAddress) throw new Error(`the job_escrow config ${config} does not exist`);
  if (!creditAccountAccount.exists || creditAccountAccount.programAddress !== programAddress || !vaultAccount.exists) {
    throw new Error(`the credit account of ${owner} is not opened`);
  }
  const configData = decodeConfig(configAccount).data;
  if (configData.mint !== mint) throw new Error(`the config's mint is ${configData.mint}, not ${mint}`);
  const credit = decodeCreditAccount(creditAccountAccount).data;
  return {
    ...summarizeBalance(credit, tokenAccountAmount(vaultAccount.data), configData.pricePerCredit),
    creditAccount,
    vault,
    config: configData,
  };
}
