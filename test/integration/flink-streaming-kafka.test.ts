/**
 * Issue 18, step 3: a Kafka topic read unbounded by a streaming job on a
 * Flink cluster of its own (free ports, borrowing the shared job server's
 * jars), through idemflow's cross-language read (scripts/servers/kafka-read).
 * The real Kafka and Cassandra hold the input and the rows.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cassandra, source, tumbling } from 'idemflow';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { kafkaClientConfig } from '../../connectors/kafka/kafka-input.ts';
import { SensorReading } from '../../pipelines/schemas.ts';
import { beamRunner } from '../../runners/beam/beam-runner.ts';
import { runLocal } from '../../runners/local/index.ts';
import { generatedEvent } from '../../runtime/sources/generator-source.ts';
import { cliEnv, repoRoot } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { archived } from './archived.ts';
import { ownFlinkClusterEnv } from './own-flink-cluster.ts';
import { eventually } from './streaming-cli.ts';
import { brokers, cassandraClient, runId, selectAll } from './servers.ts';
import { produceMessages, readingMessage } from './produce-messages.ts';

const minute = 60_000;
const id = runId();
const keyspace = `stream_${id}`;
const topic = `it-stream-${id}`;
const cache = mkdtempSync(join(tmpdir(), 'idemflow-streaming-'));
let clusterEnv: NodeJS.ProcessEnv = {};
let master = '';
let client: Client;

function services(...args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(repoRoot, 'scripts/services'), args, { cwd: repoRoot, env: cliEnv(clusterEnv) });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('close', (status) => resolve({ status, output }));
  });
}

// Recent event times (the broker keeps them; KafkaIO's watermark follows them), in order, a minute apart every 400.
const startTs = Math.floor((Date.now() - 30 * minute) / minute) * minute;
const settings = { seed: 31, count: 3_000, keys: 7, intervalMs: 150, startTs, lateFraction: 0, duplicateFraction: 0 };
const event = (i: number) => generatedEvent({ ...settings, count: 10_000 }, i).event;

/** Produces events [from, to) and the malformed lines, each with its event time as the Kafka timestamp. */
async function produce(from: number, to: number, malformed: readonly string[]): Promise<void> {
  const messages = Array.from({ length: to - from }, (_, k) => readingMessage(from + k, event(from + k)));
  const last = String(event(to - 1).ts);
  for (const line of malformed) messages.push({ key: line, value: line, timestamp: last });
  await produceMessages('it-stream', topic, messages);
}

/** The pipeline under test, its tables suffixed so that two runners' rows sit side by side. */
const pipelineFor = (suffix: string) =>
  source
    .kafka({ brokers, topic, groupId: `it-stream-${id}-${suffix}` })
    .parse(SensorReading, { deadLetter: cassandra.deadLetters({ keyspace, table: `dead_${suffix}` }) })
    .archive(cassandra.systemOfRecord({ keyspace, table: `events_${suffix}`, id: 'eventId' }))
    .withEventTime((r) => r.ts)
    .window(tumbling(minute))
    .groupBy('sensorId')
    .count()
    .sink(
      cassandra.upsert({
        keyspace,
        table: `counts_${suffix}`,
        key: { sensorid: 'key', ts: 'windowStart' },
        values: { measurements: 'value' },
      }),
    )
    .named(`streaming-${suffix}`);

const countsOf = async (suffix: string) =>
  (await selectAll(client, `SELECT sensorid, ts, measurements FROM ${keyspace}.counts_${suffix}`))
    .map((r) => JSON.stringify(r))
    .sort();
const deadOf = async (suffix: string) =>
  (await selectAll(client, `SELECT position, reason, raw FROM ${keyspace}.dead_${suffix}`))
    .map((r) => JSON.stringify(r))
    .sort();
const eventsOf = async (suffix: string) =>
  (await archived(client, keyspace, `events_${suffix}`)).map((e) => JSON.stringify(e)).sort();

