/**
 * `npm run bench -- sor`: what the system of record costs, on the real Kafka
 * and Cassandra, in one run. Sensor events are produced to a fresh topic;
 * then, in the same run:
 * - the pipeline (Kafka → parse → 1-minute windows, `emit: 'final'` → count
 *   → Cassandra upsert) without an archive, and the same pipeline with
 *   `.archive(cassandra.systemOfRecord(...))`, each checked against the truth,
 *   in seven rounds of the two in ABBA order after one not counted (each into
 *   tables of its own), the median of the rounds' ratios kept;
 * - two baselines for writing the same events into a row-per-event table:
 *   one prepared single-row insert per event (64 in flight), and unlogged
 *   batches of one partition under Cassandra's batch size warning;
 * - `repair` of the archived pipeline, against a raw token-range scan of the
 *   same system-of-record table that decodes every event (five rounds of the
 *   two in ABBA order, the median of the rounds' ratios; the CPU time of each
 *   beside);
 * - the largest partition of the system of record (events, bytes of JSON),
 *   of the bench's table and of one the same pipeline archives 10⁶ events
 *   into at the rate of 10⁸ a day (sor/million.ts).
 * Last line: `sor_vs_no_sor=<r> repair_vs_scan=<r>`. Every table it makes is dropped.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'cassandra-driver';
import { cassandra, source, tumbling, type SinkSpec } from '../dsl/index.ts';
import { PipelineNode } from '../compiler/ir/index.ts';
import { connect } from '../connectors/cassandra/connection.ts';
import { schemaCql, tableSchemas } from '../connectors/cassandra/cql-schema.ts';
import { cassandraConnector } from '../connectors/cassandra/connector.ts';
import { cassandraRepairTarget } from '../connectors/cassandra/repair-target.ts';
import { EmbeddedStore } from '../connectors/embedded/store.ts';
import { produceLines } from '../connectors/kafka/produce.ts';
import { SensorReading } from '../pipelines/schemas.ts';
import { repair, runLocal } from '../runners/local/index.ts';
import { generatedEvent } from '../runtime/sources/generator-source.ts';
import { cassandra as cassandraServer } from '../scripts/servers/cassandra.ts';
import { kafka as kafkaServer } from '../scripts/servers/kafka.ts';
import { upAll } from '../scripts/servers/main.ts';
import { cassandraPort, host, kafkaPort } from '../scripts/servers/config.ts';
import { runningPid } from '../scripts/servers/service.ts';
import { fmtRate, fmtRatio, median } from './measure.ts';
import { partitionBound } from '../connectors/cassandra/sor-blocks.ts';
import { largestAfterMillion } from './sor/million.ts';
import { pairedRatio, pairedRounds } from './sor/paired.ts';
import { ownCpuMs, processCpuMs } from './sor/process-cpu.ts';
import {
  largestPartition,
  rawBatchedInserts,
  rawScan,
  rawSingleInserts,
  rawTableCql,
  type RawEvent,
} from './sor/raw.ts';

const brokers = [`${host}:${kafkaPort}`];
const keyspace = 'idemflow_bench';
const log = (s: string) => process.stderr.write(`${s}\n`);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The bench's pipeline, with or without the archive, writing its counts to `counts`. */
function pipelineOf(topic: string, group: string, counts: string, archive?: SinkSpec<SensorReading>) {
  const parsed = source.kafka({ brokers, topic, groupId: group }).parse(SensorReading);
  // The archive before the event time: the system of record is then partitioned by event time.
  return (archive ? parsed.archive(archive) : parsed)
    .withEventTime((r) => r.ts)
    .window(tumbling({ minutes: 1 }, { emit: 'final' }))
    .groupBy('sensorId')
    .count()
    .sink(
      cassandra.upsert({
        keyspace,
        table: counts,
        key: { sensorid: 'key', ts: 'windowStart' },
        values: { n: 'value' },
      }),
    );
}

/** This run's embedded store (checkpoints): its own folder, so two benches at once never share one. */
const storeDir = join(tmpdir(), `idemflow-bench-sor-${process.pid}`);

/** One pipeline run: events/s, and the CPU ms this process and the Cassandra server (undefined: not ours to read) spent in it. */
interface PipelineRun {
  readonly rate: number;
  readonly nodeCpu: number;
  readonly cassandraCpu: number | undefined;
}

