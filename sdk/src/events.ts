import type { PublicKey } from '@solana/web3.js';
import { decodeEventData } from './codec.js';
import { JOB_ESCROW_PROGRAM_ID } from './constants.js';
import { programDataPayloads } from './core/logs.js';

export interface JobEscrowEvent {
  name: string;
  /** Fields in camelCase, u64/i64 as bigint. */
  data: Record<string, unknown>;
}

/**
 * Decodes the program's events from transaction logs: each "Program data:"
 * line logged while `programId` is the executing program, in order.
 */
export function parseEvents(
  logs: readonly string[],
  { programId = JOB_ESCROW_PROGRAM_ID }: { programId?: PublicKey } = {},
): JobEscrowEvent[] {
  return programDataPayloads(logs, programId.toBase58()).flatMap((payload) => {
    const event = decodeEventData(payload);
    return event ? [event] : [];
  });
}
