import type { Client } from 'cassandra-driver';
import { UserFacingError } from '../../runtime/user-facing-error.ts';

/**
 * The layouts a Cassandra system of record may have:
 * - `deflated-blocks` (made since issue 19's write path): partition `bucket`
 *   (a 10-minute slot of event time and an id bucket), clustering `block` (a
 *   hash of the ids in it), the block's events as one JSON array compressed
 *   with raw DEFLATE (`events blob`), its count and its size as JSON; the
 *   table's own compression off, as its blocks are compressed already;
 * - `blocks` (before): the same, the JSON array as text (`events text`);
 * - `rows` (before blocks): partition `bucket` (UTC day or id hash),
 *   clustering `event_id`, one event's JSON in `payload`.
 * Each is still read and written, so a table made by an older idemflow keeps
 * working as it was; a new table is made in the first.
 */
export type SorLayout = 'deflated-blocks' | 'blocks' | 'rows';

/** The layout a new system-of-record table is made in. */
export const newSorLayout: SorLayout = 'deflated-blocks';

/** Each layout's columns as `name:type`, sorted, and the CQL that makes it. */
const layouts: Record<SorLayout, { columns: readonly string[]; cql: string; said: string }> = {
  'deflated-blocks': {
    columns: ['block:text', 'bucket:text', 'bytes:bigint', 'events:blob', 'n:bigint'],
    cql: "(bucket text, block text, n bigint, bytes bigint, events blob, PRIMARY KEY (bucket, block)) WITH compression = {'enabled': 'false'}",
    said: 'the block layout',
  },
  blocks: {
    columns: ['block:text', 'bucket:text', 'bytes:bigint', 'events:text', 'n:bigint'],
    cql: '(bucket text, block text, n bigint, bytes bigint, events text, PRIMARY KEY (bucket, block))',
    said: 'the text block layout of older versions',
  },
  rows: {
    columns: ['bucket:text', 'event_id:text', 'payload:text'],
    cql: '(bucket text, event_id text, payload text, PRIMARY KEY (bucket, event_id))',
    said: 'the row layout of older versions',
  },
};

/** Whether a layout keeps events in blocks (compressed or not), as against a row an event. */
export const isBlockLayout = (layout: SorLayout): boolean => layout !== 'rows';

/** The CQL that makes a system-of-record table in a layout (identifiers validated by the caller). */
export const sorTableCql = (keyspace: string, table: string, layout: SorLayout) =>
  `CREATE TABLE IF NOT EXISTS ${keyspace}.${table} ${layouts[layout].cql}`;

/** A table whose columns match no layout of a system of record. */
export class UnknownSorLayout extends UserFacingError {
  override readonly name = 'UnknownSorLayout';
  constructor(keyspace: string, table: string, columns: readonly string[]) {
    const expected = Object.values(layouts).map((l) => `${l.said} ${l.cql}`);
    super(
      `${keyspace}.${table} is not a system of record idemflow can read: its columns are (${columns.join(', ')}); ` +
        `expected ${expected.slice(0, -1).join(', ')} or ${expected.at(-1)!}`,
    );
  }
}

/** The layout of a system-of-record table, from its columns and their types; undefined when the table does not exist. */
export async function sorLayout(client: Client, keyspace: string, table: string): Promise<SorLayout | undefined> {
  const result = await client.execute(
    'SELECT column_name, type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?',
    // Unquoted in the CQL idemflow writes, so Cassandra folded them to lower case.
    [keyspace.toLowerCase(), table.toLowerCase()],
    { prepare: true },
  );
  const columns = result.rows
    .map((r) => ({ name: String(r.get('column_name')), type: String(r.get('type')) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (columns.length === 0) return undefined;
  const typed = columns.map((c) => `${c.name}:${c.type}`).join(',');
  for (const [layout, { columns: expected }] of Object.entries(layouts))
    if (typed === expected.join(',')) return layout as SorLayout;
  throw new UnknownSorLayout(
    keyspace,
    table,
    columns.map((c) => `${c.name} ${c.type}`),
  );
}

/** The layout of a table that must exist (readers): a missing one is an error Cassandra's own words name. */
export async function existingSorLayout(client: Client, keyspace: string, table: string): Promise<SorLayout> {
  const layout = await sorLayout(client, keyspace, table);
  // Worded as Cassandra words it, so callers that treat a missing table as empty (the dry-run) still do.
  if (!layout)
    throw new Error(`unconfigured table ${table} (the system of record ${keyspace}.${table} does not exist)`);
  return layout;
}
