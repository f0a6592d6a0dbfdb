import { describe, expect, it } from 'vitest';
import { BuildError, cassandra, source } from 'idemflow';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { runLocal } from '../../runners/local/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { cassandraClient, runId, selectAll } from './servers.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';

const hostile = [
  "x'); DROP TABLE idemflow_it.victim; --",
  "a' OR '1'='1",
  '"; TRUNCATE system_auth.roles; //',
  'ʕ•ᴥ•ʔ \u0000 nul',
];

describe('CQL safety on real Cassandra', () => {
  it('values from events are bound, never spliced: hostile keys are stored verbatim and every table survives', async () => {
    const id = runId();
    const table = `injection_${id}`;
    const pipeline = source
      .memory(hostile.map((sensorId, i) => ({ sensorId, value: i + 1 })))
      .groupBy('sensorId')
      .sum('value')
      .sink(cassandra.upsert({ keyspace: 'idemflow_it', table, key: { sensorid: 'key' }, values: { total: 'value' } }));
    const client = await cassandraClient();
    try {
      for (const cql of schemaCql(tableSchemas(pipeline.ir))) await client.execute(cql);
      await client.execute('CREATE TABLE IF NOT EXISTS idemflow_it.victim (k text PRIMARY KEY)');
      await runLocal(pipeline.ir, {
        store: new EmbeddedStore(tempDir()),
        targets: [cassandraConnector(client)],
        log: () => {},
      });
      const rows = await selectAll(client, `SELECT sensorid, total FROM idemflow_it.${table}`);
      expect(new Map(rows.map((r) => [r.sensorid, r.total]))).toEqual(new Map(hostile.map((k, i) => [k, i + 1])));
      const tables = await selectAll(
        client,
        "SELECT table_name FROM system_schema.tables WHERE keyspace_name = 'idemflow_it'",
      );
      expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['victim', table]));
    } finally {
      await client.shutdown();
    }
  });

  it('hostile names never reach Cassandra: they are refused when the pipeline is built', () => {
    for (const name of ['t; DROP TABLE x', 'idemflow_it.t', 't"', 'système']) {
      expect(() =>
        cassandra.upsert({ keyspace: 'idemflow_it', table: name, key: { k: 'key' }, values: { v: 'value' } }),
      ).toThrow(BuildError);
      expect(() => cassandra.upsert({ keyspace: name, table: 't', key: { k: 'key' }, values: { v: 'value' } })).toThrow(
        BuildError,
      );
      expect(() =>
        cassandra.upsert({ keyspace: 'k', table: 't', key: { [name]: 'key' }, values: { v: 'value' } }),
      ).toThrow(BuildError);
    }
  });
});
