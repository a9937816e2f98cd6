const base64Bytes = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** One "Program data:" payload of a program, with where in the transaction it was logged. */
export interface ProgramData {
  payload: Uint8Array;
  /** Index of the top-level instruction during which it was logged. */
  instruction: number;
  /** Invocation depth of the program when it logged it: 1 for the top-level instruction itself, 2+ inside a CPI. */
  depth: number;
}

/**
 * The "Program data:" lines (one base64 part each: discriminator + Borsh
 * event, as Anchor's `emit!` writes them) logged while `programAddress`
 * (base58) is the executing program, in order, each with the top-level
 * instruction and depth it came from.
 */
export function programData(logs: readonly string[], programAddress: string): ProgramData[] {
  const stack: string[] = [];
  const out: ProgramData[] = [];
  let instruction = -1;
  for (const line of logs) {
    const invoke = /^Program (\w+) invoke \[(\d+)\]$/.exec(line);
    if (invoke) {
      if (invoke[2] === '1') instruction++;
      stack.push(invoke[1]);
      continue;
    }
    if (/^Program \w+ (success|failed)/.test(line)) {
      stack.pop();
      continue;
    }
    const data = /^Program data: (\S+)$/.exec(line);
    if (data && stack[stack.length - 1] === programAddress) out.push({ payload: base64Bytes(data[1]), instruction, depth: stack.length });
  }
  return out;
}

/** The payloads of {@link programData}, in order. Both clients' `parseEvents` decode these. */
export function programDataPayloads(logs: readonly string[], programAddress: string): Uint8Array[] {
  return programData(logs, programAddress).map((d) => d.payload);
}
