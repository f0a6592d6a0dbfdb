/**
 * Issue 18, step 4: faults on the real cluster, streaming. A Flink cluster of
 * the file's own (free ports, borrowing the shared job server's jars), two
 * TaskManagers; the real Kafka holds the input, the real Cassandra the rows.
 * A streaming job (`run --streaming`, 1 s checkpoints) is killed mid-stream:
 * first the TaskManager that runs it (SIGKILL), then, on external workers,
 * its SDK worker (SIGKILL). Flink restarts the job from its last checkpoint;
 * the CLI shows Flink's exception meanwhile; with idempotent sinks and a
 * system of record the rows converge to the local runner's, and stay exact
 * after `idemflow repair`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'cassandra-driver';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import type { Pipeline } from '../../dsl/index.ts';
import { pidAlive } from '../../scripts/servers/processes.ts';
import { runLocal } from '../../runners/local/index.ts';
import { generatedEvent } from '../../runtime/sources/generator-source.ts';
import { freePort } from '../helpers/free-port.ts';
import { cliEnv, repoRoot } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { archived } from './archived.ts';
import { ownFlinkClusterEnv } from './own-flink-cluster.ts';
import { brokers, cassandraClient, contactPoint, runId, selectAll } from './servers.ts';
import { produceMessages, readingMessage } from './produce-messages.ts';
import { eventually, startCli, type Running } from './streaming-cli.ts';

const minute = 60_000;
const id = runId();
const keyspace = `faults_${id}`;
const topic = `it-faults-${id}`;
const cache = mkdtempSync(join(tmpdir(), 'idemflow-faults-'));
const clusterRun = join(cache, 'flink-cluster', 'run');
let clusterEnv: NodeJS.ProcessEnv = {};
let master = '';
let client: Client;
let file = '';
const children: ChildProcess[] = [];

interface Ran {
  readonly status: number | null;
  readonly output: string;
}

/** A command to its end, without blocking the event loop. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('close', (status) => resolve({ status, output }));
  });
}

function start(args: readonly string[], env: NodeJS.ProcessEnv = {}): Running {
  const running = startCli(args, env);
  children.push(running.child);
  return running;
}

// Event times 80 to 30 minutes ago, in order, a minute apart every 600: every window closes once the read has caught
// up (KafkaIO's watermark follows the records' Kafka timestamps, then the wall clock).
const startTs = Math.floor((Date.now() - 80 * minute) / minute) * minute;
const count = 30_000;
const settings = { seed: 41, count, keys: 7, intervalMs: 100, startTs, lateFraction: 0, duplicateFraction: 0 };
const malformed = ['{not json', JSON.stringify({ eventId: 'x', sensorId: 's', ts: 'yesterday', value: 1 })];

/** The input: `count` readings (far more than one fetch of KafkaIO's consumer, 500) and two malformed lines. */
async function produce(): Promise<void> {
  const messages = Array.from({ length: count }, (_, i) => readingMessage(i, generatedEvent(settings, i).event));
  for (const line of malformed) messages.push({ key: line, value: line, timestamp: String(startTs + 50 * minute) });
  await produceMessages('it-faults', topic, messages);
}

/** The module under test: one pipeline an export, each with its own group and tables (`<table>_<suffix>`). */
const suffixes = ['truth', 'tm', 'worker', 'never'] as const;
function writePipelines(): string {
  const path = join(repoRoot, `test/fixtures/streaming-faults-${id}.tmp.ts`);
  const pipeline = (suffix: string) => `export const ${suffix} = source
  .kafka({ brokers: ${JSON.stringify(brokers)}, topic: '${topic}', groupId: 'it-faults-${id}-${suffix}' })
  .parse(SensorReading, { deadLetter: cassandra.deadLetters({ keyspace: '${keyspace}', table: 'dead_${suffix}' }) })
  .archive(cassandra.systemOfRecord({ keyspace: '${keyspace}', table: 'events_${suffix}', id: 'eventId' }))
  .withEventTime((r) => r.ts)
  .window(tumbling({ minutes: 1 }))
  .groupBy('sensorId')
  .count()
  .sink(cassandra.upsert({ keyspace: '${keyspace}', table: 'counts_${suffix}', key: { sensorid: 'key', ts: 'windowStart' }, values: { measurements: 'value' } }))
  .named('faults-${suffix}');
`;
  writeFileSync(
    path,
    `import { cassandra, source, tumbling } from 'idemflow';
import { SensorReading } from '../../pipelines/schemas.ts';
${suffixes.map(pipeline).join('\n')}`,
  );
  return path;
}

