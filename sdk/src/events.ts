import type { PublicKey } from '@solana/web3.js';
import { decodeEventData } from './codec.js';
import { JOB_ESCROW_PROGRAM_ID } from './constants.js';

export interface JobEscrowEvent {
  name: string;
  /** Fields in camelCase, u64/i64 as bigint. */
  data: Record<string, unknown>;
}

const base64Bytes = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/**
 * Decodes the program's events from transaction logs: each "Program data:"
 * line (one base64 part: discriminator + Borsh payload, as Anchor's `emit!`
 * writes it) logged while `programId` is the executing program, in order.
 */
export function parseEvents(
  logs: readonly string[],
  { programId = JOB_ESCROW_PROGRAM_ID }: { programId?: PublicKey } = {},
): JobEscrowEvent[] {
  const id = programId.toBase58();
  const stack: string[] = [];
  const events: JobEscrowEvent[] = [];
  for (const line of logs) {
    const invoke = /^Program (\w+) invoke \[\d+\]$/.exec(line);
    if (invoke) {
      stack.push(invoke[1]);
      continue;
    }
    if (/^Program \w+ (success|failed)/.test(line)) {
      stack.pop();
      continue;
    }
    const data = /^Program data: (\S+)$/.exec(line);
    if (!data || stack[stack.length - 1] !== id) continue;
    const event = decodeEventData(base64Bytes(data[1]));
    if (event) events.push(event);
  }
  return events;
}