/** Runs a pipeline over the whole topic; checks it counted every event once; returns events/s and the CPU spent. */
async function timedRun(client: Client, pipeline: ReturnType<typeof pipelineOf>, n: number): Promise<PipelineRun> {
  for (const cql of schemaCql(tableSchemas(pipeline.ir))) await client.execute(cql);
  const cassandraPid = runningPid(cassandraServer);
  const [nodeFrom, cassandraFrom] = [ownCpuMs(), processCpuMs(cassandraPid)];
  const result = await runLocal(pipeline.ir, {
    store: new EmbeddedStore(storeDir),
    targets: [cassandraConnector(client)],
    batchSize: Number(process.env.IDEMFLOW_BENCH_BATCH ?? 20_000),
    maxRecords: n,
    log: () => {},
  });
  const nodeCpu = ownCpuMs(nodeFrom);
  const cassandraTo = processCpuMs(cassandraPid);
  const cassandraCpu =
    cassandraFrom !== undefined && cassandraTo !== undefined ? cassandraTo - cassandraFrom : undefined;
  if (result.recordsIn !== n || result.deadLetters !== 0)
    throw new Error(`read ${result.recordsIn} records with ${result.deadLetters} dead letters, expected ${n} and 0`);
  const sink = pipeline.ir.sink;
  const rows = await client.execute(`SELECT n FROM ${sink.keyspace}.${sink.table}`, [], { fetchSize: 100_000 });
  const counted = rows.rows.reduce((a, row) => a + Number(row.get('n')), 0);
  if (counted !== n) throw new Error(`${sink.table} counts ${counted} events, expected ${n}`);
  return { rate: (n * 1000) / result.processingMs, nodeCpu, cassandraCpu };
}

/**
 * Rounds of each pair compared (without / with the archive; raw scan / repair), in ABBA order, the median of the
 * rounds' ratios kept: one side run once each let one noisy second flip the ratio (medians of 3 rounds apart moved
 * by 0.2 from run to run).
 */
const rounds = 5;
/** Rounds of the pipeline without / with the archive, after one not counted: each round's ratio swings more than repair's. */
const pipelineRoundCount = 7;

/** One pass measured: events/s and CPU ms. */
interface Pass {
  readonly rate: number;
  readonly cpu: number;
}

/** Times `work` (which reads n events and returns the ms it took), with this process's CPU time beside. */
async function pass(n: number, work: () => Promise<number>): Promise<Pass> {
  const cpu = ownCpuMs();
  const ms = await work();
  return { rate: (n * 1000) / ms, cpu: ownCpuMs(cpu) };
}

/** The raw scan of the system of record: every block read and decoded. */
async function scanPass(client: Client, sorTable: string, n: number): Promise<Pass> {
  return pass(n, async () => {
    const scan = await rawScan(client, keyspace, sorTable);
    if (scan.events !== n) throw new Error(`the raw scan read ${scan.events} events, expected ${n}`);
    return scan.ms;
  });
}

/** Repair of the archived pipeline, which must read n events and correct nothing. */
async function repairPass(client: Client, pipeline: PipelineNode, n: number, checked: { rows: number }): Promise<Pass> {
  return pass(n, async () => {
    const repaired = await repair(pipeline, { target: cassandraRepairTarget(client, pipeline) });
    if (repaired.events !== n || repaired.corrected !== 0)
      throw new Error(`repair read ${repaired.events} events and corrected ${repaired.corrected}, expected ${n} and 0`);
    checked.rows = repaired.checked;
    return repaired.elapsedMs;
  });
}

/** Repair's own read of the archive alone (the reader it uses, with its check for ids in two partitions). */
async function readPass(client: Client, pipeline: PipelineNode, n: number): Promise<Pass> {
  const sor = PipelineNode.sinks(pipeline).find((s) => s.mode === 'system-of-record')!;
  return pass(n, async () => {
    const started = performance.now();
    let read = 0;
    const reading = cassandraRepairTarget(client, pipeline).events(sor);
    for await (const run of reading.events) read += run.length;
    if (await reading.exact())
      throw new Error('the archive holds event ids in two partitions: the bench wrote each once');
    if (read !== n) throw new Error(`repair's reader read ${read} events, expected ${n}`);
    return performance.now() - started;
  });
}

const each = (xs: readonly number[], f: (x: number) => string = fmtRate) => xs.map(f).join(' / ');

