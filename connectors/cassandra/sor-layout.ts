import type { Client } from 'cassandra-driver';
import { UserFacingError } from '../../runtime/user-facing-error.ts';

/**
 * The layouts a Cassandra system of record may have:
 * - `blocks` (written since issue 19): partition `bucket` (a 10-minute slot
 *   of event time and an id bucket), clustering `block` (a hash of the ids
 *   in it), the block's events as one JSON array with their count and size;
 * - `rows` (before): partition `bucket` (UTC day or id hash), clustering
 *   `event_id`, one event's JSON in `payload`. Still read and written, so a
 *   table made by an older idemflow keeps working as it was.
 */
export type SorLayout = 'blocks' | 'rows';

const layouts: Record<SorLayout, { columns: readonly string[]; cql: string }> = {
  blocks: {
    columns: ['block', 'bucket', 'bytes', 'events', 'n'],
    cql: '(bucket text, block text, n bigint, bytes bigint, events text, PRIMARY KEY (bucket, block))',
  },
  rows: {
    columns: ['bucket', 'event_id', 'payload'],
    cql: '(bucket text, event_id text, payload text, PRIMARY KEY (bucket, event_id))',
  },
};

/** The CQL that makes a system-of-record table in a layout (identifiers validated by the caller). */
export const sorTableCql = (keyspace: string, table: string, layout: SorLayout) =>
  `CREATE TABLE IF NOT EXISTS ${keyspace}.${table} ${layouts[layout].cql}`;

/** A table whose columns match no layout of a system of record. */
export class UnknownSorLayout extends UserFacingError {
  override readonly name = 'UnknownSorLayout';
  constructor(keyspace: string, table: string, columns: readonly string[]) {
    super(
      `${keyspace}.${table} is not a system of record idemflow can read: its columns are (${columns.join(', ')}); ` +
        `expected the block layout ${layouts.blocks.cql} or the row layout of older versions ${layouts.rows.cql}`,
    );
  }
}

/** The layout of a system-of-record table, from its columns; undefined when the table does not exist. */
export async function sorLayout(client: Client, keyspace: string, table: string): Promise<SorLayout | undefined> {
  const result = await client.execute(
    'SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?',
    // Unquoted in the CQL idemflow writes, so Cassandra folded them to lower case.
    [keyspace.toLowerCase(), table.toLowerCase()],
    { prepare: true },
  );
  const columns = result.rows.map((r) => String(r.get('column_name'))).sort();
  if (columns.length === 0) return undefined;
  for (const [layout, { columns: expected }] of Object.entries(layouts))
    if (columns.join(',') === expected.join(',')) return layout as SorLayout;
  throw new UnknownSorLayout(keyspace, table, columns);
}

/** The layout of a table that must exist (readers): a missing one is an error Cassandra's own words name. */
export async function existingSorLayout(client: Client, keyspace: string, table: string): Promise<SorLayout> {
  const layout = await sorLayout(client, keyspace, table);
  // Worded as Cassandra words it, so callers that treat a missing table as empty (the dry-run) still do.
  if (!layout)
    throw new Error(`unconfigured table ${table} (the system of record ${keyspace}.${table} does not exist)`);
  return layout;
}
