import { types, type Client } from 'cassandra-driver';

/** Murmur3 token ranges: the whole ring cut into `parts` slices, each read with paging. */
function tokenRanges(parts: number): [types.Long, types.Long][] {
  const min = -(2n ** 63n);
  const span = 2n ** 64n - 1n;
  return Array.from({ length: parts }, (_, i) => {
    const lo = min + (span * BigInt(i)) / BigInt(parts);
    const hi = i === parts - 1 ? 2n ** 63n - 1n : min + (span * BigInt(i + 1)) / BigInt(parts);
    return [types.Long.fromString(lo.toString()), types.Long.fromString(hi.toString())];
  });
}

/**
 * The rows of a system-of-record table (`bucket`, `event_id`, `payload`) as
 * event id and decoded event, read by token ranges with paging, so no query
 * scans the whole ring and memory holds one page at a time. The order is the
 * ring's: the same for the same data, which lets a reader resume by counting.
 */
export async function* systemOfRecordEntries(client: Client, keyspace: string, table: string, parts = 16): AsyncGenerator<{ readonly eventId: string; readonly event: unknown }> {
  for (const [i, [lo, hi]] of tokenRanges(parts).entries()) {
    // (lo, hi] slices; the first includes the minimum token itself. Identifiers were validated by the DSL.
    const cql = `SELECT event_id, payload FROM ${keyspace}.${table} WHERE token(bucket) ${i === 0 ? '>=' : '>'} ? AND token(bucket) <= ?`;
    for await (const row of client.stream(cql, [lo, hi], { prepare: true, fetchSize: 5_000 }) as unknown as AsyncIterable<types.Row>) {
      yield { eventId: String(row.get('event_id')), event: JSON.parse(row.get('payload') as string) };
    }
  }
}

/** The events of a system-of-record table alone, in the same order. */
export async function* systemOfRecordEvents(client: Client, keyspace: string, table: string): AsyncGenerator<unknown> {
  for await (const { event } of systemOfRecordEntries(client, keyspace, table)) yield event;
}
