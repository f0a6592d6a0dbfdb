import { diskPrograms } from '../analysis/call-graph/program-source.ts';
import { locationOfNode } from '../analysis/call-graph/nondet.ts';
import { keyColumnGrain, type ColumnGrain } from '../analysis/grain/window-grain.ts';
import type { Cut } from '../analysis/grain/time-value.ts';
import { describeEvery, describeSpan } from '../analysis/grain/time-units.ts';
import { PipelineNode, SinkNode, type ColumnNode, type WindowNode } from '../ir/index.ts';
import { defineRule, type RuleContext } from '../rule.ts';

type Message = 'missingWindow' | 'missingGroupKey' | 'coarserThanWindow' | 'repeatingKey';

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
  if (finest.grain.grain <= window.slideMs) return checkCycle(known, data, context);
  const cut = finest.grain.cut;
  context.report({
    messageId: 'coarserThanWindow',
    node: cut ? { location: locationOfNode(cut.at) } : sink,
    data: {
      ...data,
      column: finest.column.column,
      unit: describeSpan(finest.grain.grain),
      window: describeEvery(window.slideMs),
      what: cut ? describeCut(cut) : 'its value',
    },
  });
}

const describeCut = (cut: Cut) => `${cut.what}${cut.via.length > 0 ? ` in \`${cut.via.join('()` → `')}()\`` : ''}`;

/**
 * A key that keeps only the time of day (`getUTCHours()`, `ws % DAY`,
 * `format(ws, 'HH:mm')`) tells the windows of one day apart, but the next
 * day's windows come round to the same values: each day overwrites the last.
 * Only when every column that carries the window repeats (the longest cycle
 * of them is the key's).
 */
function checkCycle(
  known: readonly { column: ColumnNode; grain: ColumnGrain }[],
  data: Record<string, string>,
  context: RuleContext<Message>,
): void {
  if (!known.every((k) => k.grain.cycle)) return;
  const longest = known.reduce((a, b) => (b.grain.cycle!.period > a.grain.cycle!.period ? b : a));
  const cycle = longest.grain.cycle!;
  context.report({
    messageId: 'repeatingKey',
    node: { location: locationOfNode(cycle.at.at) },
    data: { ...data, column: longest.column.column, unit: describeSpan(cycle.period), what: describeCut(cycle.at) },
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
      repeatingKey:
        'Key column `{{column}}` of {{sink}} keeps only where the window start falls within {{unit}} ({{what}}), and no key column keeps more: windows {{unit}} apart write the same row, so each {{unit}} overwrites the totals of the one before.',
      coarserThanWindow:
        "Key column `{{column}}` of {{sink}} keeps the window start only to {{unit}} ({{what}}), but windows start {{window}}: all the windows within {{unit}} write the same row, each overwriting the last, so the row ends up with one window's total.",
    },
    fixes: {
      missingWindow: "Add the window to the primary key, e.g. key: { sensor_id: 'key', ts: 'windowStart' }.",
      missingGroupKey: "Add the group key to the primary key, e.g. key: { sensor_id: 'key', … }.",
      repeatingKey:
        "Keep the rest of the date in the key too: add the window itself (ts: 'windowStart') or its day beside `{{column}}`, e.g. key: { sensor_id: 'key', day: …, {{column}}: … }.",
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
