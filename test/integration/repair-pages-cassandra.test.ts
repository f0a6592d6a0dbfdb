import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cassandra, source, tumbling } from 'idemflow';
import { cassandraRepairTarget } from '../../connectors/cassandra/repair-target.ts';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { parseFaults, repair, runLocal } from '../../runners/local/index.ts';
import { countsByKeyAndWindow, generatorDefaults } from '../helpers/truth.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { cassandraClient, runId, selectAll } from './servers.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';

describe('repair streams tables many pages long, on the real Cassandra', () => {
  it('a sink table of thousands of rows, read 500 rows a page and worked 300 rows at a time, is repaired to the exact truth', async () => {
    const id = runId();
    const keyspace = 'idemflow_it';
    const settings = { seed: 12, count: 16_000, keys: 700, intervalMs: 200, ...generatorDefaults };
    const pipeline = source
      .generator(settings)
      .archive(cassandra.systemOfRecord({ keyspace, table: `paged_events_${id}`, id: 'eventId' }))
      .withEventTime((e) => e.ts)
      .window(tumbling({ minutes: 1 }))
      .groupBy('sensorId')
      .count()
      .sink(
        cassandra.upsert({
          keyspace,
          table: `paged_counts_${id}`,
          key: { sensorid: 'key', ts: 'windowStart' },
          values: { measurements: 'value' },
        }),
      )
      .named('paged-counts').ir;
    const client = await cassandraClient();
    try {
      for (const cql of schemaCql(tableSchemas(pipeline))) await client.execute(cql);
      await runLocal(pipeline, {
        store: new EmbeddedStore(join(tempDir(), 'store')),
        targets: [cassandraConnector(client)],
        batchSize: 2_000,
        faults: parseFaults('loss=0.03,duplicate=0.03'),
        seed: 4,
        log: () => {},
      });
      const table = `${keyspace}.paged_counts_${id}`;
      const rows = async () =>
        new Map(
          (await selectAll(client, `SELECT sensorid, ts, measurements FROM ${table}`)).map((r) => [
            JSON.stringify([r.sensorid, r.ts]),
            Number(r.measurements),
          ]),
        );
      const truth = countsByKeyAndWindow(settings, 60_000);
      const before = await rows();
      expect(truth.size).toBeGreaterThan(10 * 500);
      expect(before).not.toEqual(truth);
      const target = cassandraRepairTarget(client, pipeline, { fetchSize: 500 });
      const result = await repair(pipeline, { target, pageRows: 300 });
      expect(result.events).toBe(settings.count);
      expect(result.checked).toBe(truth.size);
      // Never more than 300 of the 5,000+ groups in memory at once.
      expect(result.peakGroups).toBeLessThanOrEqual(300);
      expect(await rows()).toEqual(truth);
      expect((await repair(pipeline, { target, pageRows: 300 })).corrected).toBe(0);
      // The sink's rows reach repair a page at a time (no await a row): pages of at most 500, every row once.
      const pages: number[] = [];
      for await (const page of target.rows(pipeline.sink)) pages.push(page.length);
      expect(Math.max(...pages)).toBeLessThanOrEqual(500);
      expect(pages.length).toBeGreaterThan(10);
      expect(pages.reduce((a, b) => a + b, 0)).toBe(truth.size);
    } finally {
      await client.shutdown();
    }
  }, 600_000);
});
