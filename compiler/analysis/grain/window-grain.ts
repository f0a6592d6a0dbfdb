import type { ColumnNode, SinkNode } from '../../ir/index.ts';
import { functionAt } from '../call-graph/function-at.ts';
import { userFunctionLocation } from '../call-graph/locate-user-function.ts';
import type { ProgramSource } from '../call-graph/program-source.ts';
import { GrainReader } from './grain-reader.ts';
import { isTimed, keptOf, type Cut, type Cycle, type TimeValue } from './time-value.ts';

/** What a key column keeps of the window start: window starts closer than `grain` ms share its value. */
export interface ColumnGrain {
  readonly grain: number;
  /** Where it was cut coarser than the window start itself, when it was. */
  readonly cut?: Cut;
  /** When it keeps only the time within a span (`getUTCHours()`): window starts that far apart share its value. */
  readonly cycle?: Cycle;
}

const mentionsWindow = (source: string) => /\bwindow(Start|End)\b/.test(source);

/**
 * What a sink's key column keeps of the window start: `'windowStart'` keeps
 * it whole; a function is read (helpers and callbacks followed) for how far
 * it cuts it down. `'unknown'` when the column reads the window in a way the
 * analysis cannot follow; undefined when it does not carry the window.
 */
export function keyColumnGrain(
  sink: SinkNode,
  column: ColumnNode,
  programs: ProgramSource,
): ColumnGrain | 'unknown' | undefined {
  if (column.from.type === 'field') return /^window(Start|End)$/.test(column.from.field) ? { grain: 1 } : undefined;
  const fn = column.from.fn;
  const at =
    fn.location ?? userFunctionLocation(programs, sink.location, { property: ['key', column.column] }, fn.source);
  const located = at && functionAt(programs, at);
  const row = located?.fn.parameters[0];
  if (!located || !row) return mentionsWindow(fn.source) ? 'unknown' : undefined;
  const env = new Map<import('typescript').Node, TimeValue>([[row, { kind: 'row' }]]);
  let kept = new GrainReader(located.origins.checker, located.fn, env).result();
  while (kept?.kind === 'list') kept = kept.item;
  if (isTimed(kept)) return keptOf(kept);
  return mentionsWindow(fn.source) ? 'unknown' : undefined;
}
