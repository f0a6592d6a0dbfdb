import { types, type Client } from 'cassandra-driver';
import type { PipelineNode, SinkNode } from '../../compiler/ir/index.ts';
import type { RepairTarget } from '../../runners/local/repair.ts';
import type { Row } from '../embedded/store.ts';
import { tableSchemas, type CqlType, type TableSchema } from './cql-schema.ts';
import { sorBucket } from './sor-bucket.ts';
import { CassandraTableWriter } from './table-writer.ts';

/** Values as the pipeline computed them: Longs and timestamps back to numbers. */
const plain = (v: unknown) => (v instanceof types.Long ? v.toNumber() : v instanceof Date ? v.getTime() : v);

/** A planned key as Cassandra stores it (text keys of non-strings were written as JSON). */
function stored(value: unknown, type: CqlType): unknown {
  if (type === 'text') return typeof value === 'string' ? value : JSON.stringify(value);
  return typeof value === 'number' ? value : Number(value);
}

/** Murmur3 token ranges: the whole ring cut into `parts` slices, each read with paging. */
function tokenRanges(parts: number): [types.Long, types.Long][] {
  const min = -(2n ** 63n);
  const span = 2n ** 64n - 1n;
  return Array.from({ length: parts }, (_, i) => {
    const lo = min + (span * BigInt(i)) / BigInt(parts);
    const hi = i === parts - 1 ? 2n ** 63n - 1n : min + (span * BigInt(i + 1)) / BigInt(parts);
    return [types.Long.fromString(lo.toString()), types.Long.fromString(hi.toString())];
  });
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
      const ranges = tokenRanges(16);
      for (const [i, [lo, hi]] of ranges.entries()) {
        // (lo, hi] slices; the first includes the minimum token itself.
        const cql = `SELECT payload FROM ${s.keyspace}.${s.table} WHERE token(bucket) ${i === 0 ? '>=' : '>'} ? AND token(bucket) <= ?`;
        for await (const row of client.stream(cql, [lo, hi], { prepare: true, fetchSize: 5_000 }) as unknown as AsyncIterable<types.Row>) events.push(JSON.parse(row.get('payload') as string));
      }
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
