import type { WindowNode } from '../compiler/ir/index.ts';

/** Start of the last window an event at `ts` falls in: its only one when tumbling. */
export const lastWindowStart = (window: WindowNode, ts: number) => Math.floor(ts / window.slideMs) * window.slideMs;

/** Start times of the windows an event at `ts` falls in (one for tumbling, size/slide for sliding). */
export function windowStarts(window: WindowNode, ts: number): number[] {
  const last = lastWindowStart(window, ts);
  if (window.slideMs === window.sizeMs) return [last];
  const starts: number[] = [];
  for (let s = last; s > ts - window.sizeMs; s -= window.slideMs) starts.push(s);
  return starts;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Why an event is late: behind the watermark minus the allowed lateness for
 * `missed` of its windows. When it missed only some of its (sliding)
 * windows, the reason names them: the event counts in the others, and only
 * this part of it is a dead letter.
 */
export function lateReason(
  window: WindowNode | undefined,
  eventTime: number,
  watermark: number,
  missed: readonly number[],
): string {
  const behind = `event time ${iso(eventTime)} is behind the watermark ${iso(watermark)} minus the allowed lateness`;
  const of = window ? windowStarts(window, eventTime).length : 1;
  if (!window || missed.length >= of) return `late: ${behind}`;
  const named = [...missed]
    .sort((a, b) => a - b)
    .map((s) => `[${iso(s)}, ${iso(s + window.sizeMs)})`)
    .join(', ');
  return `late for ${missed.length} of its ${of} windows, ${named}: ${behind}; counted in the other ${of - missed.length}`;
}
