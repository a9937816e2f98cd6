/** ISO 8601 text of a unix time in seconds; null stays null. */
export function isoTime(unixSeconds: number | bigint): string;
export function isoTime(unixSeconds: number | bigint | null): string | null;
export function isoTime(unixSeconds: number | bigint | null): string | null {
  return unixSeconds === null ? null : new Date(Number(unixSeconds) * 1000).toISOString();
}
