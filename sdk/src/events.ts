import { EventParser } from '@coral-xyz/anchor';
import type { PublicKey } from '@solana/web3.js';
import { JOB_ESCROW_PROGRAM_ID } from './constants.js';
import { coder, fromAnchor } from './idl.js';

export interface JobEscrowEvent {
  name: string;
  /** Fields in camelCase, u64/i64 as bigint. */
  data: Record<string, unknown>;
}

/** Decodes the program's events ("Program data:" lines) from transaction logs with Anchor's EventParser. */
export function parseEvents(
  logs: readonly string[],
  { programId = JOB_ESCROW_PROGRAM_ID }: { programId?: PublicKey } = {},
): JobEscrowEvent[] {
  const parser = new EventParser(programId, coder);
  return [...parser.parseLogs([...logs])].map((e) => ({ name: e.name, data: fromAnchor(e.data) }));
}
