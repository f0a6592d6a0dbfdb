import { diskPrograms } from '../analysis/call-graph/program-source.ts';
import { locationOfNode } from '../analysis/call-graph/value-origin.ts';
import { keyColumnGrain, type ColumnGrain } from '../analysis/grain/window-grain.ts';
import { describeEvery, describeSpan } from '../analysis/grain/time-units.ts';
import { PipelineNode, SinkNode, type ColumnNode, type WindowNode } from '../ir/index.ts';
import { defineRule, type RuleContext } from '../rule.ts';

type Message = 'missingWindow' | 'missingGroupKey' | 'coarserThanWindow';

/** Does this key column carry the group key (directly, or read by a column function)? */
function carriesGroupKey(column: ColumnNode): boolean {
  if (column.from.type === 'field') return column.from.field === 'key';
  return /\bkey\b/.test(column.from.fn.source);
}

/**
 * The window must be in the key at its own resolution. A key that keeps the
 * window start only to the day (`toISOString().slice(0, 10)`, `Math.floor(ws
 * / DAY)`, a date-fns `format`, a helper that does one of these) merges every
 * 1-minute window of the day into one row, and each overwrites the last.
 */
function checkWindow(pipeline: PipelineNode, window: WindowNode, context: RuleContext<Message>): void {
  const sink = pipeline.sink;
  const programs = context.programs ?? diskPrograms;
  const data = { sink: SinkNode.label(sink), columns: sink.key.map((c) => c.column).join(', ') };
  const kept = sink.key.flatMap((column) => {
    const grain = keyColumnGrain(sink, column, programs);
    return grain === undefined ? [] : [{ column, grain }];
  });
  if (kept.length === 0) return context.report({ messageId: 'missingWindow', node: sink, data });
  // A column read in a way the analysis cannot follow may keep the window whole: no guess.
  const known = kept.filter((k): k is { column: ColumnNode; grain: ColumnGrain } => k.grain !== 'unknown');
  if (known.length < kept.length || !Number.isFinite(window.slideMs)) return;
  const finest = known.reduce((a, b) => (b.grain.grain < a.grain.grain ? b : a));
  if (finest.grain.grain <= window.slideMs) return;
  const cut = finest.grain.cut;
  context.report({
    messageId: 'coarserThanWindow',
    node: cut ? { location: locationOfNode(cut.at) } : sink,
    data: {
      ...data,
      column: finest.column.column,
      unit: describeSpan(finest.grain.grain),
      window: describeEvery(window.slideMs),
      what: cut ? `${cut.what}${cut.via.length > 0 ? ` in \`${cut.via.join('()` → `')}()\`` : ''}` : 'its value',
    },
  });
}

/**
 * An upsert overwrites whatever has the same primary key. If the key lacks
 * the window (or keeps it coarser than the windows), every window of a key
 * overwrites the previous one; if it lacks the group key, every key
 * overwrites every other.
 */
export default defineRule<Message>({
  meta: {
    code: 'IDEM004',
    name: 'incomplete-upsert-key',
    severity: 'error',
    description:
      'Upsert key that does not include the window (or the group key), or keeps the window coarser than the windows: aggregates overwrite each other.',
    messages: {
      missingWindow:
        "Upsert {{sink}} is keyed by ({{columns}}) without the window: each window's total overwrites the previous window's.",
      missingGroupKey:
        'Upsert {{sink}} is keyed by ({{columns}}) without the group key: the totals of different keys overwrite each other.',
      coarserThanWindow:
        "Key column `{{column}}` of {{sink}} keeps the window start only to {{unit}} ({{what}}), but windows start {{window}}: all the windows within {{unit}} write the same row, each overwriting the last, so the row ends up with one window's total.",
    },
    fixes: {
      missingWindow: "Add the window to the primary key, e.g. key: { sensor_id: 'key', ts: 'windowStart' }.",
      missingGroupKey: "Add the group key to the primary key, e.g. key: { sensor_id: 'key', … }.",
      coarserThanWindow:
        "Add the window itself to the key (ts: 'windowStart') and keep `{{column}}` beside it, e.g. as the partition key; or make the windows {{unit}} long, so that each has its own row.",
    },
  },
  check(pipeline, context) {
    const sink = pipeline.sink;
    if (sink.mode !== 'upsert' || sink.key.length === 0) return;
    if (PipelineNode.aggregate(pipeline) === undefined) return;
    const data = { sink: SinkNode.label(sink), columns: sink.key.map((c) => c.column).join(', ') };
    if (!sink.key.some(carriesGroupKey)) context.report({ messageId: 'missingGroupKey', node: sink, data });
    const window = pipeline.steps.find((s): s is WindowNode => s.kind === 'Window');
    if (window) checkWindow(pipeline, window, context);
  },
});
