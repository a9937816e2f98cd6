import { PublicKey } from '@solana/web3.js';
import { BPF_LOADER_UPGRADEABLE_ADDRESS, PROGRAM_ADDRESS } from './core/constants.js';

export * from './core/constants.js';
export * from './core/tokenProgram.js';

/** The job_escrow program id (`declare_id!` in programs/job_escrow/src/lib.rs). */
export const JOB_ESCROW_PROGRAM_ID = new PublicKey(PROGRAM_ADDRESS);
/** The upgradeable BPF loader, owner of the program's ProgramData account. */
export const BPF_LOADER_UPGRADEABLE_ID = new PublicKey(BPF_LOADER_UPGRADEABLE_ADDRESS);
