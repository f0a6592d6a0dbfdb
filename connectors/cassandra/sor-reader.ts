import type { Client, types } from 'cassandra-driver';
import { blockPartitions } from './sor-block-reader.ts';
import type { UndecodableBlock } from './sor-blocks.ts';
import { allHashBuckets, idBucket } from './sor-bucket.ts';
import { existingSorLayout } from './sor-layout.ts';
import { tokenOrderQueries, type SorEntry, type SorPosition } from './sor-token-queries.ts';

export { isSorPosition, tokenRanges, type SorEntry, type SorPosition } from './sor-token-queries.ts';

/**
 * Whether a row is the one copy of its event to read. Rows written before
 * idemflow bucketed by the event id alone sit in a hash bucket of the whole
 * event (`h0`–`h63`, computed from the payload): a replay since then wrote
 * the same id into its id bucket, and one id delivered with two payloads
 * left two such rows. The copy in the id bucket wins; with none, the newest
 * legacy copy (by write time; ties by bucket name). One point query over the
 * 64 hash buckets per legacy row only: rows already in their id bucket, and
 * day buckets, cost nothing.
 */
async function isTheCopyToRead(
  client: Client,
  keyspace: string,
  table: string,
  bucket: string,
  eventId: string,
): Promise<boolean> {
  const own = idBucket(eventId);
  if (bucket === own || !/^h\d+$/.test(bucket)) return true;
  const cql = `SELECT bucket, writetime(payload) AS written FROM ${keyspace}.${table} WHERE bucket IN ? AND event_id = ?`;
  const copies = (await client.execute(cql, [allHashBuckets, eventId], { prepare: true })).rows.map((r) => ({
    bucket: String(r.get('bucket')),
    written: BigInt(String(r.get('written'))),
  }));
  if (copies.some((c) => c.bucket === own)) return false;
  const newest = copies.reduce(
    (a, b) => (b.written > a.written || (b.written === a.written && b.bucket < a.bucket) ? b : a),
    { bucket, written: -1n },
  );
  return newest.bucket === bucket;
}

/**
 * The rows of a row-layout system-of-record table (`bucket`, `event_id`,
 * `payload`) as event id, decoded event and position, read by token ranges
 * with paging, so no query scans the whole ring and memory holds one page
 * at a time; each event once, even where rows of an older bucketing left two
 * copies. Rows come in token order, then event id within a partition: after
 * `after`, the rest of its partition, then the partitions of greater tokens.
 * Rows inserted behind the position while reading are not read; rows ahead
 * are. (Two buckets of one token, a Murmur3 collision, would be read as one
 * partition: with 64 hash buckets or one a day, it does not happen.)
 */
async function* rowEntries(
  client: Client,
  keyspace: string,
  table: string,
  after: SorPosition | undefined,
): AsyncGenerator<SorEntry> {
  // Identifiers were validated by the DSL; values are bound.
  const select = `SELECT token(bucket) AS t, bucket, event_id, payload FROM ${keyspace}.${table}`;
  const queries = tokenOrderQueries(select, after, (a) => ['bucket = ? AND event_id > ?', [a.bucket, a.eventId]]);
  for (const [cql, params] of queries) {
    const rows = client.stream(cql, params, { prepare: true, fetchSize: 5_000 }) as unknown as AsyncIterable<types.Row>;
    for await (const row of rows) {
      const eventId = String(row.get('event_id'));
      const bucket = String(row.get('bucket'));
      if (!(await isTheCopyToRead(client, keyspace, table, bucket, eventId))) continue;
      yield {
        eventId,
        event: JSON.parse(row.get('payload') as string),
        position: { token: String(row.get('t')), bucket, eventId },
      };
    }
  }
}

export interface SorReadOptions {
  /** Resume after this event (a position a previous read yielded). */
  readonly after?: SorPosition;
  /** Told of each block that fails to decode; the read goes on with the rest (default: a warning on stderr). */
  readonly onBadBlock?: (error: UndecodableBlock) => void;
}

const warnBadBlock = (error: UndecodableBlock) => process.stderr.write(`warning: ${error.message}; skipped\n`);

/**
 * The events of a system-of-record table, whatever its layout (told from its
 * columns: blocks, or the rows of older versions; another is an error naming
 * the table and the layouts expected), each id once, in token order then
 * event id: a partition of blocks, or one row, an array at a time.
 */
async function* entryRuns(
  client: Client,
  keyspace: string,
  table: string,
  options: SorReadOptions,
): AsyncGenerator<readonly SorEntry[]> {
  const layout = await existingSorLayout(client, keyspace, table);
  if (layout === 'blocks')
    yield* blockPartitions(client, keyspace, table, options.after, options.onBadBlock ?? warnBadBlock);
  else for await (const entry of rowEntries(client, keyspace, table, options.after)) yield [entry];
}

/** The events of a system-of-record table with their ids and positions, in the order of `entryRuns`. */
export async function* systemOfRecordEntries(
  client: Client,
  keyspace: string,
  table: string,
  options: SorReadOptions = {},
): AsyncGenerator<SorEntry> {
  for await (const run of entryRuns(client, keyspace, table, options)) yield* run;
}

/** The events of a system-of-record table alone, in the same order (what repair reads). */
export async function* systemOfRecordEvents(
  client: Client,
  keyspace: string,
  table: string,
  options: Omit<SorReadOptions, 'after'> = {},
): AsyncGenerator<unknown> {
  for await (const run of entryRuns(client, keyspace, table, options)) for (const entry of run) yield entry.event;
}
