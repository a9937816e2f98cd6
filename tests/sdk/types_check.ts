// Compiled by `tsc --noEmit` (npm test's typecheck), never run: every
// expect-error directive below must stay an error, or the typecheck fails.
import { PublicKey } from '@solana/web3.js';
import { JobEscrowErrorCode, isJobEscrowError } from '../../sdk/src/index.js';
import { buildInstruction } from '../../sdk/src/instructions/common.js';

const key = PublicKey.default;

// @ts-expect-error a misspelt error name does not exist
export const misspelt = JobEscrowErrorCode.InsufficentCredits;
export const paused: 6014 = JobEscrowErrorCode.Paused;

// @ts-expect-error a number that is not one of the program's codes
isJobEscrowError(new Error(), 1234);

// The correct shapes compile
buildInstruction('lock', { authority: key, config: key, credit_account: key, vault: key }, { job_id: 1, tier: 0, max_output_tokens: 1 });
buildInstruction('refund', { authority: key, config: key, credit_account: key }, { job_id: 1 });

// @ts-expect-error an account the instruction no longer has (lock's rent payer, removed with the Job account)
buildInstruction('lock', { authority: key, rent_payer: key, config: key, credit_account: key, vault: key }, { job_id: 1, tier: 0, max_output_tokens: 1 });

// @ts-expect-error a missing account (credit_account)
buildInstruction('refund', { authority: key, config: key }, { job_id: 1 });

// @ts-expect-error a missing argument (refund names its job by job_id)
buildInstruction('refund', { authority: key, config: key, credit_account: key }, {});

// @ts-expect-error an instruction the program does not have
buildInstruction('lock_job', {}, {});