/** The group's committed offsets, summed over the topic's partitions. */
async function committed(groupId: string): Promise<number> {
  const admin = new Kafka(kafkaClientConfig('it-stream-admin', brokers)).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  ({ env: clusterEnv, master } = await ownFlinkClusterEnv(cache));
  const up = await services('up', 'flink-cluster');
  expect(up.status, up.output).toBe(0);
  client = await cassandraClient();
  for (const suffix of ['local', 'flink'])
    for (const cql of schemaCql(tableSchemas(pipelineFor(suffix).ir))) await client.execute(cql);
}, 400_000);

afterAll(async () => {
  await services('down', 'flink-cluster');
  rmSync(cache, { recursive: true, force: true });
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
}, 120_000);

describe.sequential('run --runner beam-flink, streaming: a Kafka topic read unbounded on a Flink cluster', () => {
  it('once caught up, the rows equal the local runner’s; records produced later arrive without a restart; offsets are committed by checkpoints', async () => {
    const malformed = ['{not json', JSON.stringify({ eventId: 'x', sensorId: 's', ts: 'yesterday', value: 1 })];
    await produce(0, settings.count, malformed);
    const local = await runLocal(pipelineFor('local').ir, {
      log: () => {},
      untilIdleMs: 4_000,
      batchSize: 500,
      store: new EmbeddedStore(tempDir()),
      checkpointDir: tempDir(),
      targets: [cassandraConnector(client)],
    });
    expect(local.deadLetters).toBe(malformed.length);
    const expected = { counts: await countsOf('local'), events: await eventsOf('local'), dead: await deadOf('local') };
    expect(expected.events).toHaveLength(settings.count);

    const stop = new AbortController();
    const lines: string[] = [];
    const job = beamRunner('beam-flink', 'flink').run(pipelineFor('flink').ir, {
      store: new EmbeddedStore(tempDir()),
      targets: [cassandraConnector(client)],
      flinkMaster: master,
      log: (line) => lines.push(line),
      streaming: { stop: stop.signal, checkpointIntervalMs: 2_000 },
    });
    // A job that fails ends the wait at once, with its error.
    let failure: Error | undefined;
    job.catch((error: unknown) => (failure = error instanceof Error ? error : new Error(JSON.stringify(error))));
    const orFail = async <T>(read: () => Promise<T>) => {
      if (failure) throw failure;
      return read();
    };
    try {
      await eventually(
        'the archived events',
        () => orFail(() => eventsOf('flink')),
        (e) => e.length >= settings.count,
      );
      expect(await eventsOf('flink')).toEqual(expected.events);
      await eventually(
        'the dead letters',
        () => orFail(() => deadOf('flink')),
        (d) => d.length >= malformed.length,
      );
      expect(await deadOf('flink')).toEqual(expected.dead);
      // Windows fire by watermark: once the topic is idle, KafkaIO's watermark passes them all.
      // A window may fire before its last records reach it, and again once they have: the rows converge.
      const counts = await eventually(
        'the counts',
        () => orFail(() => countsOf('flink')),
        (c) => JSON.stringify(c) === JSON.stringify(expected.counts),
      );
      expect(counts).toEqual(expected.counts);
      const groupId = `it-stream-${id}-flink`;
      await eventually(
        'the committed offsets',
        () => orFail(() => committed(groupId)),
        (n) => n === settings.count + 2,
        60_000,
      );

      // More records, to the same job: they arrive without a restart.
      await produce(settings.count, settings.count + 1_000, ['{more']);
      await eventually(
        'the events produced later',
        () => orFail(() => eventsOf('flink')),
        (e) => e.length >= settings.count + 1_000,
      );
      await eventually(
        'the offsets of the later records',
        () => orFail(() => committed(groupId)),
        (n) => n === settings.count + 1_003,
        60_000,
      );
    } finally {
      stop.abort();
      await job.catch(() => {});
    }
    await job;
  }, 600_000);
});
