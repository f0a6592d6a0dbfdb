import { ColumnNode } from './column-node.ts';
import { SinkNode, type SinkTarget } from './sink-node.ts';
import type { SourceLocation } from './source-location.ts';

/**
 * The dead-letter table's shape, shared by the DSL and the runners: keyed by
 * the record's source position (so a replay overwrites instead of
 * duplicating), with the reason and the raw payload.
 */
export function deadLetterSink(target: SinkTarget, table: string, keyspace?: string, location?: SourceLocation): SinkNode {
  return SinkNode.create({
    target,
    mode: 'append',
    keyspace,
    table,
    key: [ColumnNode.create('position', { type: 'field', field: 'position' })],
    values: [ColumnNode.create('reason', { type: 'field', field: 'reason' }), ColumnNode.create('raw', { type: 'field', field: 'raw' })],
    retry: { retries: 3, backoffMs: 100 },
    idempotent: true,
    location,
  });
}
