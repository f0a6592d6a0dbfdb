import { types, type Client } from 'cassandra-driver';

/** Bytes of one stored value as Cassandra's types encode it. */
function valueBytes(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return 8;
  if (typeof value === 'boolean') return 1;
  if (value instanceof types.Long || value instanceof Date) return 8;
  if (value instanceof types.Uuid) return 16;
  if (Buffer.isBuffer(value)) return value.length;
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * The logical size of a table: the bytes of every stored value, keys
 * included. Unlike disk usage (which depends on when memtables flush and
 * compaction runs) it is the same on every run, so the table of results can
 * be reproduced; it is what the system of record costs before compression.
 */
export async function tableBytes(client: Client, table: string): Promise<number> {
  let bytes = 0;
  let pageState: string | undefined;
  do {
    const page = await client.execute(`SELECT * FROM ${table}`, [], { prepare: true, fetchSize: 5_000, pageState });
    for (const row of page.rows) for (const key of row.keys()) bytes += valueBytes(row.get(key));
    pageState = page.pageState ?? undefined;
  } while (pageState);
  return bytes;
}
