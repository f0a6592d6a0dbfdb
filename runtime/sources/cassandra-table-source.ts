import type { Client } from 'cassandra-driver';
import { isSorPosition, systemOfRecordEntries, type SorPosition } from '../../connectors/cassandra/sor-reader.ts';
import type { EmbeddedTable } from '../../connectors/embedded/store.ts';
import type { SourceReader } from './source-reader.ts';

/**
 * Reads a Cassandra system of record (`source.cassandraTable`), lazily, a
 * page at a time. The position is the last row read (token, bucket, event
 * id): a restart goes on after it, whatever rows were inserted meanwhile —
 * a count of rows read would skip or repeat rows when some land before it.
 * A count from an older checkpoint is honoured once, then replaced.
 */
export function cassandraTableSource(client: Client, keyspace: string, table: string, from: unknown): SourceReader {
  const entries = systemOfRecordEntries(client, keyspace, table, { after: isSorPosition(from) ? from : undefined });
  let toSkip = typeof from === 'number' ? from : 0;
  let position: SorPosition | number | undefined = isSorPosition(from) || typeof from === 'number' ? from : undefined;
  let done = false;
  return {
    async read(max) {
      const values: unknown[] = [];
      const positions: SorPosition[] = [];
      while (!done && values.length < max) {
        const r = await entries.next();
        if (r.done) {
          done = true;
          break;
        }
        position = r.value.position;
        if (toSkip > 0) {
          toSkip--;
          continue;
        }
        values.push(r.value.event);
        positions.push(r.value.position);
      }
      return { values, position: (i) => `${keyspace}.${table}/${positions[i]!.bucket}/${positions[i]!.eventId}`, done };
    },
    position: () => position,
    async close() {
      await entries.return(undefined);
    },
  };
}

/**
 * The same over the embedded store's table (no Cassandra configured): rows
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
