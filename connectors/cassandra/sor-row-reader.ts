import { parseJson } from '../../runtime/json-parse.ts';
import type { Client } from 'cassandra-driver';
import { allHashBuckets, idBucket } from './sor-bucket.ts';
import { eagerRun, rowsInOrder, tokenOrderQueries, type SorPartition, type SorPosition } from './sor-token-queries.ts';

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

/** Rows of one partition yielded together at most (a day of the row layout can hold a quarter of a million). */
const rowsAtOnce = 1_000;

/**
 * The rows of a row-layout system-of-record table (`bucket`, `event_id`,
 * `payload`) as partitions of decoded events, read by token ranges with
 * paging, so no query scans the whole ring and memory holds one page at a
 * time (a long partition comes in pieces of `rowsAtOnce`); each event once
 * within its partition, even where rows of an older bucketing left two
 * copies. Rows come in token order, then event id within a partition: after
 * `after`, the rest of its partition, then the partitions of greater tokens.
 * Rows inserted behind the position while reading are not read; rows ahead
 * are. (Two buckets of one token, a Murmur3 collision, would be read as one
 * partition: with 64 hash buckets or one a day, it does not happen.)
 */
export async function* rowPartitions(
  client: Client,
  keyspace: string,
  table: string,
  after: SorPosition | undefined,
): AsyncGenerator<SorPartition> {
  // Identifiers were validated by the DSL; values are bound.
  const select = `SELECT token(bucket) AS t, bucket, event_id, writetime(payload) AS written, payload FROM ${keyspace}.${table}`;
  const queries = tokenOrderQueries(select, after, (a) => ['bucket = ? AND event_id > ?', [a.bucket, a.eventId]]);
  let piece:
    | { token: string; bucket: string; runs: { written: bigint; ids: string[]; events: unknown[] }[]; rows: number }
    | undefined;
  const done = (p: NonNullable<typeof piece>): SorPartition => ({
    token: p.token,
    bucket: p.bucket,
    runs: p.runs.map((r) => eagerRun(r.written, r.ids, r.events)),
  });
  for await (const row of rowsInOrder(client, queries, 5_000)) {
    const eventId = String(row.get('event_id'));
    const bucket = String(row.get('bucket'));
    if (!(await isTheCopyToRead(client, keyspace, table, bucket, eventId))) continue;
    if (piece && (piece.bucket !== bucket || piece.rows >= rowsAtOnce)) {
      yield done(piece);
      piece = undefined;
    }
    piece ??= { token: String(row.get('t')), bucket, runs: [], rows: 0 };
    const written = BigInt(String(row.get('written')));
    // As a block's: proof against V8's escaped-key bug (runtime/json-parse.ts).
    const event = parseJson(row.get('payload') as string);
    const last = piece.runs[piece.runs.length - 1];
    if (last?.written === written) {
      last.ids.push(eventId);
      last.events.push(event);
    } else piece.runs.push({ written, ids: [eventId], events: [event] });
    piece.rows++;
  }
  if (piece) yield done(piece);
}
