import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from 'cassandra-driver';
import type { PipelineNode, SinkNode } from '../../compiler/ir/index.ts';
import { PipelineNode as Pipelines } from '../../compiler/ir/index.ts';
import { cassandraRepairTarget } from '../../connectors/cassandra/repair-target.ts';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { produceLines } from '../../connectors/kafka/produce.ts';
import { startCqlFaultProxy } from '../../connectors/proxy/cql-fault-proxy.ts';
import { startLineServer, type LineServer } from '../../connectors/socket/line-server.ts';
import { repair } from '../../runners/local/index.ts';
import { SeededRandom } from '../../runtime/seeded-random.ts';
import { generatedEvent } from '../../runtime/sources/generator-source.ts';
import { cassandraPort, host, kafkaPort } from '../../scripts/servers/config.ts';
import type { ChildConfig } from './trial-child.ts';
import { retarget, type Target } from './retarget.ts';
import type { Accuracy, TrialFaults, TrialResult } from '../../compiler/strategy/measurements.ts';
import { accuracyOf, truthOf } from './truth.ts';
import { tableBytes } from './table-bytes.ts';

export interface TrialOptions {
  readonly file: string;
  readonly seed: number;
  readonly events: number;
  readonly faults: TrialFaults;
  readonly batchSize: number;
  /** Socket rows: lines a second the sender offers (a live stream), 0 for as fast as possible. */
  readonly linesPerSecond: number;
  readonly workDir: string;
  readonly admin: Client;
  readonly keyspace: string;
  readonly log: (line: string) => void;
}

const childScript = fileURLToPath(new URL('./trial-child.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/esm/index.mjs', import.meta.url));
// The 'idemflow-source' condition: strategy pipelines import 'idemflow', which must be these sources, not a dist/ that may be stale or absent.
const nodeArgs = ['--conditions=idemflow-source', '--import', tsx];
const brokers = [`${host}:${kafkaPort}`];

/** One event of the trial's data: a sensor reading that is also a page visit, so every strategy reads the same records. */
export function trialEvent(seed: number, i: number) {
  const { event } = generatedEvent(
    { seed, count: 0, keys: 20, intervalMs: 50, startTs: Date.UTC(2024, 0, 1), lateFraction: 0, duplicateFraction: 0 },
    i,
  );
  const k = Number(event.sensorId.slice('sensor-'.length));
  return { ...event, country: `${String.fromCharCode(65 + (k % 26))}${String.fromCharCode(65 + Math.floor(k / 26))}` };
}

/** What the queue delivers: each record once, dropped (socket rows), or twice. Deterministic for the seed. */
function delivered(lines: readonly string[], faults: TrialFaults, socket: boolean, random: SeededRandom) {
  const out: string[] = [];
  let lost = 0;
  let duplicated = 0;
  for (const line of lines) {
    if (socket && random.chance(faults.queueLoss)) {
      lost++;
      continue;
    }
    out.push(line);
    if (random.chance(faults.duplicates)) {
      out.push(line);
      duplicated++;
    }
  }
  return { lines: out, lost, duplicated };
}

function dirBytes(dir: string): number {
  try {
    return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
  } catch {
    return 0;
  }
}

interface ChildRun {
  readonly exited: Promise<number | null>;
  kill(): void;
}

function startChild(config: ChildConfig, onLine: (line: Record<string, unknown>) => void): ChildRun {
  const child = spawn(process.execPath, [...nodeArgs, childScript, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffered = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const l of lines) if (l.startsWith('{')) onLine(JSON.parse(l) as Record<string, unknown>);
  });
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000)));
  // 'close', not 'exit': the last stdout lines (the `done` line) may still be in flight at 'exit'.
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL')
        process.stderr.write(`trial child exited with ${code ?? signal}: ${stderr}\n`);
      if (process.env.IDEMFLOW_BENCH_DEBUG) process.stderr.write(`child (${code ?? signal}) stderr:\n${stderr}\n`);
      resolve(code);
    }),
  );
  return { exited, kill: () => child.kill('SIGKILL') };
}

