// The SDK names an error as job_escrow's only when job_escrow raised it: the
// first failure in the logs is the program that raised it (each caller up
// the CPI stack then fails with the same code).
import { PublicKey } from '@solana/web3.js';
import { TOKEN_PROGRAM_ID } from '@solana/spl-token';
import { describe, expect, it } from 'vitest';
import { JOB_ESCROW_PROGRAM_ID, JobEscrowError, errorCodeFromLogs, translateError } from '../../sdk/src/index.js';

const ours = JOB_ESCROW_PROGRAM_ID.toBase58();
const token = TOKEN_PROGRAM_ID.toBase58();
const failure = (logs: string[]) => Object.assign(new Error('Transaction simulation failed'), { logs });

describe('error translation', () => {
  it('a custom error raised by job_escrow is a JobEscrowError with its name', () => {
    const err = translateError(failure([`Program ${ours} invoke [1]`, `Program ${ours} failed: custom program error: 0x1770`]));
    expect(err).toBeInstanceOf(JobEscrowError);
    expect((err as JobEscrowError).code).toBe(6000);
  });

  it('the same code raised by a program job_escrow called (a Token CPI) is not named as ours', () => {
    const logs = [`Program ${ours} invoke [1]`, `Program ${token} invoke [2]`, `Program ${token} failed: custom program error: 0x1770`, `Program ${ours} failed: custom program error: 0x1770`];
    const original = failure(logs);
    expect(translateError(original)).toBe(original);
    expect(errorCodeFromLogs(logs, JOB_ESCROW_PROGRAM_ID)).toBeUndefined();
    expect(errorCodeFromLogs(logs, TOKEN_PROGRAM_ID)).toBe(6000);
    expect(errorCodeFromLogs(logs)).toBe(6000); // no program asked: the first failure's code
  });

  it('another deployment of job_escrow is translated for its own program id only', () => {
    const mine = PublicKey.unique();
    const logs = [`Program ${mine.toBase58()} failed: custom program error: 0x1771`];
    expect(translateError(failure(logs))).not.toBeInstanceOf(JobEscrowError);
    expect((translateError(failure(logs), mine) as JobEscrowError).code).toBe(6001);
  });
});