/**
 * Repair of the archived pipeline against a raw token-range scan of the same system-of-record table that decodes
 * every event: rounds of the two in ABBA order (whichever read first paid for the cold table), repair's own read
 * after each round. Returns the median of the rounds' repair / scan (by wall time, as the goal is set); CPU beside.
 */
async function repairAgainstScan(client: Client, pipeline: PipelineNode, sorTable: string, n: number): Promise<number> {
  const checked = { rows: 0 };
  const reads: Pass[] = [];
  const pairs = await pairedRounds(
    rounds,
    () => scanPass(client, sorTable, n),
    async () => {
      const repaired = await repairPass(client, pipeline, n, checked);
      reads.push(await readPass(client, pipeline, n));
      return repaired;
    },
  );
  const byRate = pairedRatio(pairs.map((p) => ({ a: p.a.rate, b: p.b.rate })));
  const byCpu = pairedRatio(pairs.map((p) => ({ a: p.b.cpu, b: p.a.cpu })));
  const [scans, repairs] = [pairs.map((p) => p.a), pairs.map((p) => p.b)];
  log(
    `  repair:                        rounds ${each(repairs.map((p) => p.rate))} events/s (${checked.rows} rows checked; deflated blocks inflated on libuv's thread pool, 8 ahead, the rest on one thread)`,
  );
  log(`  repair's read of the archive:  rounds ${each(reads.map((p) => p.rate))} events/s`);
  log(
    `  raw token-range scan + decode: rounds ${each(scans.map((p) => p.rate))} events/s (deflated blocks inflated on libuv's thread pool, 8 ahead, as repair does)`,
  );
  log(
    `  repair / scan a round:         ${each(byRate.ratios, fmtRatio)} (median ${fmtRatio(byRate.median)}; its read / scan, medians apart: ${fmtRatio(median(reads.map((p) => p.rate)) / median(scans.map((p) => p.rate)))})`,
  );
  // CPU of the whole process: repair's inflating on the thread pool counts in it.
  log(
    `  CPU a pass (medians):          scan ${median(scans.map((p) => p.cpu)).toFixed(0)} ms, repair ${median(repairs.map((p) => p.cpu)).toFixed(0)} ms, its read ${median(reads.map((p) => p.cpu)).toFixed(0)} ms (repair / scan by CPU a round ${each(byCpu.ratios, fmtRatio)}, median ${fmtRatio(byCpu.median)})`,
  );
  return byRate.median;
}

export async function benchSor(options: { sizes?: number[] } = {}): Promise<string> {
  const n = options.sizes?.[0] ?? 300_000;
  await upAll([kafkaServer, cassandraServer]);
  const id = Date.now().toString(36);
  const topic = `bench-sor-${id}`;
  const settings = { seed: 7, count: n, keys: 1_000, intervalMs: 1, startTs: Date.UTC(2024, 0, 1) };
  const events = Array.from(
    { length: n },
    (_, i) => generatedEvent({ ...settings, lateFraction: 0, duplicateFraction: 0 }, i).event,
  );
  log(`system of record: ${n.toLocaleString('en-US')} sensor events, 1,000 sensors, 1-minute windows, emit 'final'`);
  await produceLines(
    brokers,
    topic,
    events.map((e) => JSON.stringify(e)),
  );
  const raw = { single: `sor_raw1_${id}`, batched: `sor_rawb_${id}` };
  const made: string[] = [...Object.values(raw)];
  const client = connect({ contactPoints: [`${host}:${cassandraPort}`], localDataCenter: 'datacenter1' });
  await client.connect();
  try {
    const { ratio: sorVsNoSor, archived } = await pipelineRounds(client, topic, id, n, made);
    await benchRawInserts(client, raw, events);
    const sorTable = PipelineNode.sinks(archived.ir).find((x) => x.mode === 'system-of-record')!;
    const repairVsScan = await repairAgainstScan(client, archived.ir, sorTable.table!, n);
    const largest = await largestPartition(client, keyspace, sorTable.table!);
    log(
      `  largest partition: ${largest.events.toLocaleString('en-US')} events, ${mb(largest.bytes)} of event JSON (bucket ${largest.bucket}; ${largest.partitions} partitions)`,
    );
    made.push(`sor_million_${id}`, `sor_million_${id}_n`);
    const million = await largestAfterMillion(
      client,
      pipelineOf(
        topic,
        'unused',
        `sor_million_${id}_n`,
        cassandra.systemOfRecord({ keyspace, table: `sor_million_${id}`, id: 'eventId' }),
      ).ir,
      keyspace,
    );
    log(
      `  largest partition after 10⁶ events at 10⁸ a day: ${million.events.toLocaleString('en-US')} events, ${mb(million.bytes)} of event JSON (bucket ${million.bucket}; ${million.partitions} partitions; the bound: ${partitionBound.events.toLocaleString('en-US')} events, ${mb(partitionBound.bytes)})`,
    );
    return `sor_vs_no_sor=${fmtRatio(sorVsNoSor)} repair_vs_scan=${fmtRatio(repairVsScan)}`;
  } finally {
    for (const table of made) await client.execute(`DROP TABLE IF EXISTS ${keyspace}.${table}`).catch(() => {});
    await client.shutdown();
    rmSync(storeDir, { recursive: true, force: true });
  }
}

