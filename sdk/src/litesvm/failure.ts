// What a failed LiteSVM transaction says, read once for both faces of the
// test bank (web3.js in ./bank.ts, Kit in ../kit/testing.ts). LiteSVM's error
// classes are not exported, so the error is read by shape.
import type { FailedTransactionMetadata } from 'litesvm';

export interface InstructionFailure {
  /** The failing instruction's index in the transaction. */
  index: number;
  /** A program's own error code (Custom), when it is one. */
  code?: number;
  /** The error in the RPC's words ("custom program error: 0x1770", or the runtime's name). */
  detail: string;
}

/** The instruction error of a failed transaction; null when the transaction failed before any instruction ran. */
export function instructionFailure(result: FailedTransactionMetadata): InstructionFailure | null {
  const err = result.err() as unknown as { index?: number; err?: () => unknown };
  if (typeof err !== 'object' || typeof err.index !== 'number' || typeof err.err !== 'function') return null;
  const inner = err.err() as { code?: unknown } | string | number;
  const code = inner && typeof inner === 'object' && typeof inner.code === 'number' ? inner.code : undefined;
  // A runtime error is an enum index here; its name is in the result's text ("InstructionError(0, NotEnoughAccountKeys)").
  const name = /InstructionError\(\d+, ([A-Za-z]+)/.exec(result.toString())?.[1];
  return { index: err.index, code, detail: code !== undefined ? `custom program error: 0x${code.toString(16)}` : (name ?? String(inner)) };
}
