import type { Client } from 'cassandra-driver';
import { systemOfRecordEntries, type SorEntry } from '../../connectors/cassandra/sor-reader.ts';

/** The events of a Cassandra system of record as every reader sees them: each id once, whatever the layout. */
export async function archived(client: Client, keyspace: string, table: string): Promise<SorEntry[]> {
  const entries: SorEntry[] = [];
  for await (const entry of systemOfRecordEntries(client, keyspace, table)) entries.push(entry);
  return entries;
}

/** The row layout of older versions, made by hand: what an existing deployment's table looks like. */
export const rowLayoutCql = (keyspace: string, table: string) =>
  `CREATE TABLE IF NOT EXISTS ${keyspace}.${table} (bucket text, event_id text, payload text, PRIMARY KEY (bucket, event_id))`;
