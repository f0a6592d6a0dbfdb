import type { WindowNode } from '../../compiler/ir/index.ts';

/** Start times of the windows an event at `ts` falls in (one for tumbling, size/slide for sliding). */
export function windowStarts(window: WindowNode, ts: number): number[] {
  const last = Math.floor(ts / window.slideMs) * window.slideMs;
  if (window.slideMs === window.sizeMs) return [last];
  const starts: number[] = [];
  for (let s = last; s > ts - window.sizeMs; s -= window.slideMs) starts.push(s);
  return starts;
}