/**
 * The pipeline without the archive and with it, in rounds of the two in ABBA order, each run from the topic's
 * start (a consumer group of its own) into tables of its own (named in `made`, to drop). Returns the median of the
 * rounds' with / without, and the first archived pipeline (its system of record is what repair reads).
 */
async function pipelineRounds(client: Client, topic: string, id: string, n: number, made: string[]) {
  const archivedIn: ReturnType<typeof pipelineOf>[] = [];
  const plainRun = async (round: number) => {
    made.push(`sor_plain_${id}_${round}`);
    return timedRun(client, pipelineOf(topic, `sor-plain-${id}-${round}`, made.at(-1)!), n);
  };
  const archivedRun = async (round: number) => {
    made.push(`sor_counts_${id}_${round}`, `sor_events_${id}_${round}`);
    const archive = cassandra.systemOfRecord({ keyspace, table: `sor_events_${id}_${round}`, id: 'eventId' });
    archivedIn[round] = pipelineOf(topic, `sor-archived-${id}-${round}`, `sor_counts_${id}_${round}`, archive);
    return timedRun(client, archivedIn[round], n);
  };
  // Round 0 is a warm-up, not counted: the side that ran first in a cold process (JIT, the first consumer group's
  // join, Cassandra's first writes of the run) was slower, so the first round's ratio leaned one way in every run.
  const [, ...pairs] = await pairedRounds(pipelineRoundCount + 1, plainRun, archivedRun);
  const { median: ratio, ratios } = pairedRatio(pairs.map((p) => ({ a: p.a.rate, b: p.b.rate })));
  log(`  pipeline without the archive:  rounds ${each(pairs.map((p) => p.a.rate))} events/s`);
  log(`  pipeline with the archive:     rounds ${each(pairs.map((p) => p.b.rate))} events/s`);
  log(`  with / without a round:        ${each(ratios, fmtRatio)} (median ${fmtRatio(ratio)})`);
  const cpu = (side: PipelineRun[]) => side.map((r) => `${r.nodeCpu.toFixed(0)}/${r.cassandraCpu?.toFixed(0) ?? '?'}`);
  // Cassandra's CPU is the server's whole: on a shared server it also holds what other clients asked of it meanwhile.
  log(
    `  CPU ms a run, Node / Cassandra: without ${cpu(pairs.map((p) => p.a)).join(' ')}; with ${cpu(pairs.map((p) => p.b)).join(' ')}`,
  );
  return { ratio, archived: archivedIn[0]! };
}

/** The archive's writes without idemflow: single-row inserts, then unlogged batches, each into its own table. */
async function benchRawInserts(
  client: Client,
  raw: { readonly single: string; readonly batched: string },
  events: readonly ReturnType<typeof generatedEvent>['event'][],
): Promise<void> {
  const n = events.length;
  const rawEvents: RawEvent[] = events.map((e) => ({
    bucket: new Date(e.ts).toISOString().slice(0, 10),
    eventId: e.eventId,
    payload: JSON.stringify(e),
  }));
  for (const table of Object.values(raw)) await client.execute(rawTableCql(keyspace, table));
  const singleMs = await rawSingleInserts(client, keyspace, raw.single, rawEvents);
  log(`  raw single-row inserts:        ${fmtRate((n * 1000) / singleMs)} events/s (64 in flight)`);
  const batchedMs = await rawBatchedInserts(client, keyspace, raw.batched, rawEvents);
  log(
    `  raw batched inserts:           ${fmtRate((n * 1000) / batchedMs)} events/s (unlogged, one partition, ≤ 4 KiB)`,
  );
}
