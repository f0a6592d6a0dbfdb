import type { PipelineNode } from '../../compiler/ir/index.ts';
import type { Accuracy } from '../../compiler/strategy/measurements.ts';

/** The count a correct run writes for each (group key, window start), computed by hand from the events. */
export function truthOf(pipeline: PipelineNode, events: readonly Record<string, unknown>[]): Map<string, number> {
  const groupBy = pipeline.steps.find((s) => s.kind === 'GroupBy');
  // Windows count apart only when the sink keys rows by them; otherwise the table adds (counters) or merges them.
  const keyedByWindow = pipeline.sink.key.some((c) => c.from.type === 'field' && c.from.field === 'windowStart');
  const window = keyedByWindow ? pipeline.steps.find((s) => s.kind === 'Window') : undefined;
  if (!groupBy || groupBy.by.type !== 'field')
    throw new Error(`${pipeline.name}: the strategy benchmark needs a groupBy on a field`);
  const field = groupBy.by.field;
  const truth = new Map<string, number>();
  for (const e of events) {
    const start = window ? Math.floor(Number(e.ts) / window.sizeMs) * window.sizeMs : 0;
    const id = JSON.stringify([String(e[field]), start]);
    truth.set(id, (truth.get(id) ?? 0) + 1);
  }
  return truth;
}

export function accuracyOf(truth: ReadonlyMap<string, number>, measured: ReadonlyMap<string, number>): Accuracy {
  let over = 0;
  let under = 0;
  let exactRows = 0;
  for (const [id, want] of truth) {
    const got = measured.get(id) ?? 0;
    if (got > want) over += got - want;
    else under += want - got;
    if (got === want) exactRows++;
  }
  for (const [id, got] of measured) if (!truth.has(id)) over += got;
  const truthTotal = [...truth.values()].reduce((a, b) => a + b, 0);
  const total = [...measured.values()].reduce((a, b) => a + b, 0);
  return {
    total,
    truthTotal,
    over,
    under,
    errorPct: ((total - truthTotal) / truthTotal) * 100,
    exactRows,
    rows: truth.size,
  };
}
