import { concurrent, types, type Client } from 'cassandra-driver';
import { inOrderAhead } from '../../connectors/cassandra/in-order-ahead.ts';
// Repair's own read-ahead depth, so the scan and repair inflate alike.
import { inflatedAhead } from '../../connectors/cassandra/sor-block-stream.ts';
import { blockText, blockTextOffThread } from '../../connectors/cassandra/sor-block-codec.ts';
import { tokenRanges } from '../../connectors/cassandra/sor-reader.ts';

/** One archived event as the baselines write it: its partition bucket, id and JSON text. */
export interface RawEvent {
  readonly bucket: string;
  readonly eventId: string;
  readonly payload: string;
}

/** The row-per-event table the raw baselines write: the layout of the system of record before blocks. */
export const rawTableCql = (keyspace: string, table: string) =>
  `CREATE TABLE IF NOT EXISTS ${keyspace}.${table} (bucket text, event_id text, payload text, PRIMARY KEY (bucket, event_id))`;

const insertCql = (keyspace: string, table: string) =>
  `INSERT INTO ${keyspace}.${table} (bucket, event_id, payload) VALUES (?, ?, ?)`;

/** The least a client can do per event: one prepared single-row insert each, 64 in flight. Returns ms. */
export async function rawSingleInserts(
  client: Client,
  keyspace: string,
  table: string,
  events: readonly RawEvent[],
): Promise<number> {
  const params = events.map((e) => [e.bucket, e.eventId, e.payload]);
  const started = performance.now();
  // executeConcurrent prepares the statement and keeps 64 requests in flight.
  await concurrent.executeConcurrent(client, insertCql(keyspace, table), params, { concurrencyLevel: 64 });
  return performance.now() - started;
}

/**
 * Unlogged batches of one partition each, under Cassandra's batch size
 * warning (5 KiB by default), 16 in flight: what a careful client does with
 * a row-per-event table. Returns ms.
 */
export async function rawBatchedInserts(
  client: Client,
  keyspace: string,
  table: string,
  events: readonly RawEvent[],
): Promise<number> {
  const byBucket = new Map<string, RawEvent[]>();
  for (const e of events) {
    let group = byBucket.get(e.bucket);
    if (!group) byBucket.set(e.bucket, (group = []));
    group.push(e);
  }
  const batches: RawEvent[][] = [];
  for (const group of byBucket.values()) {
    let batch: RawEvent[] = [];
    let bytes = 0;
    for (const e of group) {
      const size = 72 + e.eventId.length + e.bucket.length + e.payload.length;
      if (batch.length > 0 && bytes + size > 4 * 1024) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(e);
      bytes += size;
    }
    if (batch.length > 0) batches.push(batch);
  }
  const query = insertCql(keyspace, table);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        await client.batch(
          batch.map((e) => ({ query, params: [e.bucket, e.eventId, e.payload] })),
          { prepare: true, logged: false },
        );
      }
    }),
  );
  return performance.now() - started;
}

/** How many events a block's decoded JSON holds, in either form: `[[id, event], …]` or `{"id": field, "events": […]}`. */
const eventsIn = (decoded: unknown): number =>
  Array.isArray(decoded) ? decoded.length : (decoded as { events: unknown[] }).events.length;

/** Every row of a table, read by 16 token ranges with paging (as any full-table reader must). */
export async function* scanRows(client: Client, keyspace: string, table: string): AsyncGenerator<types.Row> {
  for (const [i, [lo, hi]] of tokenRanges(16).entries()) {
    const cql = `SELECT * FROM ${keyspace}.${table} WHERE token(bucket) ${i === 0 ? '>=' : '>'} ? AND token(bucket) <= ?`;
    yield* client.stream(cql, [lo, hi], { prepare: true, fetchSize: 5_000 }) as unknown as AsyncIterable<types.Row>;
  }
}

/** A block row's JSON, inflated in the `deflated-blocks` layout (as every reader of blocks must). */
const storedText = (row: types.Row) =>
  blockText(String(row.get('bucket')), String(row.get('block')), row.get('events'));

/** A row's event JSON: the row layout's payload as it is, a block's text inflated on libuv's pool where deflated. */
const rowText = (row: types.Row): Promise<string> => {
  const payload = row.get('payload') as string | undefined;
  if (payload !== undefined && payload !== null) return Promise.resolve(payload);
  return blockTextOffThread(String(row.get('bucket')), String(row.get('block')), row.get('events'));
};

/**
 * A raw token-range scan of a system-of-record table, whatever its layout:
 * every row read and its events decoded from JSON (the least any reader of
 * the events does). Deflated blocks are inflated on libuv's pool, eight
 * ahead, as repair's read does: the baseline gets the same decoder, so
 * repair's ratio to it measures repair's own work, not where zlib runs.
 * Returns the events seen and the ms it took.
 */
export async function rawScan(
  client: Client,
  keyspace: string,
  table: string,
): Promise<{ events: number; ms: number }> {
  const started = performance.now();
  let events = 0;
  for await (const [row, text] of inOrderAhead(scanRows(client, keyspace, table), rowText, inflatedAhead)) {
    const decoded = JSON.parse(text) as unknown;
    events += row.get('payload') !== undefined && row.get('payload') !== null ? 1 : eventsIn(decoded);
  }
  return { events, ms: performance.now() - started };
}

/** The largest partition of a system-of-record table, whatever its layout: its events and bytes of event JSON. */
export async function largestPartition(
  client: Client,
  keyspace: string,
  table: string,
): Promise<{ bucket: string; events: number; bytes: number; partitions: number }> {
  const sizes = new Map<string, { events: number; bytes: number }>();
  for await (const row of scanRows(client, keyspace, table)) {
    const bucket = String(row.get('bucket'));
    let size = sizes.get(bucket);
    if (!size) sizes.set(bucket, (size = { events: 0, bytes: 0 }));
    const payload = row.get('payload') as string | undefined;
    if (payload !== undefined && payload !== null) {
      size.events++;
      size.bytes += Buffer.byteLength(payload);
    } else {
      const text = storedText(row);
      size.events += eventsIn(JSON.parse(text));
      size.bytes += Buffer.byteLength(text);
    }
  }
  let largest = { bucket: '', events: 0, bytes: 0 };
  for (const [bucket, size] of sizes) if (size.bytes > largest.bytes) largest = { bucket, ...size };
  return { ...largest, partitions: sizes.size };
}