async function measuredRows(admin: Client, sink: SinkNode): Promise<Map<string, number>> {
  const keyColumn = sink.key.find((c) => c.from.type === 'field' && c.from.field === 'key')!.column;
  const windowColumn = sink.key.find((c) => c.from.type === 'field' && c.from.field === 'windowStart')?.column;
  const valueColumn = sink.values[0]!.column;
  const rows = new Map<string, number>();
  const result = await admin.execute(`SELECT * FROM ${sink.keyspace}.${sink.table}`, [], {
    prepare: true,
    fetchSize: 100_000,
  });
  for (const row of result.rows) {
    const window = windowColumn ? (row.get(windowColumn) as Date).getTime() : 0;
    rows.set(JSON.stringify([String(row.get(keyColumn)), window]), Number(row.get(valueColumn)));
  }
  return rows;
}

/**
 * One strategy under one seed's fault schedule, on the real servers: the
 * queue (a Kafka topic, a socket sender or a file) delivers the events with
 * losses and duplicates; the runner writes through the CQL proxy that
 * swallows acknowledgements; it is killed with SIGKILL at a random batch and
 * restarted; then, for rows with a system of record, the repair job runs.
 */
export async function runTrial(options: TrialOptions): Promise<TrialResult> {
  const { seed, events, faults } = options;
  const random = new SeededRandom(seed * 7_919 + 17);
  const trial = await prepareTrial(options, random);
  const { target, connector, queue, sender, pipeline } = trial;
  const proxy = await startCqlFaultProxy({
    upstreamHost: host,
    upstreamPort: cassandraPort,
    dropResponseRate: faults.lostAcks,
    seed,
  });
  const config: ChildConfig = {
    file: options.file,
    target,
    checkpointDir: join(trial.dir, 'checkpoint'),
    storeDir: join(trial.dir, 'store'),
    cassandraPort: proxy.port,
    batchSize: options.batchSize,
    untilIdleMs: connector === 'file' ? 0 : 3_000,
  };
  const expectedBatches = Math.max(3, Math.ceil(queue.lines.length / options.batchSize));
  const killAt = faults.crash ? 2 + random.int(0, Math.max(0, expectedBatches - 4)) : Number.POSITIVE_INFINITY;
  let walPeakBytes = 0;
  const walWatch = setInterval(() => (walPeakBytes = Math.max(walPeakBytes, dirBytes(target.walDir))), 50);
  let runs: KilledRun;
  try {
    runs = await runKilledAndRestarted(config, killAt);
  } finally {
    clearInterval(walWatch);
    await proxy.close();
    await sender?.close();
  }
  const accuracy = await accuracyAfterRepair(options.admin, pipeline, trial.records);
  const storage = await storageOf(options.admin, pipeline, trial.suffix);
  rmSync(trial.dir, { recursive: true, force: true });
  const { killedAt, recoveredAt } = runs;
  return {
    seed,
    truthEvents: events,
    ...accuracy,
    eventsPerSecond: runs.processingMs > 0 ? (queue.lines.length * 1000) / runs.processingMs : 0,
    recoveryMs: killedAt !== undefined && recoveredAt !== undefined ? recoveredAt - killedAt : undefined,
    killedAtBatch: runs.killedAtBatch,
    storage,
    walPeakBytes,
    swallowedAcks: proxy.stats.swallowedResponses,
    queueLost: queue.lost,
    duplicated: queue.duplicated,
  };
}

interface PreparedTrial {
  readonly dir: string;
  readonly suffix: string;
  /** Where the retargeted pipeline reads and writes (the socket sender's port filled in). */
  readonly target: Target;
  readonly connector: string;
  readonly records: ReturnType<typeof trialEvent>[];
  readonly queue: ReturnType<typeof delivered>;
  readonly sender: LineServer | undefined;
  readonly pipeline: PipelineNode;
}

