import { describe, expect, it } from 'vitest';
import { cassandra, embedded, source } from 'idemflow';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { loadRunner } from '../../runners/registry.ts';
import { runLocal } from '../../runners/local/index.ts';
import { Reading } from '../helpers/fixtures.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { cassandraClient, runId, selectAll } from './servers.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';

const beamDirectRunner = await loadRunner('beam-direct');

const quiet = { log: () => {} };
/** 1,200 lines (three batches): every 97th is not JSON, and a value of 13 makes the map throw. */
const lines = Array.from({ length: 1_200 }, (_, i) =>
  i % 97 === 5 ? `garbage ${i}` : JSON.stringify({ eventId: `e${i}`, sensorId: `s${i % 5}`, ts: i, value: i % 50 }),
);
const garbage = lines.filter((l) => l.startsWith('garbage')).length;
const unlucky = lines.filter((l) => l.includes('"value":13}')).length;

function pipeline(keyspace: string, deadLetter?: ReturnType<typeof embedded.deadLetters>) {
  return source
    .memory(lines)
    .parse(Reading, deadLetter ? { deadLetter } : {})
    .map((r) => {
      if (r.value === 13) throw new Error('unlucky');
      return r;
    })
    .archive(cassandra.systemOfRecord({ keyspace, table: 'events', id: 'eventId' }))
    .groupBy('sensorId')
    .count()
    .sink(cassandra.upsert({ keyspace, table: 'counts', key: { sensor: 'key' }, values: { n: 'value' } })).ir;
}

describe('dead letters of a run with Cassandra', () => {
  it("go to dead_letters in the pipeline's keyspace, created with its other tables, unless the pipeline names a sink", async () => {
    const keyspace = `idemflow_dl_${runId()}`;
    const client = await cassandraClient();
    try {
      const cql = schemaCql(tableSchemas(pipeline(keyspace)));
      expect(cql.some((c) => c.startsWith(`CREATE TABLE IF NOT EXISTS ${keyspace}.dead_letters (`))).toBe(true);
      for (const statement of cql) await client.execute(statement);

      const store = new EmbeddedStore(tempDir());
      const result = await runLocal(pipeline(keyspace), {
        store,
        targets: [cassandraConnector(client)],
        batchSize: 500,
        ...quiet,
      });
      expect(result.deadLetters).toBe(garbage + unlucky);
      const letters = await selectAll(client, `SELECT position, reason, raw FROM ${keyspace}.dead_letters`);
      expect(letters.length).toBe(garbage + unlucky);
      expect(letters.filter((l) => String(l.reason).startsWith('not JSON')).length).toBe(garbage);
      expect(letters.filter((l) => l.reason === 'map threw: unlucky').length).toBe(unlucky);
      expect(letters.find((l) => l.position === 'memory#5')?.raw).toBe('garbage 5');
      // Nothing on the local disk of the machine that ran it.
      expect(store.tableNames()).toEqual([]);

      // Beam puts them in the same place: the same rows, by position.
      await client.execute(`TRUNCATE ${keyspace}.dead_letters`);
      await beamDirectRunner.run(pipeline(keyspace), {
        store: new EmbeddedStore(tempDir()),
        targets: [cassandraConnector(client)],
        ...quiet,
      });
      expect(
        (await selectAll(client, `SELECT position, reason, raw FROM ${keyspace}.dead_letters`)).sort((a, b) =>
          String(a.position).localeCompare(String(b.position)),
        ),
      ).toEqual(letters.sort((a, b) => String(a.position).localeCompare(String(b.position))));

      // A sink the pipeline names is kept (for the steps after its .parse() too).
      await client.execute(`TRUNCATE ${keyspace}.dead_letters`);
      const named = new EmbeddedStore(tempDir());
      await runLocal(pipeline(keyspace, embedded.deadLetters({ table: 'bad_lines' })), {
        store: named,
        targets: [cassandraConnector(client)],
        batchSize: 500,
        ...quiet,
      });
      expect(named.table({ table: 'bad_lines' }).size).toBe(garbage + unlucky);
      expect(await selectAll(client, `SELECT reason FROM ${keyspace}.dead_letters`)).toEqual([]);
    } finally {
      await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
      await client.shutdown();
    }
  }, 180_000);
});
