import type { PublicKey } from '@solana/web3.js';
import { decodeEventData } from './codec.js';
import { JOB_ESCROW_PROGRAM_ID } from './constants.js';
import { programData } from './core/logs.js';

export interface JobEscrowEvent {
  name: string;
  /** Fields in camelCase, u64/i64 as bigint. */
  data: Record<string, unknown>;
}

/** An event with where it was logged: see {@link ProgramData}. */
export interface LocatedEvent {
  event: JobEscrowEvent;
  /** Index of the top-level instruction during which it was logged. */
  instruction: number;
  /** 1: logged by a top-level job_escrow instruction; 2+: by job_escrow invoked through a CPI. */
  depth: number;
}

/**
 * The program's events in transaction logs, in order, each with the
 * top-level instruction and invocation depth it was logged at.
 */
export function locateEvents(logs: readonly string[], { programId = JOB_ESCROW_PROGRAM_ID }: { programId?: PublicKey } = {}): LocatedEvent[] {
  return programData(logs, programId.toBase58()).flatMap(({ payload, instruction, depth }) => {
    const event = decodeEventData(payload);
    return event ? [{ event, instruction, depth }] : [];
  });
}

/**
 * Decodes the program's events from transaction logs: each "Program data:"
 * line logged while `programId` is the executing program, in order.
 */
export function parseEvents(logs: readonly string[], options: { programId?: PublicKey } = {}): JobEscrowEvent[] {
  return locateEvents(logs, options).map((e) => e.event);
}
