import type { Client, types } from 'cassandra-driver';
import { decodeBlock, UndecodableBlock } from './sor-blocks.ts';
import { tokenOrderQueries, type SorEntry, type SorPosition } from './sor-token-queries.ts';

interface Copy {
  readonly event: unknown;
  readonly written: bigint;
  readonly block: string;
}

/** A partition's blocks as read, in clustering order. */
interface Partition {
  readonly token: string;
  readonly bucket: string;
  readonly rows: types.Row[];
}

/**
 * One partition's events, each id once, sorted by id: of copies a replay
 * left in several blocks, the newest block's (by write time; ties by block
 * key), as the newest row of an id would stand. A block that fails to
 * decode is reported and skipped; the others are read.
 */
function partitionEntries(p: Partition, onBadBlock: (error: UndecodableBlock) => void): SorEntry[] {
  const newest = new Map<string, Copy>();
  for (const row of p.rows) {
    const block = String(row.get('block'));
    let pairs: [string, unknown][];
    try {
      pairs = decodeBlock(p.bucket, block, row.get('events'));
    } catch (error) {
      if (!(error instanceof UndecodableBlock)) throw error;
      onBadBlock(error);
      continue;
    }
    const written = BigInt(String(row.get('written')));
    for (const [eventId, event] of pairs) {
      const held = newest.get(eventId);
      if (!held || written > held.written || (written === held.written && block > held.block))
        newest.set(eventId, { event, written, block });
    }
  }
  return [...newest.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((eventId) => ({
      eventId,
      event: newest.get(eventId)!.event,
      position: { token: p.token, bucket: p.bucket, eventId },
    }));
}

/**
 * The events of a block-layout system of record, each id once, in token
 * order then event id: a partition at a time (bounded by design, so memory
 * is too), its blocks read with paging. After `after`, the rest of its
 * partition (re-read whole, the ids past it kept), then greater tokens.
 */
export async function* blockEntries(
  client: Client,
  keyspace: string,
  table: string,
  after: SorPosition | undefined,
  onBadBlock: (error: UndecodableBlock) => void,
): AsyncGenerator<SorEntry> {
  const select = `SELECT token(bucket) AS t, bucket, block, writetime(events) AS written, events FROM ${keyspace}.${table}`;
  const queries = tokenOrderQueries(select, after, (a) => ['bucket = ?', [a.bucket]]);
  let partition: Partition | undefined;
  const flush = function* (): Generator<SorEntry> {
    if (!partition) return;
    const skipThrough = after && partition.bucket === after.bucket ? after.eventId : undefined;
    for (const entry of partitionEntries(partition, onBadBlock))
      if (skipThrough === undefined || entry.eventId > skipThrough) yield entry;
    partition = undefined;
  };
  for (const [cql, params] of queries) {
    const rows = client.stream(cql, params, { prepare: true, fetchSize: 32 }) as unknown as AsyncIterable<types.Row>;
    for await (const row of rows) {
      const bucket = String(row.get('bucket'));
      if (partition && partition.bucket !== bucket) yield* flush();
      partition ??= { token: String(row.get('t')), bucket, rows: [] };
      partition.rows.push(row);
    }
    yield* flush();
  }
}
