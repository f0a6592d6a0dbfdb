/**
 * `npm run bench -- kafka-cassandra`: produce sensor events to a fresh topic
 * on the real Kafka, then in the same run measure (1) raw kafkajs
 * consumption of the topic — the baseline — and (2) the end-to-end
 * idempotent pipeline (parse, event-time windows, count, upsert into the
 * real Cassandra), in alternating rounds (IDEMFLOW_BENCH_ROUNDS, default 3)
 * whose medians are compared. Both are timed from partition assignment to
 * the last record. It also runs the pipeline with `emit: 'updates'`, and
 * into a memory sink to show Cassandra's share of the time.
 * Last line: `e2e_vs_raw_consume=<median ratio>`.
 */
import type { Client } from 'cassandra-driver';
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
import { generatedEvent } from '../runtime/sources/generator-source.ts';
import { cassandra as cassandraServer } from '../scripts/servers/cassandra.ts';
import { kafka as kafkaServer } from '../scripts/servers/kafka.ts';
import { upAll } from '../scripts/servers/main.ts';
import { cassandraPort, host, kafkaPort } from '../scripts/servers/config.ts';
import { fmtRate, fmtRatio, median } from './measure.ts';
import { cassandraConnector } from '../connectors/cassandra/connector.ts';

const brokers = [`${host}:${kafkaPort}`];
const log = (s: string) => process.stderr.write(`${s}\n`);

async function rawConsume(topic: string, expected: number, round: number): Promise<number> {
  const consumer = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING }).consumer({
    groupId: `bench-raw-${topic}-${round}`,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let started = 0;
  let resolveDone: (ms: number) => void = () => {};
  let stalled: NodeJS.Timeout | undefined;
  const done = new Promise<number>((resolve, reject) => {
    resolveDone = resolve;
    // Each round reads with a fresh group: a reader that sees nothing for a minute is a broken run, not a slow one.
    const watch = (before: number) =>
      (stalled = setTimeout(
        () =>
          seen === before
            ? reject(new Error(`raw consume of ${topic} stalled at ${seen} of ${expected} records`))
            : watch(seen),
        60_000,
      ));
    watch(-1);
  });
  consumer.on(consumer.events.GROUP_JOIN, () => (started = performance.now()));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      // The baseline does the least a consumer can: decode each value to text.
      for (const m of batch.messages) if (m.value) seen += m.value.toString('utf8').length > 0 ? 1 : 0;
      if (seen >= expected) resolveDone(performance.now() - started);
    },
  });
  try {
    return await done;
  } finally {
    clearTimeout(stalled);
    await consumer.disconnect();
  }
}

export async function benchKafkaCassandra(options: { sizes?: number[] } = {}): Promise<string> {
  const n = options.sizes?.[0] ?? 1_000_000;
  await upAll([kafkaServer, cassandraServer]);
  const id = Date.now().toString(36);
  const topic = `bench-readings-${id}`;
  log(
    `kafka → aggregate → cassandra: ${n.toLocaleString('en-US')} sensor events, 1,000 sensors reporting about once a second, 1-minute windows`,
  );
  await produceReadings(topic, n);
  const batchSize = Number(process.env.IDEMFLOW_BENCH_BATCH ?? 20_000);
  const rounds = Math.max(1, Number(process.env.IDEMFLOW_BENCH_ROUNDS ?? 3));
  const client = connect({ contactPoints: [`${host}:${cassandraPort}`], localDataCenter: 'datacenter1' });
  await client.connect();
  const bench: Bench = { n, id, topic, batchSize, client };
  const raw: number[] = [];
  const final: number[] = [];
  let updates = 0;
  try {
    // Rounds alternate the baseline and the pipeline, so a noisy minute hits both; the medians are compared.
    for (let round = 1; round <= rounds; round++) {
      log(` round ${round} of ${rounds}`);
      const rawMs = await rawConsume(topic, n, round);
      raw.push((n * 1000) / rawMs);
      log(`  raw kafkajs consume:       ${fmtRate(raw.at(-1)!)} events/s (${(rawMs / 1000).toFixed(2)} s)`);
      final.push(await endToEnd(bench, 'final', `r${round}`));
    }
    // After the rounds: its 86k upserts leave Cassandra flushing and compacting for a while.
    log(" emit 'updates' (each open window rewritten once a batch), once");
    updates = await endToEnd(bench, 'updates', 'u');
  } finally {
    await client.shutdown();
  }
  const rawRate = median(raw);
  const noSinkRate = await memorySinkRate(bench);
  log(
    ` medians of ${rounds} rounds: raw kafkajs consume ${fmtRate(rawRate)} events/s; end-to-end emit 'final' ${fmtRate(median(final))} events/s (${fmtRatio(median(final) / rawRate)} of raw)`,
  );
  log(
    `  end-to-end, emit 'updates': ${fmtRatio(updates / rawRate)} of raw; emit 'final' into a memory sink instead of Cassandra: ${fmtRate(noSinkRate)} events/s (${fmtRatio(noSinkRate / rawRate)} of raw)`,
  );
  return `e2e_vs_raw_consume=${fmtRatio(median(final) / rawRate)}`;
}

