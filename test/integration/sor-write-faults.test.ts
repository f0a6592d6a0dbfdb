import { describe, expect, it } from 'vitest';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { runLocal } from '../../runners/local/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { archived, archiving, countsBySensor, type Reading, sensorCounts } from './archived.ts';
import { cassandraClient, runId } from './servers.ts';

const keyspace = 'idemflow_it';
const reading = (i: number): Reading => ({ eventId: `e${i}`, sensorId: `s${i % 7}`, ts: 1_700_000_000_000 + i * 991 });

describe('a system of record under write faults', () => {
  it('a run whose archive writes fail and lose their acknowledgements, each retried, ends exact: each event once, as it was', async () => {
    const table = `sor_prepf_${runId()}`;
    const events = Array.from({ length: 6_000 }, (_, i) => reading(i));
    const pipeline = archiving(table, events);
    const client = await cassandraClient();
    try {
      for (const cql of schemaCql(tableSchemas(pipeline))) await client.execute(cql);
      const result = await runLocal(pipeline, {
        log: () => {},
        store: new EmbeddedStore(tempDir()),
        targets: [cassandraConnector(client)],
        batchSize: 500,
        faults: { writeFail: 0.3, lostAck: 0.3, crashAt: [], duplicate: 0, loss: 0 },
        seed: 11,
        sleep: async () => {},
      });
      expect(result.injected.writeFail + result.injected.lostAck).toBeGreaterThan(0);
      const read = await archived(client, keyspace, table);
      expect(new Map(read.map((e) => [e.eventId, e.event]))).toEqual(new Map(events.map((e) => [e.eventId, e])));
      expect(await sensorCounts(client, `${table}_n`)).toEqual(countsBySensor(events));
    } finally {
      await client.shutdown();
    }
  }, 120_000);
});
