import { types, type Client } from 'cassandra-driver';
import type { PipelineNode, SinkNode } from '../../compiler/ir/index.ts';
import type { RepairTarget, StoredRow } from '../../runtime/repair-target.ts';
import { tableSchemas, type CqlType, type TableSchema } from './cql-schema.ts';
import { sorBucket } from './sor-bucket.ts';
import { systemOfRecordRead } from './sor-reader.ts';
import type { UndecodableBlock } from './sor-blocks.ts';
import { pagesInOrder, tokenRanges } from './sor-token-queries.ts';
import { CassandraTableWriter } from './table-writer.ts';

/** Values as the pipeline computed them: Longs and timestamps back to numbers. */
export const plain = (v: unknown) => (v instanceof types.Long ? v.toNumber() : v instanceof Date ? v.getTime() : v);

/** A planned key as Cassandra stores it (text keys of non-strings were written as JSON). */
function stored(value: unknown, type: CqlType): unknown {
  if (type === 'text') return typeof value === 'string' ? value : JSON.stringify(value);
  return typeof value === 'number' ? value : Number(value);
}

const keyColumnsOf = (s: TableSchema) => [...s.partitionKey, ...s.clustering];

/**
 * A table's rows with their primary key, read by token ranges with paging,
 * a page at a time: no query scans the whole ring, and memory holds two
 * pages of `fetchSize` rows.
 */
async function* tableRows(client: Client, s: TableSchema, fetchSize: number): AsyncGenerator<readonly StoredRow[]> {
  const token = `token(${s.partitionKey.map((c) => c.name).join(', ')})`;
  // (lo, hi] slices; the first includes the minimum token itself. Identifiers were validated by the DSL.
  const queries = tokenRanges(16).map(([lo, hi], i): [string, unknown[]] => [
    `SELECT * FROM ${s.keyspace}.${s.table} WHERE ${token} ${i === 0 ? '>=' : '>'} ? AND ${token} <= ?`,
    [lo, hi],
  ]);
  // The names looked up once, not a row: thousands of rows pass here while the archive is read.
  const keyNames = keyColumnsOf(s).map((c) => c.name);
  const names = s.columns.map((c) => c.name);
  for await (const rows of pagesInOrder(client, queries, fetchSize))
    yield rows.map((row) => {
      const columns: Record<string, unknown> = {};
      for (const name of names) columns[name] = plain(row.get(name));
      return { key: keyNames.map((name) => plain(row.get(name))), columns };
    });
}

/** Repair against Cassandra: the system of record and the sink table both streamed by token ranges with paging; corrections written as upserts. */
export function cassandraRepairTarget(
  client: Client,
  pipeline: PipelineNode,
  options: { fetchSize?: number; onBadBlock?: (error: UndecodableBlock) => void } = {},
): RepairTarget {
  const schemas = tableSchemas(pipeline);
  const schemaOf = (sink: SinkNode): TableSchema => {
    const s = schemas.find((x) => x.keyspace === sink.keyspace && x.table === sink.table);
    if (!s) throw new Error(`no Cassandra table for ${sink.keyspace}.${sink.table}`);
    return s;
  };
  return {
    events(sor) {
      const s = schemaOf(sor);
      return systemOfRecordRead(client, s.keyspace, s.table, { onBadBlock: options.onBadBlock });
    },
    rows: (sink) => tableRows(client, schemaOf(sink), options.fetchSize ?? 5_000),
    storedKey(sink, key) {
      const columns = keyColumnsOf(schemaOf(sink));
      return key.map((v, i) => stored(v, columns[i]!.type));
    },
    async write(sink, ops) {
      await new CassandraTableWriter(client, sink, schemaOf(sink), sorBucket(pipeline)).write(ops);
    },
  };
}
