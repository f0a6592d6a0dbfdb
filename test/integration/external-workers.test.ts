/**
 * Issue 18, step 2: Beam's SDK workers outside the submitting process. A
 * Flink cluster of its own (on free ports, borrowing the shared job server's
 * jars) and two `idemflow worker` processes, each with Cassandra from its
 * environment; `run --runner beam-flink --environment external --workers …`
 * submits from a third process. The real Cassandra holds the rows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWorkers } from '../../runners/beam/external-environment.ts';
import type { JobRef } from '../../runners/beam/job-ref.ts';
import { freePort } from '../helpers/free-port.ts';
import { cliEnv, repoRoot } from '../helpers/run-cli.ts';
import { archived } from './archived.ts';
import { ownFlinkClusterEnv } from './own-flink-cluster.ts';
import { cassandraClient, contactPoint, runId, selectAll } from './servers.ts';

interface Ran {
  readonly status: number | null;
  readonly output: string;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise<Ran>((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('close', (status) => resolve({ status, output }));
  });
}

const idemflow = (args: readonly string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ['bin/idemflow.js', ...args], env);

interface StartedWorker {
  readonly address: string;
  readonly child: ChildProcess;
  output: string;
}

/** `idemflow worker --port P`, Cassandra from its environment; resolves once it listens. */
async function startWorker(env: NodeJS.ProcessEnv): Promise<StartedWorker> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/idemflow.js', 'worker', '--port', String(port)], {
    cwd: repoRoot,
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const worker: StartedWorker = { address: `127.0.0.1:${port}`, child, output: '' };
  await new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer) => {
      worker.output += c.toString();
      if (worker.output.includes('listening on')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${worker.output}`)));
  });
  return worker;
}

/** Each worker's share as the run's summary reports it: `worker host:port: N records, M SDK workers started`. */
function workerShares(output: string): Map<string, { records: number; started: number }> {
  const shares = new Map<string, { records: number; started: number }>();
  for (const m of output.matchAll(/^ {2}worker (\S+): ([\d,]+) records, (\d+) SDK workers started$/gm))
    shares.set(m[1]!, { records: Number(m[2]!.replaceAll(',', '')), started: Number(m[3]) });
  return shares;
}

const id = runId();
const keyspace = `ext_${id}`;
const cache = mkdtempSync(join(tmpdir(), 'idemflow-external-'));
const files: string[] = [];
let clusterEnv: NodeJS.ProcessEnv = {};
let master = '';
let workers: StartedWorker[] = [];
let client: Client;

/** A pipeline module under test/fixtures (so it resolves 'idemflow'), removed after the file's tests. */
function pipelineFile(name: string, text: string): string {
  const file = join(repoRoot, `test/fixtures/${name}-${id}.tmp.ts`);
  writeFileSync(file, text);
  files.push(file);
  return file;
}

const cleanFile = () =>
  pipelineFile(
    'external-clean',
    `import { cassandra, source, tumbling } from 'idemflow';
export const counts = source.generator({ seed: 11, count: 6_000, keys: 5, intervalMs: 100 })
  .archive(cassandra.systemOfRecord({ keyspace: '${keyspace}', table: 'events', id: 'eventId' }))
  .withEventTime((r) => r.ts)
  .window(tumbling({ minutes: 1 }))
  .groupBy('sensorId')
  .count()
  .sink(cassandra.upsert({ keyspace: '${keyspace}', table: 'counts', key: { sensorid: 'key', ts: 'windowStart' }, values: { measurements: 'value' } }))
  .named('external-clean');
`,
  );

/** A count over \`n\` readings, no archive: the input is what is big. */
const bigFile = (n: number) =>
  pipelineFile(
    `external-big-${n}`,
    `import { cassandra, source } from 'idemflow';
export default source.generator({ seed: 13, count: ${n}, keys: 50, intervalMs: 10 })
  .groupBy('sensorId')
  .count()
  .sink(cassandra.upsert({ keyspace: '${keyspace}', table: 'big_counts', key: { sensorid: 'key' }, values: { n: 'value' } }))
  .named('external-big');
`,
  );

/** A map that throws for about one reading in ten: dead letters, in the keyspace's dead_letters table. */
const unluckyFile = () =>
  pipelineFile(
    'external-unlucky',
    `import { cassandra, source } from 'idemflow';
export default source.generator({ seed: 14, count: 6_000, keys: 5, intervalMs: 100 })
  .map((r) => {
    if (Math.round(r.value * 10) % 10 === 7) throw new Error('unlucky seven');
    return r;
  })
  .sink(cassandra.upsert({ keyspace: '${keyspace}', table: 'readings', key: { eventid: 'eventId' }, values: { v: 'value' } }))
  .named('external-unlucky');
`,
  );

/** IDEM009: \`sensorsSeen\` lives in the module; each process that imports the module has its own. */
const capturingFile = () =>
  pipelineFile(
    'external-captures',
    `import { cassandra, source } from 'idemflow';
const sensorsSeen = new Set<string>();
export default source.generator({ seed: 12, count: 6_000, keys: 5, intervalMs: 100 })
  .filter((r) => !sensorsSeen.has(r.sensorId) && sensorsSeen.add(r.sensorId) !== undefined)
  .sink(cassandra.upsert({ keyspace: '${keyspace}', table: 'firsts', key: { eventid: 'eventId' }, values: { sensorid: 'sensorId' } }))
  .named('external-captures');
`,
  );

/** `run … --environment external` on this file's cluster, with its two workers unless `to` names others. */
const onCluster = (file: string, extra: readonly string[] = [], to = workers.map((w) => w.address).join(',')) =>
  idemflow([
    'run',
    file,
    '--runner',
    'beam-flink',
    '--flink-master',
    master,
    '--cassandra',
    contactPoint,
    '--environment',
    'external',
    '--workers',
    to,
    '--parallelism',
    '2',
    ...extra,
  ]);

interface JobOverview {
  readonly jid: string;
  readonly 'start-time': number;
}

/** How many jobs this file's cluster has run (REST `/jobs/overview`). */
const jobCount = async () =>
  ((await (await fetch(`http://${master}/jobs/overview`)).json()) as { jobs: JobOverview[] }).jobs.length;

const rowsOf = async (table: string) =>
  (await selectAll(client, `SELECT * FROM ${keyspace}.${table}`)).map((r) => JSON.stringify(r)).sort();

/** The archived events as every reader sees them (blocks group them by write batch, which differs by runner). */
const eventsOf = async () => (await archived(client, keyspace, 'events')).map((e) => JSON.stringify(e)).sort();

beforeAll(async () => {
  ({ env: clusterEnv, master } = await ownFlinkClusterEnv(cache));
  const up = await run(join(repoRoot, 'scripts/services'), ['up', 'flink-cluster'], clusterEnv);
  expect(up.status, up.output).toBe(0);
  workers = await Promise.all([0, 1].map(() => startWorker({ IDEMFLOW_CASSANDRA: contactPoint })));
  client = await cassandraClient();
}, 400_000);

afterAll(async () => {
  for (const w of workers) w.child.kill('SIGTERM');
  await run(join(repoRoot, 'scripts/services'), ['down', 'flink-cluster'], clusterEnv);
  rmSync(cache, { recursive: true, force: true });
  for (const f of files) rmSync(f, { force: true });
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client?.shutdown();
}, 120_000);

describe.sequential('run --runner beam-flink --environment external: SDK workers in idemflow worker processes', () => {
  it('a clean pipeline writes the rows the local runner writes, through both workers', async () => {
    const file = cleanFile();
    const local = await idemflow(['run', file, '--cassandra', contactPoint, '--quiet']);
    expect(local.status, local.output).toBe(0);
    const expected = { events: await eventsOf(), counts: await rowsOf('counts') };
    expect(expected.events).toHaveLength(6_000);
    const counted = await selectAll(client, `SELECT measurements FROM ${keyspace}.counts`);
    expect(counted.reduce((a, r) => a + Number(r.measurements), 0)).toBe(6_000);
    await client.execute(`TRUNCATE ${keyspace}.events`);
    await client.execute(`TRUNCATE ${keyspace}.counts`);

    const ran = await onCluster(file);
    expect(ran.status, ran.output).toBe(0);
    expect(ran.output).toMatch(/external-clean: 6,000 records on beam-flink/);
    expect({ events: await eventsOf(), counts: await rowsOf('counts') }).toEqual(expected);
    // Each worker was asked for an SDK worker, rebuilt the run from the module, and ran a share of the records
    // (one SDK worker a TaskManager, slots spread evenly over the two TaskManagers): together every record once.
    const shares = workerShares(ran.output);
    expect([...shares.keys()].sort(), ran.output).toEqual(workers.map((w) => w.address).sort());
    for (const w of workers) {
      expect(shares.get(w.address)!.records, ran.output).toBeGreaterThan(0);
      expect(shares.get(w.address)!.started, ran.output).toBeGreaterThan(0);
      expect(w.output).toMatch(/external-clean: rebuilt run \S+ from .*external-clean-.*#counts/);
    }
    expect([...shares.values()].reduce((a, s) => a + s.records, 0)).toBe(6_000);
  }, 600_000);

  it('with 2 workers at --parallelism 2 both get bundles, run after run', async () => {
    const file = bigFile(12_000);
    for (let run = 0; run < 3; run++) {
      const ran = await onCluster(file);
      expect(ran.status, ran.output).toBe(0);
      const shares = [...workerShares(ran.output).values()].map((s) => s.records);
      expect(shares, ran.output).toHaveLength(2);
      expect(Math.min(...shares), ran.output).toBeGreaterThan(0);
      expect(shares[0]! + shares[1]!).toBe(12_000);
    }
  }, 600_000);

  it("an input far above gRPC's 4 MB message limit: 10⁵ records (≈11 MB), the local runner's counts", async () => {
    const file = bigFile(100_000);
    const local = await idemflow(['run', file, '--cassandra', contactPoint, '--quiet']);
    expect(local.status, local.output).toBe(0);
    const expected = await rowsOf('big_counts');
    const total = (await selectAll(client, `SELECT n FROM ${keyspace}.big_counts`)).reduce(
      (a, r) => a + Number(r.n),
      0,
    );
    expect(total).toBe(100_000);
    await client.execute(`TRUNCATE ${keyspace}.big_counts`);

    const ran = await onCluster(file);
    expect(ran.status, ran.output).toBe(0);
    expect(ran.output).toMatch(/external-big: 100,000 records on beam-flink/);
    expect(await rowsOf('big_counts')).toEqual(expected);
  }, 600_000);

  it("the summary counts dead letters and rows written as LOOPBACK's does (the workers report them)", async () => {
    const file = unluckyFile();
    const loopback = await idemflow([
      'run',
      file,
      '--runner',
      'beam-flink',
      '--flink-master',
      master,
      '--cassandra',
      contactPoint,
    ]);
    expect(loopback.status, loopback.output).toBe(0);
    const apart = await onCluster(file);
    expect(apart.status, apart.output).toBe(0);
    const counted = (output: string) =>
      output.split('\n').filter((l) => /^ {2}(dead letters|\S+: [\d,]+ rows written)/.test(l));
    // 6,000 readings, values 0.0–100.0: those whose tenths end in 7 fail the map, about a tenth.
    const deadLetters = Number(/dead letters (\d+)/.exec(apart.output)?.[1]);
    expect(deadLetters, apart.output).toBeGreaterThan(400);
    expect(deadLetters).toBeLessThan(800);
    expect(counted(apart.output)).toEqual(counted(loopback.output));
    expect(counted(apart.output)).toContain(
      `  ${keyspace}.readings: ${(6_000 - deadLetters).toLocaleString('en-US')} rows written`,
    );
    const letters = await selectAll(client, `SELECT reason FROM ${keyspace}.dead_letters`);
    expect(letters).toHaveLength(deadLetters);
  }, 600_000);

  it('a pipeline IDEM009 flags is refused, and with --allow IDEM009 really differs on external workers', async () => {
    const file = capturingFile();
    const refused = await onCluster(file);
    expect(refused.status).toBe(2);
    expect(refused.output).toMatch(/IDEM009 The \.filter function captures `sensorsSeen`/);

    const local = await idemflow(['run', file, '--cassandra', contactPoint, '--quiet']);
    expect(local.status, local.output).toBe(0);
    const firsts = async () => (await selectAll(client, `SELECT sensorid FROM ${keyspace}.firsts`)).length;
    // One process, one set: the first reading of each of the 5 sensors.
    expect(await firsts()).toBe(5);
    await client.execute(`TRUNCATE ${keyspace}.firsts`);

    // On one external worker, twice: the worker process outlives the job, and its module's set with it.
    const one = workers[0]!.address;
    const first = await onCluster(file, ['--allow', 'IDEM009'], one);
    expect(first.status, first.output).toBe(0);
    expect(await firsts()).toBe(5);
    await client.execute(`TRUNCATE ${keyspace}.firsts`);
    const second = await onCluster(file, ['--allow', 'IDEM009'], one);
    expect(second.status, second.output).toBe(0);
    // Locally each run is a fresh process and passes 5 again; the worker's set already holds every sensor.
    expect(await firsts()).toBe(0);
    const again = await idemflow(['run', file, '--cassandra', contactPoint, '--quiet']);
    expect(again.status, again.output).toBe(0);
    expect(await firsts()).toBe(5);
  }, 600_000);

  it('a worker refuses another version of the pipeline file, naming both hashes; and an export the file lacks', async () => {
    const file = cleanFile();
    const text = readFileSync(file, 'utf8');
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const job: JobRef = {
      runId: `check-${id}`,
      pipeline: 'external-clean',
      module: file,
      exportName: 'counts',
      // What a submitter holding an edited copy of the file sends.
      sha256: sha(text.replace('count: 6_000', 'count: 6_001')),
      cassandra: true,
    };
    await expect(checkWorkers([workers[0]!.address], job)).rejects.toThrow(
      `worker ${workers[0]!.address} refused the job: idemflow worker at 127.0.0.1:${workers[0]!.address.split(':')[1]}`,
    );
    await expect(checkWorkers([workers[0]!.address], job)).rejects.toThrow(
      `pipeline file ${file} differs from the submitter's: sha256 ${sha(text)} here, ${job.sha256} submitted`,
    );
    await expect(
      checkWorkers([workers[1]!.address], { ...job, sha256: sha(text), exportName: 'nope' }),
    ).rejects.toThrow(`has no pipeline export \`nope\` (its pipeline exports: counts)`);
    // The same file and export pass.
    await checkWorkers(
      workers.map((w) => w.address),
      { ...job, sha256: sha(text) },
    );
  }, 120_000);

  it('an unreachable worker is one line naming its address, before any job is submitted', async () => {
    const closed = await freePort();
    const ran = await onCluster(cleanFile(), [], `127.0.0.1:${closed}`);
    expect(ran.status).toBe(2);
    expect(ran.output).toContain(`no idemflow worker answers at 127.0.0.1:${closed} (`);
    expect(ran.output).toContain(`idemflow worker --port ${closed}`);
    expect(ran.output).toContain(`idemflow-worker/worker-${closed}.log`);
  }, 120_000);

  it('a dead worker among several is one line naming its address, before any job is submitted', async () => {
    const doomed = await startWorker({ IDEMFLOW_CASSANDRA: contactPoint });
    doomed.child.kill('SIGKILL');
    await new Promise((resolve) => doomed.child.once('exit', resolve));
    const jobsBefore = await jobCount();
    const to = [workers[0]!.address, doomed.address, workers[1]!.address].join(',');
    const ran = await onCluster(cleanFile(), [], to);
    expect(ran.status, ran.output).toBe(2);
    expect(ran.output).toContain(`no idemflow worker answers at ${doomed.address} (`);
    expect(ran.output).not.toContain(`at ${workers[0]!.address} (`);
    expect(ran.output).not.toContain(`at ${workers[1]!.address} (`);
    expect(await jobCount()).toBe(jobsBefore);
  }, 120_000);

  it("a bounded job runs with the cluster's default restart strategy, which without checkpoints is none", async () => {
    const ran = await onCluster(bigFile(12_000));
    expect(ran.status, ran.output).toBe(0);
    const get = async <T>(path: string) => (await (await fetch(`http://${master}${path}`)).json()) as T;
    const { jobs } = await get<{ jobs: JobOverview[] }>('/jobs/overview');
    const newest = jobs.sort((a, b) => b['start-time'] - a['start-time'])[0]!;
    const config = await get<{ 'execution-config': { 'restart-strategy': string } }>(`/jobs/${newest.jid}/config`);
    // Beam 2.50's Flink runner applies --restarts (numberOfExecutionRetries) to streaming jobs only.
    expect(config['execution-config']['restart-strategy']).toBe('Cluster level default restart strategy');
    // And this cluster sets none (scripts/servers/flink-cluster.ts): Flink's default for a job without checkpoints.
    const cluster = await get<{ key: string }[]>('/jobmanager/config');
    expect(cluster.filter((entry) => entry.key.startsWith('restart-strategy'))).toEqual([]);
  }, 300_000);

  it('a worker without Cassandra configured refuses a job that writes to Cassandra', async () => {
    const bare = await startWorker({ IDEMFLOW_CASSANDRA: '' });
    try {
      const file = cleanFile();
      const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
      await expect(
        checkWorkers([bare.address], {
          runId: `bare-${id}`,
          pipeline: 'external-clean',
          module: file,
          exportName: 'counts',
          sha256: sha,
          cassandra: true,
        }),
      ).rejects.toThrow('the job writes to Cassandra but this worker has none configured: set IDEMFLOW_CASSANDRA');
    } finally {
      bare.child.kill('SIGTERM');
    }
  }, 120_000);

  it('sinks whose rows would stay on each worker are refused before anything starts', async () => {
    const file = pipelineFile(
      'external-embedded',
      `import { embedded, source } from 'idemflow';
export default source.generator({ seed: 1, count: 10, keys: 2, intervalMs: 100 })
  .sink(embedded.upsert({ keyspace: 'k', table: 'raw', key: { id: 'eventId' }, values: { v: 'value' } }))
  .named('external-embedded');
`,
    );
    const ran = await onCluster(file);
    expect(ran.status).toBe(2);
    expect(ran.output).toContain(
      "raw: with --environment external it would write to each worker's own embedded store, where this run cannot see it; write it to Cassandra",
    );
  }, 120_000);
});
