/**
 * Helpers that cut a window start down to a day, written the ways real code
 * writes them, in a module of their own: the IDEM004 tests key sinks with
 * them to check that the analysis follows helpers across modules.
 */
export const DAY = 24 * 60 * 60 * 1000;

export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function startOfUtcDay(ms: number): number {
  const d = new Date(ms);
  d.setUTCHours(0, 0, 0, 0);
  return d.getTime();
}

/** Two hops: the row goes in, the day comes out through dayOf. */
export const dayKey = (row: { windowStart: number }) => dayOf(row.windowStart); // @day-key

/** The minute of a window start: as fine as 1-minute windows. */
export const minuteOf = (ms: number) => new Date(ms).toISOString().slice(0, 16);
