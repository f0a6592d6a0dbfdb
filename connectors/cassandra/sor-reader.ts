import { types, type Client } from 'cassandra-driver';
import { allHashBuckets, idBucket } from './sor-bucket.ts';

/** Murmur3 token ranges: the whole ring cut into `parts` slices, each read with paging. */
export function tokenRanges(parts: number): [types.Long, types.Long][] {
  const min = -(2n ** 63n);
  const span = 2n ** 64n - 1n;
  return Array.from({ length: parts }, (_, i) => {
    const lo = min + (span * BigInt(i)) / BigInt(parts);
    const hi = i === parts - 1 ? 2n ** 63n - 1n : min + (span * BigInt(i + 1)) / BigInt(parts);
    return [types.Long.fromString(lo.toString()), types.Long.fromString(hi.toString())];
  });
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
async function isTheCopyToRead(client: Client, keyspace: string, table: string, bucket: string, eventId: string): Promise<boolean> {
  const own = idBucket(eventId);
  if (bucket === own || !/^h\d+$/.test(bucket)) return true;
  const cql = `SELECT bucket, writetime(payload) AS written FROM ${keyspace}.${table} WHERE bucket IN ? AND event_id = ?`;
  const copies = (await client.execute(cql, [allHashBuckets, eventId], { prepare: true })).rows.map((r) => ({ bucket: String(r.get('bucket')), written: BigInt(String(r.get('written'))) }));
  if (copies.some((c) => c.bucket === own)) return false;
  const newest = copies.reduce((a, b) => (b.written > a.written || (b.written === a.written && b.bucket < a.bucket) ? b : a), { bucket, written: -1n });
  return newest.bucket === bucket;
}

/**
 * The rows of a system-of-record table (`bucket`, `event_id`, `payload`) as
 * event id and decoded event, read by token ranges with paging, so no query
 * scans the whole ring and memory holds one page at a time; each event
 * once, even where rows of an older bucketing left two copies. The order is
 * the ring's: the same for the same data, which lets a reader resume by counting.
 */
export async function* systemOfRecordEntries(client: Client, keyspace: string, table: string, parts = 16): AsyncGenerator<{ readonly eventId: string; readonly event: unknown }> {
  for (const [i, [lo, hi]] of tokenRanges(parts).entries()) {
    // (lo, hi] slices; the first includes the minimum token itself. Identifiers were validated by the DSL.
    const cql = `SELECT bucket, event_id, payload FROM ${keyspace}.${table} WHERE token(bucket) ${i === 0 ? '>=' : '>'} ? AND token(bucket) <= ?`;
    for await (const row of client.stream(cql, [lo, hi], { prepare: true, fetchSize: 5_000 }) as unknown as AsyncIterable<types.Row>) {
      const eventId = String(row.get('event_id'));
      if (!(await isTheCopyToRead(client, keyspace, table, String(row.get('bucket')), eventId))) continue;
      yield { eventId, event: JSON.parse(row.get('payload') as string) };
    }
  }
}

/** The events of a system-of-record table alone, in the same order. */
export async function* systemOfRecordEvents(client: Client, keyspace: string, table: string): AsyncGenerator<unknown> {
  for await (const { event } of systemOfRecordEntries(client, keyspace, table)) yield event;
}
