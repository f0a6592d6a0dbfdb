/**
 * The conformance suite's streaming cases (issue 18, step 5): a finite topic, produced in two waves, read by
 * a streaming job on a Flink cluster gives, once the job has caught up with each wave, the sink rows the
 * local runner gives for the same waves (run until idle, then resumed from its checkpoint). One Flink
 * cluster of the file's own (free ports) for every case; the real Kafka and Cassandra.
 *
 * The event times are historical (January 2026): the second wave comes seconds after the first, its
 * records later in event time than the first wave's (on time for the local runner), and some behind the
 * first wave's latest event time (late, within the allowed lateness, or late for some sliding windows).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cassandra, sliding, source, tumbling, type Pipeline } from 'idemflow';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { kafkaClientConfig } from '../../connectors/kafka/kafka-input.ts';
import { SensorReading } from '../../pipelines/schemas.ts';
import { beamRunner } from '../../runners/beam/beam-runner.ts';
import { runLocal } from '../../runners/local/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { archived } from './archived.ts';
import { flinkClusterServices, ownFlinkClusterEnv } from './own-flink-cluster.ts';
import { brokers, cassandraClient, runId, selectAll } from './servers.ts';
import { produceMessages } from './produce-messages.ts';

const second = 1_000;
const minute = 60 * second;
const id = runId();
const keyspace = `sconf_${id}`;
const cache = mkdtempSync(join(tmpdir(), 'idemflow-sconf-'));
let cluster: Awaited<ReturnType<typeof flinkClusterServices>> | undefined;
let master = '';
let client: Client;

/** One Kafka message: its partition, value and Kafka timestamp (the event time, as producers should set it). */
interface Message {
  readonly partition: number;
  readonly value: string;
  readonly ts: number;
}

const base = Date.UTC(2026, 0, 10, 10, 0, 0);
const reading = (i: number, ts: number) =>
  JSON.stringify({ eventId: `e${i}`, sensorId: `s${i % 5}`, ts, value: i % 17 });

/** 1,200 readings a second apart over 3 partitions, in event-time order in each, and two malformed lines. */
function firstWave(): Message[] {
  const messages: Message[] = [];
  for (let i = 0; i < 1_200; i++) {
    messages.push({ partition: i % 3, value: reading(i, base + i * second), ts: base + i * second });
    if (i === 601) messages.push({ partition: 1, value: '{not json', ts: base + i * second });
    if (i === 902) messages.push({ partition: 2, value: reading(i, -5), ts: base + i * second });
  }
  return messages;
}
/** The first wave's latest event time: the watermark both runners hold when the second wave comes. */
const latest = base + 1_199 * second;

/**
 * Into one partition, so that both runners read it in this order: records behind the watermark (by
 * `behind` ms each), then 300 readings after the first wave's, a second apart.
 */
function secondWave(behind: readonly number[]): Message[] {
  const late = behind.map((b, k) => ({ partition: 0, value: reading(5_000 + k, latest - b), ts: latest - b }));
  const after = Array.from({ length: 300 }, (_, k) => {
    const ts = latest + (k + 1) * second;
    return { partition: 0, value: reading(2_000 + k, ts), ts };
  });
  return [...late, ...after];
}

async function produce(topic: string, messages: readonly Message[]): Promise<void> {
  const all = messages.map((m) => ({ partition: m.partition, value: m.value, timestamp: String(m.ts) }));
  await produceMessages('it-sconf', topic, all);
}

