import { describe, expect, it } from 'vitest';
import { cassandra, source } from 'idemflow';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { cassandraRepairTarget } from '../../connectors/cassandra/repair-target.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { repair, runLocal } from '../../runners/local/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { cassandraClient, runId, selectAll } from './servers.ts';

const keyspace = 'idemflow_it';
/** Doubles whose sum's last bits depend on the order they are added in (ascending and descending differ). */
const values = Array.from({ length: 40 }, (_, i) => Math.sqrt(i + 2));
const sumOf = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0);

/** Readings with ids descending: the stream adds them as they come, the archive's blocks hold them sorted by id. */
const readings = values.map((n, i) => ({ id: `e${String(values.length - i).padStart(2, '0')}`, sensor: 's', n }));

function summing(table: string, aggregate: 'sum' | 'count') {
  const grouped = source
    .memory(readings)
    .archive(cassandra.systemOfRecord({ keyspace, table: `${table}_events`, id: 'id' }))
    .groupBy('sensor');
  return (aggregate === 'sum' ? grouped.sum('n') : grouped.count()).sink(
    cassandra.upsert({ keyspace, table, key: { sensor: 'key' }, values: { n: 'value' } }),
  ).ir;
}

describe('repair on the real Cassandra and floating-point results', () => {
  it('a sum the stream added in another order than repair, differing in its last bits: nothing corrected', async () => {
    // The premise: the two orders give sums that differ in their last bits.
    expect(sumOf(values)).not.toBe(sumOf([...values].reverse()));
    const table = `float_sums_${runId()}`;
    const client = await cassandraClient();
    try {
      const pipeline = summing(table, 'sum');
      for (const cql of schemaCql(tableSchemas(pipeline))) await client.execute(cql);
      const run = { store: new EmbeddedStore(tempDir()), targets: [cassandraConnector(client)], log: () => {} };
      await runLocal(pipeline, run);
      const stored = async () =>
        (await selectAll(client, `SELECT n FROM ${keyspace}.${table}`)).map((r) => Number(r.n));
      const [streamed] = await stored();
      expect(streamed).toBe(sumOf(values));
      const result = await repair(pipeline, { target: cassandraRepairTarget(client, pipeline) });
      expect(result).toMatchObject({ events: 40, checked: 1, corrected: 0 });
      expect(await stored()).toEqual([streamed]);
      // A sum wrong by one event is still corrected.
      await client.execute(`UPDATE ${keyspace}.${table} SET n = ? WHERE sensor = ?`, [streamed! + values[3]!, 's'], {
        prepare: true,
      });
      expect((await repair(pipeline, { target: cassandraRepairTarget(client, pipeline) })).corrected).toBe(1);
      expect(Math.abs((await stored())[0]! - streamed!)).toBeLessThan(1e-9);
    } finally {
      await client.shutdown();
    }
  }, 120_000);
});
