import type { Client } from 'cassandra-driver';
import { systemOfRecordEvents } from '../../../connectors/cassandra/sor-reader.ts';
import type { SourceReader } from './source-reader.ts';

/**
 * Reads a Cassandra system of record (`source.cassandraTable`), lazily, a
 * page at a time. The position is how many events were read: token-range
 * order is the same for the same data, so a restart skips that many.
 */
export function cassandraTableSource(client: Client, keyspace: string, table: string, from: unknown): SourceReader {
  const events = systemOfRecordEvents(client, keyspace, table);
  let next = typeof from === 'number' ? from : 0;
  let skipped = next === 0;
  let done = false;
  const pull = async (): Promise<{ value?: unknown; end: boolean }> => {
    const r = await events.next();
    if (r.done) done = true;
    return { value: r.value, end: r.done === true };
  };
  return {
    async read(max) {
      for (let i = 0; !skipped && i < next; i++) if ((await pull()).end) break;
      skipped = true;
      const start = next;
      const values: unknown[] = [];
      while (!done && values.length < max) {
        const r = await pull();
        if (!r.end) values.push(r.value);
      }
      next += values.length;
      return { values, position: (i) => `${keyspace}.${table}#${start + i}`, done };
    },
    position: () => next,
    async close() {
      await events.return(undefined);
    },
  };
}
