// solana-bankrun with the built program: it deploys under BPFLoader2 (no
// ProgramData), so the accounts the upgrade-authority check reads, a mint and
// funded wallets are passed to `start` directly.
import { dirname } from 'node:path';
import { ACCOUNT_SIZE, AccountLayout, MINT_SIZE, MintLayout, TOKEN_PROGRAM_ID } from '@solana/spl-token';
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram } from '@solana/web3.js';
import { start, type AddedAccount, type ProgramTestContext } from 'solana-bankrun';
import { BPF_LOADER_UPGRADEABLE_ID, JOB_ESCROW_PROGRAM_ID, findProgramDataAddress } from '../../sdk/src/index.js';
import { LOADER_STATE_PROGRAM_DATA, PROGRAM_DATA_HEADER_LEN, withUpgradeAuthority } from '../../sdk/src/core/upgradeable.js';
import { PROGRAM_V0_PATH, assertProgramIsFresh } from './program.js';

// More than rent-exempt for every account here.
const LAMPORTS = LAMPORTS_PER_SOL;

export function programDataAccount(authority: PublicKey): AddedAccount {
  const header = new Uint8Array(PROGRAM_DATA_HEADER_LEN);
  header[0] = LOADER_STATE_PROGRAM_DATA; // u32 LE tag: UpgradeableLoaderState::ProgramData
  const data = Buffer.from(withUpgradeAuthority(header, authority.toBytes()));
  return { address: findProgramDataAddress(), info: { lamports: LAMPORTS, data, owner: BPF_LOADER_UPGRADEABLE_ID, executable: false } };
}

export function mintAccount(address: PublicKey): AddedAccount {
  const data = Buffer.alloc(MINT_SIZE);
  MintLayout.encode(
    { mintAuthorityOption: 0, mintAuthority: PublicKey.default, supply: 0n, decimals: 6, isInitialized: true, freezeAuthorityOption: 0, freezeAuthority: PublicKey.default },
    data,
  );
  return { address, info: { lamports: LAMPORTS, data, owner: TOKEN_PROGRAM_ID, executable: false } };
}

export function tokenAccount(address: PublicKey, mint: PublicKey, owner: PublicKey, amount = 0n): AddedAccount {
  const data = Buffer.alloc(ACCOUNT_SIZE);
  AccountLayout.encode(
    { mint, owner, amount, delegateOption: 0, delegate: PublicKey.default, state: 1, isNativeOption: 0, isNative: 0n, delegatedAmount: 0n, closeAuthorityOption: 0, closeAuthority: PublicKey.default },
    data,
  );
  return { address, info: { lamports: LAMPORTS, data, owner: TOKEN_PROGRAM_ID, executable: false } };
}

export function walletAccount(address: PublicKey, sol = 10): AddedAccount {
  return { address, info: { lamports: sol * LAMPORTS_PER_SOL, data: Buffer.alloc(0), owner: SystemProgram.programId, executable: false } };
}

/** Starts bankrun with the program whose upgrade authority is `admin`, plus `accounts`. */
export async function startBankrun(admin: Keypair, accounts: AddedAccount[]): Promise<ProgramTestContext> {
  assertProgramIsFresh(PROGRAM_V0_PATH);
  process.env.SBF_OUT_DIR = dirname(PROGRAM_V0_PATH);
  return start([{ name: 'job_escrow', programId: JOB_ESCROW_PROGRAM_ID }], [walletAccount(admin.publicKey), programDataAccount(admin.publicKey), ...accounts]);
}
