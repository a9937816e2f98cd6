// A raw HTTP/1.1 client over a net socket: sends exactly the bytes given
// (malformed ones included) and reads one answer: status line, headers, body
// by content-length or chunked framing, or until the server closes.
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  /** Every byte the server sent. */
  raw: Buffer;
  /** The first line, when one arrived. */
  statusLine?: string;
  status?: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The server closed the connection (before or after a complete answer). */
  closed: boolean;
  /** No complete answer and no close within the timeout. */
  timedOut: boolean;
}

/** Parses one answer out of `buf`; undefined while incomplete. `head`: the request was HEAD (no body follows). */
export function parseAnswer(buf: Buffer, { head = false, closed = false }: { head?: boolean; closed?: boolean } = {}): Omit<RawAnswer, 'raw' | 'closed' | 'timedOut'> | undefined {
  let start = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', start);
    if (end < 0) return undefined;
    const lines = buf.subarray(start, end).toString('latin1').split('\r\n');
    const statusLine = lines[0];
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const bodyStart = end + 4;
    // An interim 100 Continue precedes the real answer.
    if (status >= 100 && status < 200) {
      start = bodyStart;
      continue;
    }
    if (head || status === 204 || status === 304) return { statusLine, status, headers, body: Buffer.alloc(0) };
    if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
      const parts: Buffer[] = [];
      let at = bodyStart;
      for (;;) {
        const eol = buf.indexOf('\r\n', at);
        if (eol < 0) return undefined;
        const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16);
        if (!Number.isFinite(size)) return { statusLine, status, headers, body: Buffer.concat(parts) };
        if (size === 0) return buf.length >= eol + 4 || closed ? { statusLine, status, headers, body: Buffer.concat(parts) } : undefined;
        if (buf.length < eol + 2 + size + 2) return undefined;
        parts.push(buf.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
    }
    if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (buf.length - bodyStart < length) return closed ? { statusLine, status, headers, body: buf.subarray(bodyStart) } : undefined;
      return { statusLine, status, headers, body: buf.subarray(bodyStart, bodyStart + length) };
    }
    return closed ? { statusLine, status, headers, body: buf.subarray(bodyStart) } : undefined;
  }
}

/** Sends `bytes` on a fresh connection and waits for one answer (or the close, or `timeoutMs`). */
export function rawRequest(
  port: number,
  bytes: Buffer | string,
  { timeoutMs = 3_000, head = false, halfClose = false }: { timeoutMs?: number; head?: boolean; halfClose?: boolean } = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket: Socket = connect(port, '127.0.0.1');
    const finish = (closed: boolean, timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      const answer = parseAnswer(raw, { head, closed: true });
      resolve({ raw, headers: {}, body: Buffer.alloc(0), ...answer, closed, timedOut: timedOut && !answer });
    };
    const timer = setTimeout(() => finish(false, true), timeoutMs);
    socket.on('error', () => finish(true, false));
    socket.on('close', () => finish(true, false));
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (parseAnswer(Buffer.concat(chunks), { head })) finish(false, false);
    });
    socket.on('connect', () => {
      socket.write(bytes);
      if (halfClose) socket.end();
    });
  });
}

/** Answers a status line must look like. */
export const STATUS_LINE = /^HTTP\/1\.[01] [1-5]\d\d [^\r\n]*$/;
