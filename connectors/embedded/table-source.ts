import type { SourceReader } from '../../runtime/sources/source-reader.ts';
import type { EmbeddedTable } from './store.ts';

/**
 * A system of record on the embedded store, read as a source (`source.cassandraTable` with no Cassandra
 * configured; `connectors/cassandra/table-source.ts` reads a cluster's): rows
 * in primary-key order, the position the key of the last row read, so rows
 * written meanwhile do not shift it either.
 */
export function embeddedTableSource(table: EmbeddedTable, from: unknown): SourceReader {
  const after = typeof from === 'string' ? from : undefined;
  const rows = table.rows().map((r) => ({ id: JSON.stringify(r.key), payload: r.columns.payload }));
  let next = typeof from === 'number' ? from : after === undefined ? 0 : rows.findIndex((r) => r.id > after);
  if (next < 0) next = rows.length;
  let position: unknown = from;
  return {
    async read(max) {
      const batch = rows.slice(next, next + max);
      next += batch.length;
      if (batch.length > 0) position = batch[batch.length - 1]!.id;
      return {
        values: batch.map((r) => r.payload),
        position: (i) => `${table.name} ${batch[i]!.id}`,
        done: next >= rows.length,
      };
    },
    position: () => position,
    async close() {},
  };
}
