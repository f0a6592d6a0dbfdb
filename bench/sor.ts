/**
 * `npm run bench -- sor`: what the system of record costs, on the real Kafka
 * and Cassandra, in one run. Sensor events are produced to a fresh topic;
 * then, in the same run:
 * - the pipeline (Kafka → parse → 1-minute windows, `emit: 'final'` → count
 *   → Cassandra upsert) without an archive, and the same pipeline with
 *   `.archive(cassandra.systemOfRecord(...))`, each checked against the truth;
 * - two baselines for writing the same events into a row-per-event table:
 *   one prepared single-row insert per event (64 in flight), and unlogged
 *   batches of one partition under Cassandra's batch size warning;
 * - `repair` of the archived pipeline, against a raw token-range scan of the
 *   same system-of-record table that decodes every event (five rounds in
 *   turn, medians; the CPU time of each beside);
 * - the largest partition of the system of record (events, bytes of JSON).
 * Last line: `sor_vs_no_sor=<r> repair_vs_scan=<r>`. Every table it makes is dropped.
 */
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
import { fmtRate, fmtRatio, median } from './measure.ts';
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

/** Runs a pipeline over the whole topic; checks it counted every event once; returns events/s. */
async function timedRun(client: Client, pipeline: ReturnType<typeof pipelineOf>, n: number): Promise<number> {
  for (const cql of schemaCql(tableSchemas(pipeline.ir))) await client.execute(cql);
  const result = await runLocal(pipeline.ir, {
    store: new EmbeddedStore(join(tmpdir(), 'idemflow-bench-sor')),
    targets: [cassandraConnector(client)],
    batchSize: Number(process.env.IDEMFLOW_BENCH_BATCH ?? 20_000),
    maxRecords: n,
    log: () => {},
  });
  if (result.recordsIn !== n || result.deadLetters !== 0)
    throw new Error(`read ${result.recordsIn} records with ${result.deadLetters} dead letters, expected ${n} and 0`);
  const sink = pipeline.ir.sink;
  const rows = await client.execute(`SELECT n FROM ${sink.keyspace}.${sink.table}`, [], { fetchSize: 100_000 });
  const counted = rows.rows.reduce((a, row) => a + Number(row.get('n')), 0);
  if (counted !== n) throw new Error(`${sink.table} counts ${counted} events, expected ${n}`);
  return (n * 1000) / result.processingMs;
}

/**
 * Rounds of (raw scan, repair, repair's read) in turn: the first reads of a table just written are slower, and on
 * a loaded machine one round's figures swing 2-4x (medians of 3 rounds moved by 0.2 from run to run).
 */
const repairRounds = 5;

/** CPU milliseconds of this process (user + system) since `from`: what a loaded machine moves least. */
const cpuSince = (from = 0) => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000 - from;
};

/** The (scan, repair, read) figures of the rounds: events/s and CPU ms, each a list of the rounds'. */
type Rounds = Record<'scan' | 'repair' | 'read', { rates: number[]; cpu: number[] }>;

/**
 * One round: the raw scan, repair (which must read n events and correct nothing), and repair's own read of the
 * archive (the reader it uses, with its check for ids in two partitions) alone. Returns the rows repair checked.
 */
async function repairRound(client: Client, pipeline: PipelineNode, sorTable: string, n: number, into: Rounds) {
  const sor = PipelineNode.sinks(pipeline).find((s) => s.mode === 'system-of-record')!;
  let cpu = cpuSince();
  const scan = await rawScan(client, keyspace, sorTable);
  if (scan.events !== n) throw new Error(`the raw scan read ${scan.events} events, expected ${n}`);
  into.scan.rates.push((n * 1000) / scan.ms);
  into.scan.cpu.push(cpuSince(cpu));
  cpu = cpuSince();
  const repaired = await repair(pipeline, { target: cassandraRepairTarget(client, pipeline) });
  if (repaired.events !== n || repaired.corrected !== 0)
    throw new Error(`repair read ${repaired.events} events and corrected ${repaired.corrected}, expected ${n} and 0`);
  into.repair.rates.push((n * 1000) / repaired.elapsedMs);
  into.repair.cpu.push(cpuSince(cpu));
  cpu = cpuSince();
  const readStarted = performance.now();
  let read = 0;
  const reading = cassandraRepairTarget(client, pipeline).events(sor);
  for await (const run of reading.events) read += run.length;
  if (await reading.exact())
    throw new Error('the archive holds event ids in two partitions: the bench wrote each once');
  if (read !== n) throw new Error(`repair's reader read ${read} events, expected ${n}`);
  into.read.rates.push((read * 1000) / (performance.now() - readStarted));
  into.read.cpu.push(cpuSince(cpu));
  return repaired.checked;
}

