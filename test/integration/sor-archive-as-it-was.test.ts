import type { Client } from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { cassandra, source } from 'idemflow';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';
import { cassandraRepairTarget } from '../../connectors/cassandra/repair-target.ts';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import type { PipelineNode } from '../../compiler/ir/index.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { repair, runLocal } from '../../runners/local/index.ts';
import { loadRunner } from '../../runners/registry.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { archived, rowLayoutCql } from './archived.ts';
import { cassandraClient, runId, selectAll } from './servers.ts';

interface Reading {
  eventId: string;
  sensorId: string;
  ts: number;
  n: number;
}

/** An archive of readings, a step after it (if any), and their sums of `n` by sensor in `sums`. */
function summing(keyspace: string, events: readonly Reading[], after: (e: Reading) => Reading = (e) => e) {
  return source
    .memory<Reading>(events)
    .archive(cassandra.systemOfRecord({ keyspace, table: 'events', id: 'eventId' }))
    .withEventTime((e) => e.ts)
    .map(after)
    .groupBy('sensorId')
    .sum('n')
    .sink(cassandra.upsert({ keyspace, table: 'sums', key: { sensor: 'key' }, values: { n: 'value' } })).ir;
}

const readings = (n: number): Reading[] =>
  Array.from({ length: n }, (_, i) => ({ eventId: `e${i}`, sensorId: 's', ts: 1_704_067_200_000 + i, n: 1 }));

/** A keyspace of this test's own, made in `layout` (the row layout of older versions, or the layout a new table gets). */
async function inKeyspace(layout: 'rows' | 'new', use: (client: Client, keyspace: string) => Promise<void>) {
  const client = await cassandraClient();
  const keyspace = `idemflow_u19m_${runId()}`;
  await client.execute(
    `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
  );
  try {
    if (layout === 'rows') await client.execute(rowLayoutCql(keyspace, 'events'));
    await use(client, keyspace);
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await client.shutdown();
  }
}

const beamDirect = await loadRunner('beam-direct');

async function run(client: Client, pipeline: PipelineNode, runner: 'local' | 'beam-direct' = 'local') {
  for (const cql of schemaCql(tableSchemas(pipeline))) await client.execute(cql);
  const options = { store: new EmbeddedStore(tempDir()), targets: [cassandraConnector(client)], log: () => {} };
  return runner === 'local' ? runLocal(pipeline, options) : beamDirect.run(pipeline, options);
}

const sums = async (client: Client, keyspace: string) =>
  (await selectAll(client, `SELECT sensor, n FROM ${keyspace}.sums`)).map((r) => [r.sensor, Number(r.n)]);

describe('a Cassandra system of record holds each event as it was at the archive step', () => {
  for (const layout of ['new', 'rows'] as const) {
    for (const runner of ['local', 'beam-direct'] as const)
      it(`${layout} layout, ${runner}: a map that doubles n in place changes the sums, not the archive; repair leaves them right`, async () => {
        await inKeyspace(layout, async (client, keyspace) => {
          const pipeline = summing(keyspace, readings(10), (e) => {
            e.n *= 2;
            e.eventId = `${e.eventId}-changed`;
            return e;
          });
          await run(client, pipeline, runner);
          expect(await sums(client, keyspace)).toEqual([['s', 20]]);
          const events = await archived(client, keyspace, 'events');
          expect(events.map((e) => e.eventId).sort()).toEqual(
            readings(10)
              .map((e) => e.eventId)
              .sort(),
          );
          for (const e of events) expect(e.event).toMatchObject({ n: 1 });
          const result = await repair(pipeline, { target: cassandraRepairTarget(client, pipeline) });
          expect(result.corrected).toBe(0);
          expect(await sums(client, keyspace)).toEqual([['s', 20]]);
        });
      }, 120_000);

    it(`${layout} layout: a BigInt and a Map are dead letters naming the field; the run goes on, sums and archive agree`, async () => {
      await inKeyspace(layout, async (client, keyspace) => {
        const events = readings(8);
        events[3] = { ...events[3]!, big: 10n } as Reading;
        events[5] = { ...events[5]!, meta: { seen: new Map([['a', 1]]) } } as Reading;
        const pipeline = summing(keyspace, events);
        const result = await run(client, pipeline);
        expect(result.deadLetters).toBe(2);
        const letters = await selectAll(client, `SELECT reason, raw FROM ${keyspace}.dead_letters`);
        const reasons = letters.map((l) => String(l.reason)).sort();
        expect(reasons[0]).toMatch(/field `big` is a BigInt/);
        expect(reasons[1]).toMatch(/field `meta\.seen` is a Map/);
        expect(letters.map((l) => String(l.raw)).join(' ')).toMatch(/e3[\s\S]*10n|10n[\s\S]*e3/);
        expect(await sums(client, keyspace)).toEqual([['s', 6]]);
        const ids = (await archived(client, keyspace, 'events')).map((e) => e.eventId).sort();
        expect(ids).toEqual(['e0', 'e1', 'e2', 'e4', 'e6', 'e7']);
        const repaired = await repair(pipeline, { target: cassandraRepairTarget(client, pipeline) });
        expect(repaired.corrected).toBe(0);
      });
    }, 120_000);
  }
});
