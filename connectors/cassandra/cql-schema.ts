import {
  defaultDeadLetterSink,
  PipelineNode,
  SinkNode,
  type AggregateNode,
  type ColumnNode,
} from '../../compiler/ir/index.ts';
import { newSorLayout, sorTableCql } from './sor-layout.ts';

export type CqlType = 'text' | 'bigint' | 'double' | 'timestamp' | 'counter' | 'blob';

export interface TableSchema {
  readonly keyspace: string;
  readonly table: string;
  readonly mode: SinkNode['mode'];
  /** Partition key columns (first) and clustering columns. */
  readonly partitionKey: readonly { name: string; type: CqlType }[];
  readonly clustering: readonly { name: string; type: CqlType }[];
  readonly columns: readonly { name: string; type: CqlType }[];
}

/** The CQL type of a column, from the row field it is written from and the pipeline's aggregation. */
function columnType(column: ColumnNode, aggregate: AggregateNode | undefined): CqlType {
  if (column.from.type === 'fn') return 'text';
  switch (column.from.field) {
    case 'windowStart':
    case 'windowEnd':
      return 'timestamp';
    case 'value':
      if (!aggregate) return 'text';
      return aggregate.op === 'count' ? 'bigint' : aggregate.op === 'custom' ? 'text' : 'double';
    default:
      return 'text';
  }
}

/**
 * The tables a pipeline writes, derived from its sinks:
 * - upsert: its key columns as the primary key (the first one partitions), its value columns;
 * - counter: the key, and one `counter` column;
 * - system of record: the block layout (see sor-layout.ts), partitioned by
 *   a 10-minute slot of event time and an id bucket so that every partition
 *   stays under a fixed bound, clustered by block, the events as JSON;
 * - dead letters: by source position, with the reason and the raw payload;
 *   also the default `dead_letters` of the pipeline's keyspace, where a run
 *   with Cassandra puts the dead letters no `.parse()` names a sink for.
 */
export function tableSchemas(pipeline: PipelineNode): TableSchema[] {
  const aggregate = PipelineNode.aggregate(pipeline);
  const schemas: TableSchema[] = [];
  for (const sink of [...PipelineNode.sinks(pipeline), defaultDeadLetterSink(pipeline, true)]) {
    if (sink.target !== 'cassandra' || !sink.keyspace || !sink.table) continue;
    const base = { keyspace: sink.keyspace, table: sink.table, mode: sink.mode };
    const typed = (c: ColumnNode) => ({ name: c.column, type: columnType(c, aggregate) });
    switch (sink.mode) {
      case 'upsert':
        schemas.push({
          ...base,
          partitionKey: sink.key.slice(0, 1).map(typed),
          clustering: sink.key.slice(1).map(typed),
          columns: sink.values.map(typed),
        });
        break;
      case 'counter':
        schemas.push({
          ...base,
          partitionKey: sink.key.slice(0, 1).map(typed),
          clustering: sink.key.slice(1).map(typed),
          columns: sink.values.map((c) => ({ name: c.column, type: 'counter' as const })),
        });
        break;
      case 'system-of-record':
        schemas.push({
          ...base,
          partitionKey: [{ name: 'bucket', type: 'text' }],
          clustering: [{ name: 'block', type: 'text' }],
          columns: [
            { name: 'n', type: 'bigint' },
            { name: 'bytes', type: 'bigint' },
            // The layout a new table is made in (schemaCql makes it with sorTableCql): blocks deflated.
            { name: 'events', type: 'blob' },
          ],
        });
        break;
      case 'append':
        schemas.push({
          ...base,
          partitionKey: [{ name: 'position', type: 'text' }],
          clustering: [],
          columns: [
            { name: 'reason', type: 'text' },
            { name: 'raw', type: 'text' },
          ],
        });
        break;
      case 'custom':
        break;
    }
  }
  // One table may be written by several sinks (e.g. dead letters): keep the first.
  return schemas.filter((s, i) => schemas.findIndex((o) => o.keyspace === s.keyspace && o.table === s.table) === i);
}

/** CQL that creates the keyspaces and tables, idempotently (IF NOT EXISTS). Identifiers were validated by the DSL. */
export function schemaCql(
  schemas: readonly TableSchema[],
  replication = "{'class': 'SimpleStrategy', 'replication_factor': 1}",
): string[] {
  const keyspaces = [...new Set(schemas.map((s) => s.keyspace))];
  return [
    ...keyspaces.map((k) => `CREATE KEYSPACE IF NOT EXISTS ${k} WITH replication = ${replication}`),
    ...schemas.map((s) => {
      if (s.mode === 'system-of-record') return sorTableCql(s.keyspace, s.table, newSorLayout);
      const all = [...s.partitionKey, ...s.clustering, ...s.columns];
      const pk = `(${s.partitionKey.map((c) => c.name).join(', ')})${s.clustering.map((c) => `, ${c.name}`).join('')}`;
      return `CREATE TABLE IF NOT EXISTS ${s.keyspace}.${s.table} (${all.map((c) => `${c.name} ${c.type}`).join(', ')}, PRIMARY KEY (${pk}))`;
    }),
  ];
}
