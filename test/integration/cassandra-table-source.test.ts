import { describe, expect, it } from 'vitest';
import { cassandra, embedded, sinks, source } from 'idemflow';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { loadRunner } from '../../runners/registry.ts';
import { runLocal } from '../../runners/local/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { cassandraClient, runId } from './servers.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';

const beamDirectRunner = await loadRunner('beam-direct');

const events = Array.from({ length: 12_000 }, (_, i) => ({
  eventId: `e${i}`,
  sensorId: `s${i % 13}`,
  ts: 1_700_000_000_000 + i * 500,
  value: i % 5,
}));
const truth = new Map<string, number>();
for (const e of events) truth.set(e.sensorId, (truth.get(e.sensorId) ?? 0) + 1);
const quiet = { log: () => {} };

describe('source.cassandraTable reads the system of record in Cassandra, by token ranges with paging', () => {
  it('on the local runner and on Beam: every archived event, once; a stopped run resumes where it stopped', async () => {
    const table = `sor_source_${runId()}`;
    const archive = source
      .memory(events)
      .archive(cassandra.systemOfRecord({ keyspace: 'idemflow_it', table, id: 'eventId' }))
      .groupBy('sensorId')
      .count()
      .sink(sinks.memory());
    const client = await cassandraClient();
    try {
      for (const cql of schemaCql(tableSchemas(archive.ir))) await client.execute(cql);
      await runLocal(archive.ir, {
        store: new EmbeddedStore(tempDir()),
        targets: [cassandraConnector(client)],
        ...quiet,
      });

      const recount = () =>
        source.cassandraTable({ keyspace: 'idemflow_it', table }).groupBy((e) => (e as { sensorId: string }).sensorId);
      const local = await runLocal(recount().count().sink(sinks.memory()).ir, {
        store: new EmbeddedStore(tempDir()),
        targets: [cassandraConnector(client)],
        batchSize: 1_000,
        ...quiet,
      });
      expect(local.recordsIn).toBe(events.length);
      const counted = new Map(
        [...local.memory.get('memory')!.values()].map((r) => [
          (r as { key: string }).key,
          (r as { value: number }).value,
        ]),
      );
      expect(counted).toEqual(truth);

      const beam = await beamDirectRunner.run(recount().count().sink(sinks.memory()).ir, {
        store: new EmbeddedStore(tempDir()),
        targets: [cassandraConnector(client)],
        ...quiet,
      });
      expect(beam.memory.get('memory')).toEqual(local.memory.get('memory'));

      // Stopped after 5,000 events with a checkpoint, then resumed: the position counts events in token order.
      const store = new EmbeddedStore(tempDir());
      const checkpointDir = tempDir();
      const upsert = recount()
        .count()
        .sink(embedded.upsert({ table: 'counts', key: { s: 'key' }, values: { n: 'value' } }));
      const first = await runLocal(upsert.ir, {
        store,
        targets: [cassandraConnector(client)],
        checkpointDir,
        batchSize: 1_000,
        maxRecords: 5_000,
        ...quiet,
      });
      expect(first.stopped).toBe('max-records');
      const second = await runLocal(upsert.ir, {
        store,
        targets: [cassandraConnector(client)],
        checkpointDir,
        batchSize: 1_000,
        ...quiet,
      });
      expect(second.recordsIn).toBe(events.length - first.recordsIn);
      expect(
        new Map(
          store
            .table({ table: 'counts' })
            .rows()
            .map((r) => [r.key[0], r.columns.n]),
        ),
      ).toEqual(truth);
    } finally {
      await client.shutdown();
    }
  }, 120_000);
});
