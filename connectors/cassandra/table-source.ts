import type { Client } from 'cassandra-driver';
import { isSorPosition, systemOfRecordPartitions, type SorPosition } from './sor-reader.ts';
import type { SorPartition } from './sor-token-queries.ts';
import type { SourceReader } from '../../runtime/sources/source-reader.ts';

/** Where the read stands: the partition being delivered, its run, that run's ids and events, and the next of them. */
interface Cursor {
  readonly partition: SorPartition;
  run: number;
  ids: readonly string[];
  events: readonly unknown[];
  at: number;
}

/**
 * Reads a Cassandra system of record (`source.cassandraTable`), lazily, a
 * partition at a time (bounded by design), in token order then event id.
 * The position is the last event read (token, bucket, event id): a restart
 * goes on after it, whatever rows were inserted meanwhile — a count of rows
 * read would skip or repeat rows when some land before it. A count from an
 * older checkpoint is honoured once, then replaced. Events are handed over
 * by slicing the partition's runs: no await, object or position string an
 * event.
 */
export function cassandraTableSource(client: Client, keyspace: string, table: string, from: unknown): SourceReader {
  const partitions = systemOfRecordPartitions(client, keyspace, table, {
    after: isSorPosition(from) ? from : undefined,
  });
  let toSkip = typeof from === 'number' ? from : 0;
  let position: SorPosition | number | undefined = isSorPosition(from) || typeof from === 'number' ? from : undefined;
  let cursor: Cursor | undefined;
  let done = false;
  /** The run to take events from next (its events decoded once, on entering it); undefined once the table is read. */
  const current = async (): Promise<Cursor | undefined> => {
    while (!cursor || cursor.at >= cursor.ids.length) {
      if (cursor && cursor.run + 1 < cursor.partition.runs.length) {
        const run = cursor.partition.runs[++cursor.run]!;
        [cursor.ids, cursor.events, cursor.at] = [run.ids, run.events() ?? [], 0];
        if (cursor.events.length === 0) cursor.ids = [];
        continue;
      }
      const next = await partitions.next();
      if (next.done) return undefined;
      cursor = { partition: next.value, run: -1, ids: [], events: [], at: 0 };
    }
    return cursor;
  };
  return {
    async read(max) {
      const values: unknown[] = [];
      const buckets: string[] = [];
      const ids: string[] = [];
      while (!done && values.length < max) {
        const c = await current();
        if (!c) {
          done = true;
          break;
        }
        const from = c.at;
        if (toSkip > 0) {
          // Events a legacy count says were read already are passed over, the position moving with them.
          c.at = Math.min(c.ids.length, from + toSkip);
          toSkip -= c.at - from;
        } else {
          c.at = Math.min(c.ids.length, from + max - values.length);
          for (let i = from; i < c.at; i++) {
            values.push(c.events[i]);
            buckets.push(c.partition.bucket);
            ids.push(c.ids[i]!);
          }
        }
        const { token, bucket } = c.partition;
        position = { token, bucket, eventId: c.ids[c.at - 1]! };
      }
      return { values, position: (i) => `${keyspace}.${table}/${buckets[i]!}/${ids[i]!}`, done };
    },
    position: () => position,
    async close() {
      await partitions.return(undefined);
    },
  };
}