/** The trial's folder, its records put on the queue (with its losses and duplicates), and its tables created. */
async function prepareTrial(options: TrialOptions, random: SeededRandom): Promise<PreparedTrial> {
  const { seed, events, faults } = options;
  const suffix = `${Date.now().toString(36)}${seed}`;
  const dir = join(options.workDir, suffix);
  mkdirSync(dir, { recursive: true });
  const target: Target = {
    keyspace: options.keyspace,
    suffix,
    brokers,
    topic: `bench-strategies-${suffix}`,
    host,
    port: 0,
    walDir: join(dir, 'wal'),
    file: join(dir, 'input.jsonl'),
  };
  const { loadPipelines } = await import('../../cli/load-pipelines.ts');
  const [loaded] = await loadPipelines(options.file);
  const connector = loaded!.pipeline.ir.source.connector;
  const records = Array.from({ length: events }, (_, i) => trialEvent(seed, i));
  const lines = records.map((r) => JSON.stringify(r));
  const queue = delivered(lines, faults, connector === 'socket', random);
  let sender: LineServer | undefined;
  if (connector === 'socket') {
    const burst = 100;
    sender = await startLineServer(queue.lines, {
      burst,
      pauseMs: options.linesPerSecond > 0 ? (burst * 1000) / options.linesPerSecond : 0,
    });
  } else if (connector === 'kafka') {
    await produceLines(brokers, target.topic, queue.lines);
  } else {
    writeFileSync(target.file, `${queue.lines.join('\n')}\n`);
  }
  const retargeted = { ...target, port: sender?.port ?? 0 };
  const pipeline: PipelineNode = retarget(loaded!.pipeline.ir, retargeted);
  for (const cql of schemaCql(tableSchemas(pipeline))) await options.admin.execute(cql);
  return { dir, suffix, target: retargeted, connector, records, queue, sender, pipeline };
}

interface KilledRun {
  readonly killedAt: number | undefined;
  readonly killedAtBatch: number | undefined;
  /** When the restarted runner finished its first batch. */
  readonly recoveredAt: number | undefined;
  readonly processingMs: number;
}

/** The runner, killed with SIGKILL once it reports batch `killAt`, then restarted to the end. */
async function runKilledAndRestarted(config: ChildConfig, killAt: number): Promise<KilledRun> {
  let killedAt: number | undefined;
  let killedAtBatch: number | undefined;
  let recoveredAt: number | undefined;
  let processingMs = 0;
  const first = startChild(config, (line) => {
    if (typeof line.batch === 'number' && line.batch >= killAt && killedAt === undefined) {
      killedAtBatch = line.batch;
      killedAt = Date.now();
      first.kill();
    }
    if (line.done) processingMs = Number(line.processingMs);
  });
  await first.exited;
  if (killedAt !== undefined) {
    const second = startChild(config, (line) => {
      if (typeof line.batch === 'number' && recoveredAt === undefined) recoveredAt = Number(line.t);
      if (line.done) processingMs = Number(line.processingMs);
    });
    const code = await second.exited;
    if (code !== 0) throw new Error(`the restarted runner failed (exit ${code})`);
  }
  return { killedAt, killedAtBatch, recoveredAt, processingMs };
}

/** The sink's rows against the truth, and again after the repair job for a pipeline that can be repaired. */
async function accuracyAfterRepair(
  admin: Client,
  pipeline: PipelineNode,
  records: readonly ReturnType<typeof trialEvent>[],
): Promise<{ before: Accuracy; after: Accuracy | undefined }> {
  const truth = truthOf(pipeline, records);
  const before = accuracyOf(truth, await measuredRows(admin, pipeline.sink));
  if (Pipelines.systemsOfRecord(pipeline).length === 0 || pipeline.sink.mode === 'counter')
    return { before, after: undefined };
  await repair(pipeline, { target: cassandraRepairTarget(admin, pipeline) });
  return { before, after: accuracyOf(truth, await measuredRows(admin, pipeline.sink)) };
}

/** Bytes on disk of each Cassandra table the pipeline writes, by its name without the trial's suffix. */
async function storageOf(admin: Client, pipeline: PipelineNode, suffix: string): Promise<Record<string, number>> {
  const storage: Record<string, number> = {};
  for (const sink of Pipelines.sinks(pipeline)) {
    if (sink.target === 'cassandra' && sink.table)
      storage[sink.table.slice(0, -suffix.length - 1)] = await tableBytes(admin, `${sink.keyspace}.${sink.table}`);
  }
  return storage;
}
