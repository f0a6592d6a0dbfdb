import { describe, expect, it } from 'vitest';
import { cassandra, source, tumbling } from 'idemflow';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { produceLines } from '../../connectors/kafka/produce.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { runLocal } from '../../runners/local/index.ts';
import { generatedEvent } from '../../runtime/sources/generator-source.ts';
import { SensorReading } from '../../pipelines/schemas.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { generatorDefaults } from '../helpers/truth.ts';
import { brokers, cassandraClient, runId, selectAll } from './servers.ts';
import { archived } from './archived.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';

const minute = 60_000;
const settings = { seed: 77, count: 4_000, keys: 12, intervalMs: 150, ...generatorDefaults };
const events = Array.from({ length: settings.count }, (_, i) => generatedEvent(settings, i).event);
const truth = new Map<string, number>();
for (const e of events) {
  const id = `${e.sensorId}@${Math.floor(e.ts / minute) * minute}`;
  truth.set(id, (truth.get(id) ?? 0) + 1);
}
const quiet = { log: () => {}, untilIdleMs: 4_000, batchSize: 500 };

async function countsOf(table: string): Promise<Map<string, number>> {
  const client = await cassandraClient();
  try {
    const rows = await selectAll(client, `SELECT sensorid, ts, measurements FROM idemflow_it.${table}`);
    return new Map(rows.map((r) => [`${r.sensorid}@${r.ts}`, Number(r.measurements)]));
  } finally {
    await client.shutdown();
  }
}

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe('Kafka → aggregate → Cassandra, on the real servers', () => {
  it('aggregates + idempotent model + system of record: totals equal the truth; malformed messages end in the dead-letter table', async () => {
    const id = runId();
    const topic = `it-readings-${id}`;
    const malformed = ['{not json', JSON.stringify({ eventId: 'x', sensorId: 's', ts: 'yesterday', value: 1 }), ''];
    await produceLines(brokers, topic, [
      ...events.slice(0, 2_000).map((e) => JSON.stringify(e)),
      ...malformed,
      ...events.slice(2_000).map((e) => JSON.stringify(e)),
    ]);
    const pipeline = source
      .kafka({ brokers, topic, groupId: `it-${id}` })
      .parse(SensorReading, {
        deadLetter: cassandra.deadLetters({ keyspace: 'idemflow_it', table: `dead_letters_${id}` }),
      })
      .archive(cassandra.systemOfRecord({ keyspace: 'idemflow_it', table: `sensor_events_${id}`, id: 'eventId' }))
      .withEventTime((r) => r.ts)
      .window(tumbling(minute))
      .groupBy('sensorId')
      .count()
      .sink(
        cassandra.upsert({
          keyspace: 'idemflow_it',
          table: `sensor_counts_${id}`,
          key: { sensorid: 'key', ts: 'windowStart' },
          values: { measurements: 'value' },
        }),
      );
    const client = await cassandraClient();
    try {
      for (const cql of schemaCql(tableSchemas(pipeline.ir))) await client.execute(cql);
      const result = await runLocal(pipeline.ir, {
        ...quiet,
        store: new EmbeddedStore(tempDir()),
        checkpointDir: tempDir(),
        targets: [cassandraConnector(client)],
      });
      expect(result.stopped).toBe('idle');
      expect(result.deadLetters).toBe(malformed.length);
      const letters = await selectAll(client, `SELECT position, reason, raw FROM idemflow_it.dead_letters_${id}`);
      expect(letters.map((l) => l.raw).sort()).toEqual([...malformed].sort());
      for (const l of letters) expect(l.position).toMatch(new RegExp(`^${topic}/\\d+/\\d+$`));
      expect(await archived(client, 'idemflow_it', `sensor_events_${id}`)).toHaveLength(settings.count);
    } finally {
      await client.shutdown();
    }
    expect(await countsOf(`sensor_counts_${id}`)).toEqual(truth);
  });

  it('a counter sink under lost acknowledgements ends above the truth (the anti-pattern, on real Cassandra)', async () => {
    const id = runId();
    const topic = `it-visits-${id}`;
    await produceLines(
      brokers,
      topic,
      events.map((e) => JSON.stringify(e)),
    );
    const pipeline = source
      .kafka({ brokers, topic, groupId: `it-${id}` })
      .parse(SensorReading)
      .withEventTime((r) => r.ts)
      .window(tumbling(minute))
      .groupBy('sensorId')
      .count()
      .sink(
        cassandra.counter({
          keyspace: 'idemflow_it',
          table: `sensor_counters_${id}`,
          key: { sensorid: 'key', ts: 'windowStart' },
          counter: 'measurements',
        }),
      );
    const client = await cassandraClient();
    try {
      for (const cql of schemaCql(tableSchemas(pipeline.ir))) await client.execute(cql);
      const result = await runLocal(pipeline.ir, {
        ...quiet,
        store: new EmbeddedStore(tempDir()),
        targets: [cassandraConnector(client)],
        faults: { writeFail: 0, lostAck: 0.3, crashAt: [], duplicate: 0, loss: 0 },
        seed: 5,
        sleep: async () => {},
      });
      expect(result.injected.lostAck).toBeGreaterThan(0);
    } finally {
      await client.shutdown();
    }
    const counted = await countsOf(`sensor_counters_${id}`);
    expect(total(counted)).toBeGreaterThan(settings.count);
  });
});