/** What each measured run of this bench shares. */
interface Bench {
  /** Events in the topic. */
  readonly n: number;
  /** This bench's suffix for topics, groups and tables. */
  readonly id: string;
  readonly topic: string;
  readonly batchSize: number;
  readonly client: Client;
}

async function produceReadings(topic: string, n: number): Promise<void> {
  const settings = {
    seed: 5,
    count: n,
    keys: 1_000,
    intervalMs: 1,
    startTs: Date.UTC(2024, 0, 1),
    lateFraction: 0,
    duplicateFraction: 0,
  };
  const t = performance.now();
  await produceLines(
    brokers,
    topic,
    (function* () {
      for (let i = 0; i < n; i++) yield JSON.stringify(generatedEvent(settings, i).event);
    })(),
  );
  log(`  produced in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

/** The measured pipeline up to its sink: parse, event time, 1-minute windows, count by sensor. */
const aggregated = (bench: Bench, group: string, emit: 'updates' | 'final') =>
  source
    .kafka({ brokers, topic: bench.topic, groupId: `${group}-${bench.id}` })
    .parse(SensorReading)
    .withEventTime((r) => r.ts)
    .window(tumbling({ minutes: 1 }, { emit }))
    .groupBy('sensorId')
    .count();

/** One end-to-end run into its own table, checked against the truth; returns events/s. */
async function endToEnd(bench: Bench, emit: 'updates' | 'final', run: string): Promise<number> {
  const { n, client } = bench;
  const table = `sensor_counts_${emit}_${bench.id}_${run}`;
  const pipeline = aggregated(bench, `bench-e2e-${emit}-${run}`, emit).sink(
    cassandra.upsert({
      keyspace: 'idemflow_bench',
      table,
      key: { sensorid: 'key', ts: 'windowStart' },
      values: { measurements: 'value' },
    }),
  );
  for (const cql of schemaCql(tableSchemas(pipeline.ir))) await client.execute(cql);
  const result = await runLocal(pipeline.ir, {
    store: new EmbeddedStore(join(tmpdir(), 'idemflow-bench-kc')),
    targets: [cassandraConnector(client)],
    batchSize: bench.batchSize,
    maxRecords: n,
    log: () => {},
  });
  if (result.recordsIn !== n || result.deadLetters !== 0)
    throw new Error(
      `pipeline read ${result.recordsIn} records with ${result.deadLetters} dead letters, expected ${n} and 0`,
    );
  const rows = await client.execute(`SELECT measurements FROM idemflow_bench.${table}`, [], {
    prepare: true,
    fetchSize: 100_000,
  });
  const counted = rows.rows.reduce((a, row) => a + Number(row.get('measurements')), 0);
  if (counted !== n) throw new Error(`emit '${emit}': Cassandra holds ${counted} counted events, expected ${n}`);
  const upserts = Object.values(result.rowsWritten).reduce((a, b) => a + b, 0);
  const rate = (n * 1000) / result.processingMs;
  log(
    `  end-to-end, emit '${emit}':${' '.repeat(8 - emit.length)}${fmtRate(rate)} events/s (${(result.processingMs / 1000).toFixed(2)} s, ${result.batches} batches, ${upserts.toLocaleString('en-US')} rows upserted; Cassandra holds all ${counted.toLocaleString('en-US')} events)`,
  );
  return rate;
}

/** Where the time goes: the same pipeline into a memory sink, so the difference is Cassandra's share. */
async function memorySinkRate(bench: Bench): Promise<number> {
  const noSink = await runLocal(aggregated(bench, 'bench-nosink', 'final').sink(sinks.memory()).ir, {
    store: new EmbeddedStore(join(tmpdir(), 'idemflow-bench-kc')),
    batchSize: bench.batchSize,
    maxRecords: bench.n,
    log: () => {},
  });
  return (bench.n * 1000) / noSink.processingMs;
}
