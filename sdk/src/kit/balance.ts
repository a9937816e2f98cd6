import { fetchEncodedAccounts, type Address, type GetMultipleAccountsApi, type Rpc } from '@solana/kit';
import { summarizeBalance, tokenAccountAmount, type BalanceSummary } from '../core/balances.js';
import { PROGRAM_ADDRESS, TOKEN_PROGRAM_ADDRESS } from '../core/constants.js';
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
 * `getBalance`. The vault is the ATA under `tokenProgram` (the Config's);
 * without it, a Token-2022 config costs one more call for its vault.
 * @throws Error when the config or the credit account does not exist.
 */
export async function fetchBalance(
  rpc: Rpc<GetMultipleAccountsApi>,
  { owner, mint, tokenProgram, programAddress = PROGRAM_ADDRESS as Address }: { owner: Address; mint: Address; tokenProgram?: Address; programAddress?: Address },
): Promise<KitBalance> {
  const { config, creditAccount, vault: guessed } = await findOwnerAddresses({ owner, mint, tokenProgram, programAddress });
  const [configAccount, creditAccountAccount, guessedAccount] = await fetchEncodedAccounts(rpc, [config, creditAccount, guessed]);
  let [vault, vaultAccount] = [guessed, guessedAccount];
  // Without `tokenProgram` the vault was derived under classic Token: a
  // Token-2022 config's vault is the ATA under Token-2022, read once more.
  if (!tokenProgram && configAccount.exists && configAccount.programAddress === programAddress) {
    const configured = decodeConfig(configAccount).data.tokenProgram;
    if (configured !== (TOKEN_PROGRAM_ADDRESS as Address)) {
      vault = (await findOwnerAddresses({ owner, mint, tokenProgram: configured, programAddress })).vault;
      [vaultAccount] = await fetchEncodedAccounts(rpc, [vault]);
    }
  }
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
