import type { Client } from 'cassandra-driver';
import { isSorPosition, systemOfRecordEntries, type SorPosition } from './sor-reader.ts';
import type { SourceReader } from '../../runtime/sources/source-reader.ts';

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
