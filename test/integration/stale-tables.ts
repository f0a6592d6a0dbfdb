import { types, type Client } from 'cassandra-driver';

/**
 * The keyspaces where tests and benchmarks create a table per run. Not the fault campaign's
 * (`npm run bench -- faults`): it keeps a fixed set of tables, created once and truncated between
 * schedules, so its tables are old while in use; listed here, a test started beside a campaign
 * dropped them mid-run (861 of 1,000 schedules failed on "table does not exist").
 */
export const scratchKeyspaces = ['idemflow_it', 'idemflow_bench'];

/** When a table was created: Cassandra gives each new table a time-based (version 1) UUID as its id. */
export function tableCreatedAt(id: types.Uuid): Date | undefined {
  const text = id.toString();
  return text[14] === '1' ? types.TimeUuid.fromString(text).getDate() : undefined;
}

/**
 * Drops the tables of the scratch keyspaces created more than `olderThanMs` ago.
 * Each run leaves its tables behind (a failed test's rows help to debug it), and
 * on a developer's long-lived servers they pile up: Cassandra keeps about 1 MB of
 * heap per table, and at about a thousand tables its 1 GB heap ran out mid-run.
 * Only old tables go, so a run beside this one keeps its own.
 */
export async function dropStaleTables(
  client: Client,
  keyspaces: readonly string[],
  olderThanMs: number,
  now = Date.now(),
): Promise<string[]> {
  const result = await client.execute(
    'SELECT keyspace_name, table_name, id FROM system_schema.tables WHERE keyspace_name IN ?',
    [keyspaces],
    { prepare: true },
  );
  const stale = result.rows.filter((row) => {
    const created = tableCreatedAt(row.get('id') as types.Uuid);
    return created !== undefined && now - created.getTime() > olderThanMs;
  });
  const dropped: string[] = [];
  for (const row of stale) {
    const [keyspace, table] = [row.get('keyspace_name') as string, row.get('table_name') as string];
    // Identifiers come from Cassandra's own schema table; quoted all the same.
    const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
    await client.execute(`DROP TABLE IF EXISTS ${quoted(keyspace)}.${quoted(table)}`, [], { readTimeout: 120_000 });
    dropped.push(`${keyspace}.${table}`);
  }
  return dropped;
}