async function createTopic(topic: string): Promise<void> {
  const admin = new Kafka(kafkaClientConfig('it-sconf-admin', brokers)).admin();
  await admin.connect();
  try {
    // Kept whatever their age: the broker would delete records with January's timestamps by its retention time.
    await admin.createTopics({
      topics: [{ topic, numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '-1' }] }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/** Every table of a pipeline as sorted JSON lines, the archive as its events. */
async function rowsOf(pipeline: Pipeline): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of tableSchemas(pipeline.ir)) {
    const name = table.table.replace(/_(local|flink)$/, '');
    const rows =
      table.mode === 'system-of-record'
        ? await archived(client, keyspace, table.table)
        : await selectAll(client, `SELECT * FROM ${keyspace}.${table.table}`);
    out[name] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

/** Polls until the job's rows equal `expected`, or fails showing both; a job that failed ends the wait with its error. */
async function untilEqual(pipeline: Pipeline, expected: Record<string, string[]>, failed: () => unknown, ms = 240_000) {
  const deadline = Date.now() + ms;
  let rows = await rowsOf(pipeline);
  while (JSON.stringify(rows) !== JSON.stringify(expected) && Date.now() < deadline) {
    if (failed()) throw failed();
    await new Promise((r) => setTimeout(r, 1_000));
    rows = await rowsOf(pipeline);
  }
  expect(rows).toEqual(expected);
}

/**
 * The case: both waves through the local runner (resumed from its checkpoint for the second) and through
 * one streaming job on the cluster; after each wave the job's rows equal the local runner's.
 */
async function conformsWhileStreaming(
  pipelineFor: (topic: string, runner: 'local' | 'flink') => Pipeline,
  behind: readonly number[],
  windowGraceMs?: number,
) {
  const topic = `it-sconf-${runId()}`;
  await createTopic(topic);
  const local = pipelineFor(topic, 'local');
  const flink = pipelineFor(topic, 'flink');
  for (const p of [local, flink]) for (const cql of schemaCql(tableSchemas(p.ir))) await client.execute(cql);
  const checkpointDir = tempDir();
  const runLocally = () =>
    runLocal(local.ir, {
      log: () => {},
      untilIdleMs: 3_000,
      batchSize: 500,
      store: new EmbeddedStore(tempDir()),
      checkpointDir,
      targets: [cassandraConnector(client)],
    });

  await produce(topic, firstWave());
  const first = await runLocally();
  const expectedFirst = await rowsOf(local);
  const stop = new AbortController();
  const job = beamRunner('beam-flink', 'flink').run(flink.ir, {
    store: new EmbeddedStore(tempDir()),
    targets: [cassandraConnector(client)],
    flinkMaster: master,
    log: () => {},
    streaming: { stop: stop.signal, checkpointIntervalMs: 2_000, windowGraceMs },
  });
  let failure: unknown;
  job.catch((error: unknown) => (failure = error));
  try {
    // The first wait includes the job's start (its own job server, the submission, the SDK worker).
    await untilEqual(flink, expectedFirst, () => failure, 360_000);
    await produce(topic, secondWave(behind));
    const secondRun = await runLocally();
    await untilEqual(flink, await rowsOf(local), () => failure);
    return { first, second: secondRun };
  } finally {
    stop.abort();
    await job.catch(() => {});
  }
}

beforeAll(async () => {
  const own = await ownFlinkClusterEnv(cache);
  master = own.master;
  cluster = flinkClusterServices(own.env);
  const up = await cluster.up();
  expect(up.status, up.output).toBe(0);
  client = await cassandraClient();
}, 400_000);

afterAll(async () => {
  await cluster?.down();
  rmSync(cache, { recursive: true, force: true });
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
}, 120_000);

describe.sequential(
  'streaming conformance: a streaming job on a Flink cluster, once caught up, gives the local runner’s rows',
  () => {
    it('tumbling windows with allowed lateness: dead letters (topic/partition/offset, late records), archive, counts in Cassandra', async () => {
      const pipelineFor = (topic: string, runner: string) =>
        source
          .kafka({ brokers, topic, groupId: `${topic}-${runner}` })
          .parse(SensorReading, { deadLetter: cassandra.deadLetters({ keyspace, table: `dead_t_${runner}` }) })
          .archive(cassandra.systemOfRecord({ keyspace, table: `events_t_${runner}`, id: 'eventId' }))
          .withEventTime((r) => r.ts)
          .window(tumbling(minute, { allowedLateness: 2 * minute }))
          .groupBy('sensorId')
          .count()
          .sink(
            cassandra.upsert({
              keyspace,
              table: `counts_t_${runner}`,
              key: { sensorid: 'key', ts: 'windowStart' },
              values: { n: 'value' },
            }),
          );
      // Behind the watermark by 20 min (late), 90 s (within the 2 min allowed), 3 min 30 s (late: its window ended 3 min before).
      const { first, second: again } = await conformsWhileStreaming(pipelineFor, [
        20 * minute,
        90 * second,
        210 * second,
      ]);
      expect(first.deadLetters).toBe(2);
      expect(again.late).toBe(2);
    }, 900_000);

    it('sliding windows: a record late for some of its windows counts in the others, also while Flink keeps those windows longer (--window-grace); sums in Cassandra', async () => {
      const pipelineFor = (topic: string, runner: string) =>
        source
          .kafka({ brokers, topic, groupId: `${topic}-${runner}` })
          .parse(SensorReading, { deadLetter: cassandra.deadLetters({ keyspace, table: `dead_s_${runner}` }) })
          .withEventTime((r) => r.ts)
          .window(sliding(3 * minute, minute, { allowedLateness: 30 * second }))
          .groupBy('sensorId')
          .sum('value')
          .sink(
            cassandra.upsert({
              keyspace,
              table: `sums_s_${runner}`,
              key: { sensorid: 'key', ts: 'windowStart' },
              values: { total: 'value' },
            }),
          );
      // 150 s behind: late for the windows that ended more than 30 s before the watermark, counted in the third;
      // 10 min behind: late for all three. Flink keeps every window 30 min longer: it still holds the closed ones.
      const { second: again } = await conformsWhileStreaming(pipelineFor, [150 * second, 10 * minute], 30 * minute);
      expect(again.late).toBe(2);
    }, 900_000);
  },
);
