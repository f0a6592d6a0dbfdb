/**
 * Issue 18, adversarial review: a streaming job on a Flink cluster of the file's own (free ports, borrowing the
 * shared job server's jars), run by the CLI as a user runs it.
 * - A pipeline without a window (a count a sensor over all time): its rows are the local runner's. The global
 *   window ends only at the end of time, which an unbounded read's watermark never reaches: at Beam's default
 *   trigger the job read every record and wrote no count.
 * - Ctrl-C in a terminal, which signals the run's whole process group, Beam's job server with it: the run
 *   cancels the job on the cluster and exits 0. (Java ended the job server at once; the run then failed on its
 *   gRPC, with exit 2, and left the job running on the cluster.)
 * - Ctrl-C while the run starts: nothing is submitted. (What the run started meanwhile got the SIGINT too:
 *   `java -version` failed, and the run said "beam-flink needs Java 17", exit 2.)
 * - SIGTERM twice: the run exits at once (130), and the job server it started, which ignores SIGINT, with it.
 * The topic has three partitions, one of them empty.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'cassandra-driver';
import { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { kafkaClientConfig } from '../../connectors/kafka/kafka-input.ts';
import type { Pipeline } from '../../dsl/index.ts';
import { runLocal } from '../../runners/local/index.ts';
import { portOpen } from '../../scripts/servers/service.ts';
import { generatedEvent } from '../../runtime/sources/generator-source.ts';
import { repoRoot } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { flinkClusterServices, ownFlinkClusterEnv } from './own-flink-cluster.ts';
import { brokers, cassandraClient, contactPoint, runId, selectAll } from './servers.ts';
import { produceMessages, readingMessage } from './produce-messages.ts';
import { eventually, startCli, type Running } from './streaming-cli.ts';

const minute = 60_000;
const id = runId();
const keyspace = `stop_${id}`;
const topic = `it-stop-${id}`;
const cache = mkdtempSync(join(tmpdir(), 'idemflow-stop-'));
let cluster: ReturnType<typeof flinkClusterServices>;
let master = '';
let client: Client;
let file = '';
const children: ChildProcess[] = [];

const count = 3_000;
const settings = {
  ...{ seed: 53, count, keys: 7, intervalMs: 100, startTs: Date.now() - 60 * minute },
  ...{ lateFraction: 0, duplicateFraction: 0 },
};

/** The input: `count` readings into partitions 0 and 1 of three; partition 2 stays empty. */
async function produce(): Promise<void> {
  const kafka = new Kafka(kafkaClientConfig('it-stop', brokers));
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const messages = Array.from({ length: count }, (_, i) => readingMessage(i, generatedEvent(settings, i).event, i % 2));
  await produceMessages('it-stop', topic, messages);
}

/** The module under test: a count a sensor over all time, one export a run, each with its own group and table. */
const suffixes = ['truth', 'flink', 'early', 'twice'] as const;
function writePipelines(): string {
  const path = join(repoRoot, `test/fixtures/streaming-stop-${id}.tmp.ts`);
  const pipeline = (suffix: string) => `export const ${suffix} = source
  .kafka({ brokers: ${JSON.stringify(brokers)}, topic: '${topic}', groupId: 'it-stop-${id}-${suffix}' })
  .parse(SensorReading)
  .groupBy('sensorId')
  .count()
  .sink(cassandra.upsert({ keyspace: '${keyspace}', table: 'totals_${suffix}', key: { sensorid: 'key' }, values: { measurements: 'value' } }))
  .named('stop-${suffix}-${id}');
`;
  writeFileSync(
    path,
    `import { cassandra, source } from 'idemflow';
import { SensorReading } from '../../pipelines/schemas.ts';
${suffixes.map(pipeline).join('\n')}`,
  );
  return path;
}

const totalsOf = async (suffix: string) =>
  (await selectAll(client, `SELECT sensorid, measurements FROM ${keyspace}.totals_${suffix}`))
    .map((r) => JSON.stringify(r))
    .sort();

/** The streaming run of one export, in a process group of its own: see `startCli`. */
function streamingRun(suffix: string): Running {
  const args = ['run', file, '--pipeline', suffix, '--runner', 'beam-flink', '--flink-master', master];
  args.push('--cassandra', contactPoint, '--streaming', '--checkpoint-interval', '1000');
  const running = startCli(args, {}, true);
  children.push(running.child);
  return running;
}

/** The states of the cluster's jobs of a pipeline (named `<pipeline>-<run id>`). */
async function jobStates(pipeline: string): Promise<string[]> {
  const response = await fetch(`http://${master}/jobs/overview`, { signal: AbortSignal.timeout(5_000) });
  const { jobs } = (await response.json()) as { jobs: { name: string; state: string }[] };
  return jobs.filter((j) => j.name.startsWith(`${pipeline}-run-`)).map((j) => j.state);
}

