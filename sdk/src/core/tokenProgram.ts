// Which token program moves the config's mint: the one rule, written once
// for the SDK (the program's is in programs/job_escrow/src/state/token.rs).
// The config's mint may be a classic SPL Token mint or a Token-2022 mint
// (specification section 9); its owner is its token program, recorded in the
// Config at initialize_config, and every vault, transfer and instruction
// uses that one. Addresses are base58 strings (no Solana library types), so
// the Anchor/web3.js SDK and the Kit client both ask this module.
import { TOKEN_2022_PROGRAM_ADDRESS, TOKEN_PROGRAM_ADDRESS } from './constants.js';

/** The token programs a config's mint may belong to. */
export const TOKEN_PROGRAM_ADDRESSES = [TOKEN_PROGRAM_ADDRESS, TOKEN_2022_PROGRAM_ADDRESS] as const;

/** A token program's name, as the test kits and the CLI spell it. */
export type TokenProgramName = 'token' | 'token-2022';

/** Is `address` one of the two token programs? */
export function isTokenProgram(address: string): boolean {
  return address === TOKEN_PROGRAM_ADDRESS || address === TOKEN_2022_PROGRAM_ADDRESS;
}

/**
 * The token program of a mint, from the mint account's owner.
 * @throws TypeError when the owner is neither token program (not a mint).
 */
export function tokenProgramOfMint(owner: string): string {
  if (!isTokenProgram(owner)) throw new TypeError(`${owner} is not a token program: the mint must belong to SPL Token or Token-2022`);
  return owner;
}

/** The address of the token program `name` ('token' = classic SPL Token, the default). */
export function tokenProgramAddress(name: TokenProgramName = 'token'): string {
  return name === 'token-2022' ? TOKEN_2022_PROGRAM_ADDRESS : TOKEN_PROGRAM_ADDRESS;
}