/**
 * Repair of the archived pipeline against a raw token-range scan of the same system-of-record table that decodes
 * every event, and repair's own read alone. Interleaved rounds, medians: run in one order once, whichever came
 * first paid for the cold table. Returns repair / scan (by wall time, as the goal is set); CPU is logged beside.
 */
async function repairAgainstScan(client: Client, pipeline: PipelineNode, sorTable: string, n: number): Promise<number> {
  const rounds: Rounds = { scan: { rates: [], cpu: [] }, repair: { rates: [], cpu: [] }, read: { rates: [], cpu: [] } };
  let checked = 0;
  for (let round = 0; round < repairRounds; round++) checked = await repairRound(client, pipeline, sorTable, n, rounds);
  const [scanRate, repairRate, readRate] = [rounds.scan, rounds.repair, rounds.read].map((r) => median(r.rates));
  const [scanCpu, repairCpu, readCpu] = [rounds.scan, rounds.repair, rounds.read].map((r) => median(r.cpu));
  const each = (xs: number[]) => xs.map((x) => fmtRate(x)).join(' / ');
  log(
    `  repair:                        ${fmtRate(repairRate!)} events/s (${checked} rows checked; rounds ${each(rounds.repair.rates)})`,
  );
  log(`  repair's read of the archive:  ${fmtRate(readRate!)} events/s (rounds ${each(rounds.read.rates)})`);
  log(
    `  raw token-range scan + decode: ${fmtRate(scanRate!)} events/s (rounds ${each(rounds.scan.rates)}; medians: ${fmtRatio(repairRate! / scanRate!)} repair/scan, ${fmtRatio(readRate! / scanRate!)} its read/scan)`,
  );
  log(
    `  CPU a pass (medians):          scan ${scanCpu!.toFixed(0)} ms, repair ${repairCpu!.toFixed(0)} ms, its read ${readCpu!.toFixed(0)} ms (${fmtRatio(scanCpu! / repairCpu!)} repair/scan by CPU)`,
  );
  return repairRate! / scanRate!;
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
  const tables = { plain: `sor_plain_${id}`, counts: `sor_counts_${id}`, sor: `sor_events_${id}` };
  const raw = { single: `sor_raw1_${id}`, batched: `sor_rawb_${id}` };
  const client = connect({ contactPoints: [`${host}:${cassandraPort}`], localDataCenter: 'datacenter1' });
  await client.connect();
  try {
    const noSor = await timedRun(client, pipelineOf(topic, `sor-plain-${id}`, tables.plain), n);
    log(`  pipeline without the archive:  ${fmtRate(noSor)} events/s`);
    const archived = pipelineOf(
      topic,
      `sor-archived-${id}`,
      tables.counts,
      cassandra.systemOfRecord({ keyspace, table: tables.sor, id: 'eventId' }),
    );
    const withSor = await timedRun(client, archived, n);
    log(`  pipeline with the archive:     ${fmtRate(withSor)} events/s (${fmtRatio(withSor / noSor)} of without)`);

    await benchRawInserts(client, raw, events);
    const repairVsScan = await repairAgainstScan(client, archived.ir, tables.sor, n);
    const largest = await largestPartition(client, keyspace, tables.sor);
    log(
      `  largest partition: ${largest.events.toLocaleString('en-US')} events, ${mb(largest.bytes)} of event JSON (bucket ${largest.bucket}; ${largest.partitions} partitions)`,
    );
    return `sor_vs_no_sor=${fmtRatio(withSor / noSor)} repair_vs_scan=${fmtRatio(repairVsScan)}`;
  } finally {
    for (const table of [...Object.values(tables), ...Object.values(raw)])
      await client.execute(`DROP TABLE IF EXISTS ${keyspace}.${table}`).catch(() => {});
    await client.shutdown();
  }
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