/** Ctrl-C in a terminal: SIGINT to the run's process group. Resolves with its exit code, or 'still running'. */
async function ctrlC(ran: Running, ms = 120_000): Promise<number | null | string> {
  process.kill(-ran.child.pid!, 'SIGINT');
  return Promise.race([ran.exited, new Promise<string>((r) => setTimeout(() => r('still running'), ms))]);
}

beforeAll(async () => {
  const own = await ownFlinkClusterEnv(cache);
  master = own.master;
  cluster = flinkClusterServices(own.env);
  const up = await cluster.up();
  expect(up.status, up.output).toBe(0);
  client = await cassandraClient();
  file = writePipelines();
  const module = (await import(file)) as Record<string, Pipeline>;
  for (const suffix of suffixes)
    for (const cql of schemaCql(tableSchemas(module[suffix]!.ir))) await client.execute(cql);
  await produce();
  await runLocal(module.truth!.ir, {
    log: () => {},
    untilIdleMs: 4_000,
    batchSize: 500,
    store: new EmbeddedStore(tempDir()),
    checkpointDir: tempDir(),
    targets: [cassandraConnector(client)],
  });
}, 400_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
  await cluster?.down();
  rmSync(cache, { recursive: true, force: true });
  rmSync(file, { force: true });
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
}, 120_000);

describe.sequential('a streaming job on the cluster, run and stopped as in a terminal', () => {
  it('a count without a window: the local runner’s rows; then Ctrl-C cancels the job and the run exits 0', async () => {
    const truth = await totalsOf('truth');
    expect(truth).toHaveLength(settings.keys);
    const ran = streamingRun('flink');
    const rows = await eventually(
      `the totals equal the local runner's (${ran.output})`,
      () => totalsOf('flink'),
      (t) => JSON.stringify(t) === JSON.stringify(truth),
    ).catch((error: Error) => error);
    const exited = await ctrlC(ran);
    expect.soft(rows, ran.output).toEqual(truth);
    expect.soft(exited, ran.output).toBe(0);
    expect.soft(await jobStates(`stop-flink-${id}`)).toEqual(['CANCELED']);
    expect.soft(ran.output).toContain(' · replays 0 · ');
  }, 600_000);

  it('Ctrl-C while the run starts: nothing is submitted, the run exits 0 and says so', async () => {
    const ran = streamingRun('early');
    await eventually(
      'the run starting',
      async () => ran.output,
      (o) => o.includes('running on beam-flink'),
      120_000,
    );
    // What the run starts meanwhile (`java -version`, the job server) gets the same SIGINT.
    const exited = await ctrlC(ran, 180_000);
    expect(exited, ran.output).toBe(0);
    expect(ran.output).toContain(`stop-early-${id}: stopped before its streaming job was submitted: nothing ran`);
    expect(ran.output).not.toContain('no records were read');
    expect(await jobStates(`stop-early-${id}`)).toEqual([]);
  }, 600_000);

  it('SIGTERM twice: the run exits at once with 130, saying the job may run on, and stops its job server', async () => {
    const ran = streamingRun('twice');
    await eventually(
      'the job running',
      () => jobStates(`stop-twice-${id}`),
      (s) => s.includes('RUNNING'),
      180_000,
    );
    const port = /flink job server: starting for this run \(master [^,]+, port (\d+)\)/.exec(ran.output)?.[1];
    expect(port, ran.output).toBeDefined();
    ran.child.kill('SIGTERM');
    // Signals sent back to back may arrive as one: the second once the run has taken the first.
    await eventually(
      'the first signal taken',
      async () => ran.output,
      (o) => o.includes('SIGTERM: cancelling'),
      30_000,
    );
    ran.child.kill('SIGTERM');
    const exited = await Promise.race([ran.exited, new Promise((r) => setTimeout(() => r('still running'), 30_000))]);
    expect(exited, ran.output).toBe(130);
    expect(ran.output).toContain('SIGTERM again: exiting now; a job not cancelled yet goes on running on the cluster');
    // Nothing is left listening on the job server's port (it ignores SIGINT, so it must be stopped on the way out).
    await eventually(
      'the job server stopped',
      () => portOpen(Number(port), '127.0.0.1'),
      (open) => !open,
      30_000,
    );
    await fetch(`http://${master}/jobs/overview`)
      .then((r) => r.json() as Promise<{ jobs: { jid: string; state: string }[] }>)
      .then(({ jobs }) =>
        Promise.all(
          jobs
            .filter((j) => j.state === 'RUNNING')
            .map((j) => fetch(`http://${master}/jobs/${j.jid}?mode=cancel`, { method: 'PATCH' })),
        ),
      );
  }, 600_000);
});