const rowsOf = async (table: string, columns: string) =>
  (await selectAll(client, `SELECT ${columns} FROM ${keyspace}.${table}`)).map((r) => JSON.stringify(r)).sort();
/** What a run wrote: the archived events (as every reader sees them), the dead letters, the counts. */
const contentsOf = async (suffix: string) => ({
  events: (await archived(client, keyspace, `events_${suffix}`)).map((e) => JSON.stringify(e)).sort(),
  dead: await rowsOf(`dead_${suffix}`, 'position, reason, raw'),
  counts: await rowsOf(`counts_${suffix}`, 'sensorid, ts, measurements'),
});
const archivedCount = async (suffix: string) => (await archived(client, keyspace, `events_${suffix}`)).length;

const restGet = async <T>(path: string): Promise<T> => {
  const response = await fetch(`http://${master}${path}`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
};

/** The cluster's one running job whose name starts with the pipeline's. */
async function runningJob(pipeline: string): Promise<string> {
  const { jobs } = await restGet<{ jobs: { jid: string; name: string; state: string }[] }>('/jobs/overview');
  const job = jobs.find((j) => j.name.startsWith(`${pipeline}-`) && j.state === 'RUNNING');
  if (!job) throw new Error(`no running job of ${pipeline}: ${JSON.stringify(jobs)}`);
  return job.jid;
}

/** The state of the cluster's latest job whose name starts with the pipeline's. */
async function lastJobState(pipeline: string): Promise<string | undefined> {
  const { jobs } = await restGet<{ jobs: { name: string; state: string; 'start-time': number }[] }>('/jobs/overview');
  return jobs.filter((j) => j.name.startsWith(`${pipeline}-`)).sort((a, b) => b['start-time'] - a['start-time'])[0]
    ?.state;
}

/** The pid of the TaskManager that runs the job's tasks (every task of a job at parallelism 1 shares one slot). */
async function taskManagerOf(jid: string): Promise<{ name: string; pid: number } | undefined> {
  const { vertices } = await restGet<{ vertices: { id: string }[] }>(`/jobs/${jid}`);
  const ids = new Set<string>();
  for (const v of vertices) {
    const { taskmanagers } = await restGet<{ taskmanagers: { 'taskmanager-id': string }[] }>(
      `/jobs/${jid}/vertices/${v.id}/taskmanagers`,
    );
    for (const t of taskmanagers) ids.add(t['taskmanager-id']);
  }
  // Until its tasks are deployed, a task's TaskManager is "(unassigned)".
  const [resourceId] = [...ids];
  if (ids.size !== 1 || resourceId === '(unassigned)') return undefined;
  for (const name of ['taskmanager-1', 'taskmanager-2'])
    if (readFileSync(join(clusterRun, `${name}.resource-id`), 'utf8') === resourceId)
      return { name, pid: Number(readFileSync(join(clusterRun, `pid-${name}`), 'utf8')) };
  throw new Error(`TaskManager ${resourceId} is not one of this cluster's`);
}

/** The streaming run of one export on the cluster, with 1 s checkpoints and 2 s restart delays. */
const streamingRun = (suffix: string, extra: readonly string[] = []) =>
  start([
    'run',
    file,
    '--pipeline',
    suffix,
    '--runner',
    'beam-flink',
    '--flink-master',
    master,
    '--cassandra',
    contactPoint,
    '--streaming',
    '--checkpoint-interval',
    '1000',
    '--restart-delay',
    '2000',
    ...extra,
  ]);

/** Kills the process once the job is mid-stream: past several fetches, far from the end. */
async function killMidStream(suffix: string, pid: number, ran: Running): Promise<number> {
  const done = await eventually(
    `the ${suffix} job's first records (${ran.output})`,
    () => archivedCount(suffix),
    (n) => n >= 2_000,
  );
  process.kill(pid, 'SIGKILL');
  while (pidAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  expect(done, 'killed mid-stream, not after the end').toBeLessThan(count * 0.8);
  return done;
}

/** The rows converge to the truth; then the run is stopped (Ctrl-C) and `idemflow repair` leaves them exact. */
async function convergesAndRepairs(suffix: string, ran: Running, truth: Contents) {
  const last = await eventually(
    `the ${suffix} rows equal the local runner's`,
    () => contentsOf(suffix),
    (c) => JSON.stringify(c) === JSON.stringify(truth),
  ).catch((error: Error) => error);
  if (last instanceof Error) {
    const now = await contentsOf(suffix);
    throw new Error(`${last.message.slice(0, 200)}: ${differences(now, truth)}; run output: ${ran.output}`);
  }
  ran.child.kill('SIGINT');
  // Ctrl-C ends the run, and the job on the cluster with it (Beam's cancel alone left a restarted job running,
  // its LOOPBACK worker connected to the CLI, which then never exited).
  const exited = await Promise.race([ran.exited, new Promise((r) => setTimeout(() => r('still running'), 90_000))]);
  expect(exited, ran.output).toBe(0);
  expect(await lastJobState(`faults-${suffix}`)).toBe('CANCELED');
  // The summary counts Flink's restarts from a checkpoint as replays (it said "replays 0" after them).
  expect(ran.output).toMatch(/ · replays [1-9]\d* · /);
  const repair = await run(process.execPath, [
    'bin/idemflow.js',
    'repair',
    file,
    '--pipeline',
    suffix,
    '--cassandra',
    contactPoint,
  ]);
  expect(repair.status, repair.output).toBe(0);
  expect(repair.output).toContain(`${count} events`);
  expect(await contentsOf(suffix)).toEqual(truth);
}

type Contents = Awaited<ReturnType<typeof contentsOf>>;
let truth: Contents;

/** How two runs' rows differ, in a few words: per table, rows missing and rows that should not be there. */
function differences(actual: Contents, expected: Contents): string {
  return (['events', 'dead', 'counts'] as const)
    .map((table) => {
      const want = new Set(expected[table]);
      const have = new Set(actual[table]);
      const missing = [...want].filter((r) => !have.has(r));
      const extra = [...have].filter((r) => !want.has(r));
      return `${table}: ${have.size} of ${want.size}, ${missing.length} missing (${missing.slice(0, 2).join(' ')}), ${extra.length} extra (${extra.slice(0, 2).join(' ')})`;
    })
    .join('; ');
}

beforeAll(async () => {
  ({ env: clusterEnv, master } = await ownFlinkClusterEnv(cache));
  const up = await run(join(repoRoot, 'scripts/services'), ['up', 'flink-cluster'], clusterEnv);
  expect(up.status, up.output).toBe(0);
  client = await cassandraClient();
  file = writePipelines();
  const module = (await import(file)) as Record<string, Pipeline>;
  for (const suffix of suffixes)
    for (const cql of schemaCql(tableSchemas(module[suffix]!.ir))) await client.execute(cql);
  await produce();
  // The truth: the local runner over the same topic.
  const local = await runLocal(module.truth!.ir, {
    log: () => {},
    untilIdleMs: 4_000,
    batchSize: 1_000,
    store: new EmbeddedStore(tempDir()),
    checkpointDir: tempDir(),
    targets: [cassandraConnector(client)],
  });
  expect(local.deadLetters).toBe(malformed.length);
  truth = await contentsOf('truth');
  expect(truth.events).toHaveLength(count);
}, 400_000);

// A test that failed half-way leaves its run and its job behind: neither may hold the next test's slots.
afterEach(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  const { jobs } = await restGet<{ jobs: { jid: string; state: string }[] }>('/jobs/overview');
  for (const job of jobs.filter((j) => !['CANCELED', 'FAILED', 'FINISHED'].includes(j.state)))
    await fetch(`http://${master}/jobs/${job.jid}?mode=cancel`, { method: 'PATCH' });
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await run(join(repoRoot, 'scripts/services'), ['down', 'flink-cluster'], clusterEnv);
  rmSync(cache, { recursive: true, force: true });
  rmSync(file, { force: true });
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
}, 120_000);

/** The CLI's lines that report a failure Flink recorded for the job (flink-job-watch.ts). */
const flinkFailures = (output: string) => output.split('\n').filter((l) => /^flink: job \w+ failed at /.test(l));

describe.sequential('a streaming job on the cluster, killed mid-stream', () => {
  it('a TaskManager killed with SIGKILL: Flink restarts the job from its last checkpoint, the CLI says why, the rows converge and repair finds them exact', async () => {
    const ran = streamingRun('tm');
    const job = await eventually(
      `the job on the cluster (${ran.output})`,
      () => runningJob('faults-tm').catch(() => ''),
      (j) => j !== '',
    );
    const tm = await eventually(
      'the job’s tasks deployed in one TaskManager',
      () => taskManagerOf(job),
      (t) => t !== undefined,
    );
    // The job's own restart strategy (without one, a checkpointed job restarts forever, as Flink's default: a job
    // that cannot recover would look like a hang).
    // The JobManager shows the job's configuration once the job is initialized: asked until then.
    const restartStrategy = async () =>
      String(
        (await restGet<{ 'execution-config': Record<string, unknown> }>(`/jobs/${job}/config`))['execution-config'][
          'restart-strategy'
        ],
      );
    expect(
      await eventually('the job’s restart strategy', restartStrategy, (s) => !s.startsWith('Cluster level'), 60_000),
    ).toBe('Restart with fixed delay (2000 ms). #5 restart attempts.');
    await killMidStream('tm', tm!.pid, ran);
    await eventually(
      'the CLI shows Flink’s exception',
      async () => flinkFailures(ran.output),
      (lines) => lines.length > 0,
      120_000,
    );
    expect(flinkFailures(ran.output)[0]).toMatch(/now (RESTARTING|RUNNING|CREATED)/);
    await convergesAndRepairs('tm', ran, truth);
    // The same Flink job, restarted: not a new submission.
    const { exceptionHistory } = await restGet<{ exceptionHistory: { entries: unknown[] } }>(`/jobs/${job}/exceptions`);
    expect(exceptionHistory.entries.length).toBeGreaterThan(0);
  }, 600_000);

  it('an SDK worker killed with SIGKILL mid-bundle (--environment external): while it is down the CLI shows Flink’s exception; restarted, the job resumes from its checkpoint and the rows converge', async () => {
    const port = await freePort();
    const workerEnv = { IDEMFLOW_CASSANDRA: contactPoint };
    const startWorker = async () => {
      const worker = start(['worker', '--port', String(port)], workerEnv);
      await eventually(
        `worker listening (${worker.output})`,
        async () => worker.output,
        (o) => o.includes('listening on'),
        60_000,
      );
      return worker;
    };
    const worker = await startWorker();
    // Restarts enough to outlast the worker's restart (a Node process, slow to start on a loaded machine).
    const workers = ['--environment', 'external', '--workers', `127.0.0.1:${port}`, '--restarts', '30'];
    const ran = streamingRun('worker', workers);
    await eventually(
      `the worker's first bundles (${ran.output})`,
      async () => worker.output,
      (o) => /faults-worker: run \S+: \d+ records here so far/.test(o),
    );
    await killMidStream('worker', worker.child.pid!, ran);
    const seen = await eventually(
      'the CLI shows Flink’s exception',
      async () => flinkFailures(ran.output),
      (lines) => lines.length > 0,
      120_000,
    );
    expect(seen[0]).toMatch(/now (RESTARTING|RUNNING|CREATED)/);
    const again = await startWorker();
    await eventually(
      `the restarted worker rebuilds the run (${ran.output})`,
      async () => again.output,
      (o) => /faults-worker: rebuilt run/.test(o),
      120_000,
    );
    await convergesAndRepairs('worker', ran, truth);
    again.child.kill('SIGTERM');
  }, 600_000);

  it('a worker that never comes back: the job fails once its restarts are used up, and the run’s error names Flink’s cause', async () => {
    const port = await freePort();
    const worker = start(['worker', '--port', String(port)], { IDEMFLOW_CASSANDRA: contactPoint });
    await eventually(
      'worker listening',
      async () => worker.output,
      (o) => o.includes('listening on'),
      60_000,
    );
    const ran = streamingRun('never', [
      '--environment',
      'external',
      '--workers',
      `127.0.0.1:${port}`,
      '--restarts',
      '1',
    ]);
    await eventually(
      `the worker's first bundles (${ran.output})`,
      async () => worker.output,
      (o) => /faults-never: run \S+: \d+ records here so far/.test(o),
    );
    worker.child.kill('SIGKILL');
    const code = await Promise.race([
      ran.exited,
      new Promise<string>((r) => setTimeout(() => r('still running after 180 s'), 180_000)),
    ]);
    expect(code, ran.output).toBe(2);
    // Each failure as it happened, then the error: Beam's word (FAILED) and Flink's root cause.
    expect(flinkFailures(ran.output).length, ran.output).toBeGreaterThanOrEqual(2);
    expect(ran.output).toMatch(
      /faults-never failed on beam-flink: Job finished in state FAILED \(.*(UNAVAILABLE|Connection refused|CANCELLED)/,
    );
  }, 400_000);
});
