// CSV text with RFC 4180 quoting, and the one column set of a history
// export: the SDK's toCsv (CLI `history --csv`, the demo) and the operator
// API's `format=csv` both write it, so a spreadsheet built on one reads the
// other.
import { formatUnits } from './pricing.js';
import { isoTime } from './time.js';

/** One cell: quoted when it holds a comma, a double quote, CR or LF, with its quotes doubled; null and undefined are empty. */
export function csvCell(value: string | number | bigint | null | undefined): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The header line and one line per row, each ending in `\n`. */
export function csvText(header: readonly string[], rows: readonly (readonly (string | number | bigint | null | undefined)[])[]): string {
  return [header, ...rows].map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
}

/** What a history line carries (the SDK's HistoryEntry and the operator's StoredEntry both have it). */
export interface HistoryCsvRow {
  /** The event id, `<signature>:<position>` (eventId). */
  id: string;
  /** Unix seconds, or null when the cluster did not report it. */
  blockTime: number | null;
  kind: string;
  jobId?: bigint | string | null;
  credits: bigint;
  /** USDC base units into (+) or out of (-) the vault. */
  usdc: bigint;
  availableAfter: bigint;
  lockedAfter: bigint;
  signature: string;
}

/** The columns of a history CSV, in order. */
export const HISTORY_CSV_COLUMNS = ['time', 'kind', 'id', 'job_id', 'credits', 'usdc', 'available_after', 'locked_after', 'signature'] as const;

/**
 * CSV for accountants: one line per entry, in the order given; time as ISO
 * 8601, USDC as an exact decimal (negative when it left the vault), credits
 * as integers; `id` is unique per event, also across wallets in one
 * transaction.
 */
export function historyCsv(rows: readonly HistoryCsvRow[]): string {
  return csvText(
    HISTORY_CSV_COLUMNS,
    rows.map((e) => [isoTime(e.blockTime), e.kind, e.id, e.jobId, e.credits, formatUnits(e.usdc), e.availableAfter, e.lockedAfter, e.signature]),
  );
}
