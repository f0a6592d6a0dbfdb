import { types, type Client } from 'cassandra-driver';
import { allHashBuckets, idBucket } from './sor-bucket.ts';

const minToken = -(2n ** 63n);
const maxToken = 2n ** 63n - 1n;

/** Murmur3 token ranges: the whole ring cut into `parts` slices (lo, hi], each read with paging. */
function tokenSlices(parts: number): [bigint, bigint][] {
  const span = maxToken - minToken;
  return Array.from({ length: parts }, (_, i) => [
    minToken + (span * BigInt(i)) / BigInt(parts),
    i === parts - 1 ? maxToken : minToken + (span * BigInt(i + 1)) / BigInt(parts),
  ]);
}

/** The same slices as the driver binds them. */
export function tokenRanges(parts: number): [types.Long, types.Long][] {
  return tokenSlices(parts).map(([lo, hi]) => [
    types.Long.fromString(lo.toString()),
    types.Long.fromString(hi.toString()),
  ]);
}

/**
 * Where a reader of a system of record stands: the last row read, by its
 * partition token, bucket and event id (the order rows are read in). Rows
 * inserted later do not move it, unlike a count of rows read.
 */
export interface SorPosition {
  readonly token: string;
  readonly bucket: string;
  readonly eventId: string;
}

export const isSorPosition = (v: unknown): v is SorPosition =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as SorPosition).token === 'string' &&
  typeof (v as SorPosition).bucket === 'string' &&
  typeof (v as SorPosition).eventId === 'string';

export interface SorEntry {
  readonly eventId: string;
  readonly event: unknown;
  readonly position: SorPosition;
}

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
 * The rows of a system-of-record table (`bucket`, `event_id`, `payload`) as
 * event id, decoded event and position, read by token ranges with paging, so
 * no query scans the whole ring and memory holds one page at a time; each
 * event once, even where rows of an older bucketing left two copies. Rows
 * come in token order, then event id within a partition: after `after`, the
 * rest of its partition, then the partitions of greater tokens. Rows
 * inserted behind the position while reading are not read; rows ahead are.
 * (Two buckets of one token, a Murmur3 collision, would be read as one
 * partition: with 64 hash buckets or one a day, it does not happen.)
 */
export async function* systemOfRecordEntries(
  client: Client,
  keyspace: string,
  table: string,
  after?: SorPosition,
  parts = 16,
): AsyncGenerator<SorEntry> {
  // Identifiers were validated by the DSL; values are bound.
  const select = `SELECT token(bucket) AS t, bucket, event_id, payload FROM ${keyspace}.${table}`;
  const rows = (cql: string, params: unknown[]) =>
    client.stream(cql, params, { prepare: true, fetchSize: 5_000 }) as unknown as AsyncIterable<types.Row>;
  const queries: [string, unknown[]][] = [];
  const resumeAt = after ? BigInt(after.token) : undefined;
  if (after) queries.push([`${select} WHERE bucket = ? AND event_id > ?`, [after.bucket, after.eventId]]);
  for (const [i, [lo, hi]] of tokenSlices(parts).entries()) {
    if (resumeAt !== undefined && resumeAt >= hi) continue;
    // (lo, hi] slices; the first includes the minimum token itself, unless resuming past it.
    const from = resumeAt !== undefined && resumeAt >= lo ? resumeAt : lo;
    const inclusive = i === 0 && resumeAt === undefined;
    queries.push([
      `${select} WHERE token(bucket) ${inclusive ? '>=' : '>'} ? AND token(bucket) <= ?`,
      [types.Long.fromString(from.toString()), types.Long.fromString(hi.toString())],
    ]);
  }
  for (const [cql, params] of queries) {
    for await (const row of rows(cql, params)) {
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

/** The events of a system-of-record table alone, in the same order. */
export async function* systemOfRecordEvents(client: Client, keyspace: string, table: string): AsyncGenerator<unknown> {
  for await (const { event } of systemOfRecordEntries(client, keyspace, table)) yield event;
}
