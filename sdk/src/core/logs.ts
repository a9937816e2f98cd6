const base64Bytes = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/**
 * The payloads of the "Program data:" lines (one base64 part each:
 * discriminator + Borsh event, as Anchor's `emit!` writes them) logged while
 * `programAddress` (base58) is the executing program, in order. Both clients'
 * `parseEvents` decode these.
 */
export function programDataPayloads(logs: readonly string[], programAddress: string): Uint8Array[] {
  const stack: string[] = [];
  const payloads: Uint8Array[] = [];
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
    if (data && stack[stack.length - 1] === programAddress) payloads.push(base64Bytes(data[1]));
  }
  return payloads;
}
