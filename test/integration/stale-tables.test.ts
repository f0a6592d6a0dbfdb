import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'cassandra-driver';
import { cassandraClient, runId } from './servers.ts';
import { dropStaleTables, tableCreatedAt } from './stale-tables.ts';

const keyspace = 'idemflow_stale_test';

describe('stale test tables', () => {
  let client: Client;
  beforeAll(async () => {
    client = await cassandraClient();
    await client.execute(
      `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
  });
  afterAll(async () => client.shutdown());

  it('knows when each table was created, and drops only those older than the limit', async () => {
    const table = `t_${runId()}`;
    const before = Date.now();
    await client.execute(`CREATE TABLE ${keyspace}.${table} (k text PRIMARY KEY)`);
    const row = await client.execute(
      'SELECT id FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?',
      [keyspace, table],
      { prepare: true },
    );
    const created = tableCreatedAt(row.first().get('id'));
    expect(created!.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(created!.getTime()).toBeLessThanOrEqual(Date.now() + 5_000);

    expect(await dropStaleTables(client, [keyspace], 60 * 60 * 1000)).not.toContain(`${keyspace}.${table}`);
    const inAnHour = Date.now() + 2 * 60 * 60 * 1000;
    expect(await dropStaleTables(client, [keyspace], 60 * 60 * 1000, inAnHour)).toContain(`${keyspace}.${table}`);
    const left = await client.execute(
      'SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?',
      [keyspace, table],
      { prepare: true },
    );
    expect(left.rowLength).toBe(0);
  }, 180_000);
});
