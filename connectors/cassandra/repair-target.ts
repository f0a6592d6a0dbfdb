import { types, type Client } from 'cassandra-driver';
import type { PipelineNode, SinkNode } from '../../compiler/ir/index.ts';
import type { RepairTarget } from '../../runners/local/repair.ts';
import type { Row } from '../embedded/store.ts';
import { tableSchemas, type CqlType, type TableSchema } from './cql-schema.ts';
import { sorBucket } from './sor-bucket.ts';
import { systemOfRecordEvents } from './sor-reader.ts';
import { CassandraTableWriter } from './table-writer.ts';

/** Values as the pipeline computed them: Longs and timestamps back to numbers. */
const plain = (v: unknown) => (v instanceof types.Long ? v.toNumber() : v instanceof Date ? v.getTime() : v);

/** A planned key as Cassandra stores it (text keys of non-strings were written as JSON). */
function stored(value: unknown, type: CqlType): unknown {
  if (type === 'text') return typeof value === 'string' ? value : JSON.stringify(value);
  return typeof value === 'number' ? value : Number(value);
}

/** Repair against Cassandra: reads the system of record by token ranges with paging, reads and rewrites the sink table. */
export function cassandraRepairTarget(client: Client, pipeline: PipelineNode): RepairTarget {
  const schemas = tableSchemas(pipeline);
  const schemaOf = (sink: SinkNode): TableSchema => {
    const s = schemas.find((x) => x.keyspace === sink.keyspace && x.table === sink.table);
    if (!s) throw new Error(`no Cassandra table for ${sink.keyspace}.${sink.table}`);
    return s;
  };
  return {
    async events(sor) {
      const s = schemaOf(sor);
      const events: unknown[] = [];
      for await (const event of systemOfRecordEvents(client, s.keyspace, s.table)) events.push(event);
      return events;
    },
    async currentRows(sink) {
      const s = schemaOf(sink);
      const keyColumns = [...s.partitionKey, ...s.clustering];
      const rows = new Map<string, Row>();
      for await (const row of client.stream(`SELECT * FROM ${s.keyspace}.${s.table}`, [], { prepare: true, fetchSize: 5_000 }) as unknown as AsyncIterable<types.Row>) {
        const key = keyColumns.map((c) => plain(row.get(c.name)));
        rows.set(JSON.stringify(key), Object.fromEntries(s.columns.map((c) => [c.name, plain(row.get(c.name))])));
      }
      // Planned keys are compared as Cassandra stores them.
      return (key) => rows.get(JSON.stringify(key.map((v, i) => stored(v, keyColumns[i]!.type))));
    },
    async write(sink, ops) {
      await new CassandraTableWriter(client, sink, schemaOf(sink), sorBucket(pipeline)).write(ops);
    },
  };
}
