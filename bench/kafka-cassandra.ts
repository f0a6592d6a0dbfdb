/**
 * `npm run bench -- kafka-cassandra`: produce sensor events to a fresh topic
 * on the real Kafka, then in the same run measure (1) raw kafkajs
 * consumption of the topic — the baseline — and (2) the end-to-end
 * idempotent pipeline (parse, event-time windows, count, upsert into the
 * real Cassandra). Both are timed from partition assignment to the last
 * record. It also runs the pipeline into a memory sink, to show Cassandra's
 * share of the time. Last line: `e2e_vs_raw_consume=<ratio>`.
 */
import { Kafka, logLevel } from 'kafkajs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cassandra, sinks, source, tumbling } from '../dsl/index.ts';
import { connect } from '../connectors/cassandra/connection.ts';
import { schemaCql, tableSchemas } from '../connectors/cassandra/cql-schema.ts';
import { EmbeddedStore } from '../connectors/embedded/store.ts';
import { produceLines } from '../connectors/kafka/produce.ts';
import { SensorReading } from '../pipelines/schemas.ts';
import { runLocal } from '../runners/local/engine.ts';
import { generatedEvent } from '../runners/local/sources/generator-source.ts';
import { cassandra as cassandraServer } from '../scripts/servers/cassandra.ts';
import { kafka as kafkaServer } from '../scripts/servers/kafka.ts';
import { upAll } from '../scripts/servers/main.ts';
import { cassandraPort, host, kafkaPort } from '../scripts/servers/config.ts';
import { fmtRate, fmtRatio } from './measure.ts';

const brokers = [`${host}:${kafkaPort}`];
const log = (s: string) => process.stderr.write(`${s}\n`);

async function rawConsume(topic: string, expected: number): Promise<number> {
  const consumer = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `bench-raw-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let started = 0;
  let resolveDone: (ms: number) => void = () => {};
  const done = new Promise<number>((r) => (resolveDone = r));
  consumer.on(consumer.events.GROUP_JOIN, () => (started = performance.now()));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      // The baseline does the least a consumer can: decode each value to text.
      for (const m of batch.messages) if (m.value) seen += m.value.toString('utf8').length > 0 ? 1 : 0;
      if (seen >= expected) resolveDone(performance.now() - started);
    },
  });
  const ms = await done;
  await consumer.disconnect();
  return ms;
}

export async function benchKafkaCassandra(options: { sizes?: number[] } = {}): Promise<string> {
  const n = options.sizes?.[0] ?? 1_000_000;
  await upAll([kafkaServer, cassandraServer]);
  const id = Date.now().toString(36);
  const topic = `bench-readings-${id}`;
  const settings = { seed: 5, count: n, keys: 1_000, intervalMs: 1, startTs: Date.UTC(2024, 0, 1), lateFraction: 0, duplicateFraction: 0 };
  log(`kafka → aggregate → cassandra: ${n.toLocaleString('en-US')} sensor events, 1,000 sensors reporting about once a second, 1-minute windows`);
  let t = performance.now();
  await produceLines(brokers, topic, (function* () {
    for (let i = 0; i < n; i++) yield JSON.stringify(generatedEvent(settings, i).event);
  })());
  log(`  produced in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const rawMs = await rawConsume(topic, n);
  const rawRate = (n * 1000) / rawMs;
  log(`  raw kafkajs consume:  ${fmtRate(rawRate)} events/s (${(rawMs / 1000).toFixed(2)} s)`);

  const aggregated = (group: string, emit: 'updates' | 'final') => source
    .kafka({ brokers, topic, groupId: `${group}-${id}` })
    .parse(SensorReading)
    .withEventTime((r) => r.ts)
    .window(tumbling({ minutes: 1 }, { emit }))
    .groupBy('sensorId')
    .count();
  const intoCassandra = (emit: 'updates' | 'final') => aggregated(`bench-e2e-${emit}`, emit).sink(cassandra.upsert({ keyspace: 'idemflow_bench', table: `sensor_counts_${emit}_${id}`, key: { sensorid: 'key', ts: 'windowStart' }, values: { measurements: 'value' } }));
  const batchSize = Number(process.env.IDEMFLOW_BENCH_BATCH ?? 20_000);
  const client = connect({ contactPoints: [`${host}:${cassandraPort}`], localDataCenter: 'datacenter1' });
  await client.connect();
  const rates: Partial<Record<'updates' | 'final', number>> = {};
  try {
    // 'final' first: the headline figure, measured before the other run's writes leave Cassandra compacting.
    for (const emit of ['final', 'updates'] as const) {
      const pipeline = intoCassandra(emit);
      for (const cql of schemaCql(tableSchemas(pipeline.ir))) await client.execute(cql);
      const result = await runLocal(pipeline.ir, { store: new EmbeddedStore(join(tmpdir(), 'idemflow-bench-kc')), cassandra: client, batchSize, maxRecords: n, log: () => {} });
      if (result.recordsIn !== n || result.deadLetters !== 0) throw new Error(`pipeline read ${result.recordsIn} records with ${result.deadLetters} dead letters, expected ${n} and 0`);
      const rows = await client.execute(`SELECT measurements FROM idemflow_bench.sensor_counts_${emit}_${id}`, [], { prepare: true, fetchSize: 100_000 });
      const counted = rows.rows.reduce((a, row) => a + Number(row.get('measurements')), 0);
      if (counted !== n) throw new Error(`emit '${emit}': Cassandra holds ${counted} counted events, expected ${n}`);
      rates[emit] = (n * 1000) / result.processingMs;
      const upserts = Object.values(result.rowsWritten).reduce((a, b) => a + b, 0);
      log(`  end-to-end, emit '${emit}':${' '.repeat(8 - emit.length)}${fmtRate(rates[emit]!)} events/s (${(result.processingMs / 1000).toFixed(2)} s, ${result.batches} batches, ${upserts.toLocaleString('en-US')} rows upserted; Cassandra holds all ${counted.toLocaleString('en-US')} events) = ${fmtRatio(rates[emit]! / rawRate)} of raw`);
    }
  } finally {
    await client.shutdown();
  }
  // Where the time goes: the same pipeline into a memory sink, so the difference is Cassandra's share.
  const noSink = await runLocal(aggregated('bench-nosink', 'updates').sink(sinks.memory()).ir, { store: new EmbeddedStore(join(tmpdir(), 'idemflow-bench-kc')), batchSize, maxRecords: n, log: () => {} });
  const noSinkRate = (n * 1000) / noSink.processingMs;
  log(`  same pipeline, memory sink instead of Cassandra: ${fmtRate(noSinkRate)} events/s (${fmtRatio(noSinkRate / rawRate)} of raw): the rest is the Cassandra writes`);
  return `e2e_vs_raw_consume=${fmtRatio(rates.final! / rawRate)}`;
}
