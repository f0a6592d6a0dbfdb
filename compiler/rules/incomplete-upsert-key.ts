import { PipelineNode, SinkNode, type ColumnNode } from '../ir/index.ts';
import { defineRule } from '../rule.ts';

/** Does this key column carry the given row field (directly, or read by a column function)? */
function carries(column: ColumnNode, fields: readonly string[]): boolean {
  if (column.from.type === 'field') return fields.includes(column.from.field);
  return fields.some((f) => new RegExp(`\\b${f}\\b`).test(column.from.type === 'fn' ? column.from.fn.source : ''));
}

/**
 * An upsert overwrites whatever has the same primary key. If the key lacks
 * the window, every window of a key overwrites the previous one; if it lacks
 * the group key, every key overwrites every other.
 */
export default defineRule({
  meta: {
    code: 'IDEM004',
    name: 'incomplete-upsert-key',
    severity: 'error',
    description: 'Upsert key that does not include the window (or the group key): aggregates overwrite each other.',
    messages: {
      missingWindow:
        "Upsert {{sink}} is keyed by ({{columns}}) without the window: each window's total overwrites the previous window's.",
      missingGroupKey:
        'Upsert {{sink}} is keyed by ({{columns}}) without the group key: the totals of different keys overwrite each other.',
    },
    fixes: {
      missingWindow: "Add the window to the primary key, e.g. key: { sensor_id: 'key', ts: 'windowStart' }.",
      missingGroupKey: "Add the group key to the primary key, e.g. key: { sensor_id: 'key', … }.",
    },
  },
  check(pipeline, context) {
    const sink = pipeline.sink;
    if (sink.mode !== 'upsert' || sink.key.length === 0) return;
    const aggregated = PipelineNode.aggregate(pipeline) !== undefined;
    if (!aggregated) return;
    const data = { sink: SinkNode.label(sink), columns: sink.key.map((c) => c.column).join(', ') };
    if (!sink.key.some((c) => carries(c, ['key']))) context.report({ messageId: 'missingGroupKey', node: sink, data });
    const windowed = pipeline.steps.some((s) => s.kind === 'Window');
    if (windowed && !sink.key.some((c) => carries(c, ['windowStart', 'windowEnd']))) {
      context.report({ messageId: 'missingWindow', node: sink, data });
    }
  },
});
