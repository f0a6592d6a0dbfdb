import { ColumnNode } from './column-node.ts';
import { PipelineNode } from './pipeline-node.ts';
import { SinkNode, type SinkTarget } from './sink-node.ts';
import type { SourceLocation } from './source-location.ts';

/**
 * The dead-letter table's shape, shared by the DSL and the runners: keyed by
 * the record's source position (so a replay overwrites instead of
 * duplicating), with the reason and the raw payload.
 */
export function deadLetterSink(
  target: SinkTarget,
  table: string,
  keyspace?: string,
  location?: SourceLocation,
): SinkNode {
  return SinkNode.create({
    target,
    mode: 'append',
    keyspace,
    table,
    key: [ColumnNode.create('position', { type: 'field', field: 'position' })],
    values: [
      ColumnNode.create('reason', { type: 'field', field: 'reason' }),
      ColumnNode.create('raw', { type: 'field', field: 'raw' }),
    ],
    retry: { retries: 3, backoffMs: 100 },
    idempotent: true,
    location,
  });
}

/** The table of dead letters that no pipeline step names a sink for. */
const defaultTable = 'dead_letters';

/** The dead-letter sink of a `.parse()` that names none: the embedded `dead_letters`, marked so that runners may move it. */
export function unnamedDeadLetterSink(location?: SourceLocation): SinkNode {
  const { kind: _kind, ...props } = deadLetterSink('embedded', defaultTable, undefined, location);
  return SinkNode.create({ ...props, byDefault: true });
}

/**
 * Where a record late for its windows goes: the pipeline's first append sink a `.parse()` named (its
 * dead letters), else the default dead-letter sink. The same on every runner.
 */
export function lateDeadLetterSink(pipeline: PipelineNode, defaultDeadLetters: SinkNode): SinkNode {
  return PipelineNode.sinks(pipeline).find((s) => s.mode === 'append' && !s.byDefault) ?? defaultDeadLetters;
}

/**
 * Where dead letters go that no `.parse()` routes (a map, filter, key or
 * event time that throws; late records without an append sink; a `.parse()`
 * without `deadLetter`): the embedded `dead_letters`, or, with Cassandra
 * configured, the table `dead_letters` in the keyspace of the pipeline's
 * first Cassandra sink — beside its other tables, not on the local disk of
 * whichever machine ran it. A pipeline with no Cassandra sink keeps them embedded.
 */
export function defaultDeadLetterSink(pipeline: PipelineNode, cassandra: boolean): SinkNode {
  const keyspace = cassandra
    ? PipelineNode.sinks(pipeline).find((s) => s.target === 'cassandra' && s.keyspace)?.keyspace
    : undefined;
  return keyspace ? deadLetterSink('cassandra', defaultTable, keyspace) : deadLetterSink('embedded', defaultTable);
}
