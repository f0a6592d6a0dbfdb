/**
 * `npm run bench -- flink-cluster`: one count pipeline (generator → groupBy
 * → count → a Cassandra upsert, 1,000 keys) on the local runner, then on a
 * Flink session cluster of the bench's own (free ports, stopped after: the
 * shared services are never touched) with its SDK workers in `idemflow
 * worker` processes (`--environment external`) at parallelism 1 (one worker)
 * and 2 (two), each run in a fresh `idemflow run`, all on the same input in
 * the same bench. A run's summary gives its records, each worker's share and
 * the rows written (the check), and its time; for the cluster, the job's own
 * time as the JobManager's REST API reports it is the figure compared, since
 * each run starts a job server of its own first (tens of seconds under load,
 * a cost the local runner does not have), after one unmeasured job at p2 that
 * warms both TaskManagers and workers up. Then the same at p1 and p2 for a
 * pipeline whose per-record cost is waiting, not CPU (`waiting_p2_vs_p1`).
 * The last line is `flink_vs_local=<ratio per worker> p2_vs_p1=<ratio>` at
 * the largest size: the job at parallelism 1 (one worker) against the local
 * run, and the job at parallelism 2 against the job at parallelism 1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'cassandra-driver';
import { fmtRate, fmtRatio } from './measure.ts';

const keys = 1_000;
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'bin/idemflow.js');
const cassandra = process.env.IDEMFLOW_CASSANDRA || '127.0.0.1';
const log = (s: string) => process.stderr.write(`${s}\n`);

/** The waiting pipeline: its sink stands for a remote service taking this long a request of this many rows. */
const waiting = { records: 40_000, requestMs: 100, rowsPerRequest: 100 };

/** The pipeline modules written, removed at the end. */
const files: string[] = [];

/** The pipeline module the workers import (under the repository, so that it resolves 'idemflow'). */
function pipelineFile(name: string, text: string): string {
  const file = join(root, `bench/results/flink-cluster-${process.pid}-${name}.tmp.ts`);
  writeFileSync(file, text);
  files.push(file);
  return file;
}

const countPipeline = (n: number, keyspace: string) =>
  pipelineFile(
    `count-${n}`,
    `import { cassandra, source } from 'idemflow';
export default source.generator({ seed: 7, count: ${n}, keys: ${keys}, intervalMs: 1 })
  .groupBy('sensorId')
  .count()
  .sink(cassandra.upsert({ keyspace: '${keyspace}', table: 'counts', key: { sensorid: 'key' }, values: { n: 'value' } }))
  .named('bench-flink-cluster');
`,
  );

/**
 * Every reading (parsed, its dead letters in Cassandra: the workers share no other store) to a sink that waits ${waiting.requestMs} ms a request of ${waiting.rowsPerRequest} rows, one request
 * at a time: what a worker does is wait, as on a remote service, so its CPU is not what limits it.
 */
const waitingPipeline = (keyspace: string) =>
  pipelineFile(
    'waiting',
    `import { z } from 'zod';
import { cassandra, sink, source } from 'idemflow';
export default source.generator({ seed: 8, count: ${waiting.records}, keys: ${keys}, intervalMs: 1 })
  .parse(z.object({ sensorId: z.string(), value: z.number() }), { deadLetter: cassandra.deadLetters({ keyspace: '${keyspace}', table: 'dead_letters' }) })
  .sink(sink({
    name: 'slow-service',
    idempotent: true,
    write: async (rows) => {
      for (let i = 0; i < rows.length; i += ${waiting.rowsPerRequest}) await new Promise((r) => setTimeout(r, ${waiting.requestMs}));
    },
  }))
  .named('bench-flink-waiting');
`,
  );

/** `idemflow worker --port 0`, Cassandra from its environment; resolves with its address once it listens. */
function startWorker(): Promise<{ address: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [cli, 'worker', '--port', '0'], {
    env: { ...process.env, IDEMFLOW_CASSANDRA: cassandra },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
      const address = /listening on (\S+)/.exec(output)?.[1];
      if (address) resolve({ address, child });
    });
    child.once('exit', (code) => reject(new Error(`idemflow worker exited (${code}): ${output}`)));
  });
}

/** `scripts/services up|down flink-cluster` for the bench's own cluster (its environment: ports, cache). */
function services(command: 'up' | 'down', env: NodeJS.ProcessEnv): void {
  const ran = spawnSync(join(root, 'scripts/services'), [command, 'flink-cluster'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (ran.status !== 0) throw new Error(`scripts/services ${command} flink-cluster: ${ran.stdout}${ran.stderr}`);
}

/** A Flink cluster of the bench's own on free ports, borrowing the shared job server's jars. */
async function ownCluster(): Promise<{ master: string; stop: () => void }> {
  const { ownFlinkClusterEnv } = await import('../scripts/servers/own-flink-cluster.ts');
  const cache = mkdtempSync(join(tmpdir(), 'idemflow-bench-flink-'));
  const { env, master } = await ownFlinkClusterEnv(cache);
  log(`starting a Flink cluster of the bench's own at ${master}`);
  services('up', env);
  return {
    master,
    stop: () => {
      services('down', env);
      rmSync(cache, { recursive: true, force: true });
    },
  };
}

interface Ran {
  /** Records/s as the run's summary times it (for the cluster: with the start of its job server). */
  readonly runRate: number;
  /** For the cluster, records/s of the job alone (JobManager's REST API); for the local runner, the run's. */
  readonly rate: number;
  readonly note: string;
}

/** The duration (ms) of the newest job the JobManager at `rest` ran. */
async function lastJobMs(rest: string): Promise<number> {
  const response = await fetch(`http://${rest}/jobs/overview`);
  const { jobs } = (await response.json()) as { jobs: { 'start-time': number; duration: number }[] };
  const newest = jobs.sort((a, b) => b['start-time'] - a['start-time'])[0];
  if (newest === undefined) throw new Error('the cluster lists no job');
  return newest.duration;
}

/** What a run must show: its records, the sink whose rows are counted and how many (at least, locally). */
interface Expected {
  readonly records: number;
  readonly sink: string;
  readonly rows: number;
}

/** One `idemflow run`, checked: every record read, the workers' shares adding up, the rows expected. */
async function runOnce(file: string, expected: Expected, args: readonly string[], master?: string): Promise<Ran> {
  const ran = spawnSync(process.execPath, [cli, 'run', file, '--cassandra', cassandra, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${ran.stdout}${ran.stderr}`;
  const summary = /([\d,]+) records (?:on \S+|in \d+ batches), ([\d.]+) s/.exec(output);
  if (ran.status !== 0 || !summary) throw new Error(`idemflow run ${args.join(' ')}: exit ${ran.status}: ${output}`);
  const number = (s: string | undefined) => Number(s?.replaceAll(',', ''));
  const records = number(summary[1]);
  const rows = number(new RegExp(`${expected.sink}: ([\\d,]+) rows written`).exec(output)?.[1]);
  const shares = [...output.matchAll(/worker \S+: ([\d,]+) records/g)].map((m) => number(m[1]));
  const { records: n } = expected;
  if (records !== n) throw new Error(`${args.join(' ')}: ${records} records, expected ${n}`);
  if (master && shares.reduce((a, b) => a + b, 0) !== n) throw new Error(`workers' shares ${shares.join('+')} ≠ ${n}`);
  if (master ? rows !== expected.rows : !(rows >= expected.rows))
    throw new Error(`${args.join(' ')}: ${rows} rows in ${expected.sink}, expected ${expected.rows}`);
  const runRate = n / Number(summary[2]);
  if (!master) return { runRate, rate: runRate, note: '' };
  const jobMs = await lastJobMs(master);
  return { runRate, rate: (n * 1000) / jobMs, note: `job ${jobMs} ms, shares ${shares.join('/')}` };
}

/** `run` arguments for the cluster at parallelism `p`, with the first `p` workers. */
const onCluster = (master: string, workers: readonly { address: string }[], p: number) => [
  ...['--runner', 'beam-flink', '--flink-master', master, '--environment', 'external'],
  ...[
    '--workers',
    workers
      .slice(0, p)
      .map((w) => w.address)
      .join(','),
    '--parallelism',
    String(p),
  ],
];

/**
 * One small job at parallelism 2 before anything is measured, so that both TaskManagers and both workers
 * have run one: a fresh cluster's first job on a TaskManager pays for its JVM's class loading and JIT
 * (here a 2e5-record count took 25 s as the cluster's first job and 3.2 s as its third), which a
 * long-lived session cluster pays once. Measured without it, p1 ran first on one TaskManager and p2 then
 * paid for the other's.
 */
async function warmUp(keyspace: string, cluster: (p: number) => string[], master: string): Promise<void> {
  const n = 20_000;
  log(`warming the cluster up: one ${n}-record count at parallelism 2, not measured`);
  await runOnce(
    countPipeline(n, keyspace),
    { records: n, sink: `${keyspace}\\.counts`, rows: keys },
    cluster(2),
    master,
  );
}

/** The count pipeline at each size: local, p1, p2. Returns [p1/local, p2/p1] at the last size. */
async function countRuns(
  sizes: readonly number[],
  keyspace: string,
  cluster: (p: number) => string[],
  master: string,
): Promise<number[]> {
  log(`the count pipeline (${keys} keys, into Cassandra): local runner, then the cluster with 1 and 2 workers`);
  log(
    `${'events'.padStart(8)} ${'local ev/s'.padStart(12)} ${'p1 job ev/s'.padStart(12)} ${'p2 job ev/s'.padStart(12)}`,
  );
  let ratios = [NaN, NaN];
  for (const n of sizes) {
    const file = countPipeline(n, keyspace);
    const expected = { records: n, sink: `${keyspace}\\.counts`, rows: keys };
    const local = await runOnce(file, expected, ['--quiet']);
    const p1 = await runOnce(file, expected, cluster(1), master);
    const p2 = await runOnce(file, expected, cluster(2), master);
    ratios = [p1.rate / local.rate, p2.rate / p1.rate];
    log(
      `${n.toExponential(0).padStart(8)} ${fmtRate(local.rate).padStart(12)} ${fmtRate(p1.rate).padStart(12)} ${fmtRate(p2.rate).padStart(12)}`,
    );
    log(`  p1: ${p1.note}, run ${fmtRate(p1.runRate)} ev/s; p2: ${p2.note}, run ${fmtRate(p2.runRate)} ev/s`);
  }
  return ratios;
}

/** The waiting pipeline at p1 and p2: what two workers give when the work is waiting, not CPU. */
async function waitingRuns(keyspace: string, cluster: (p: number) => string[], master: string): Promise<string> {
  const file = waitingPipeline(keyspace);
  const { records, requestMs, rowsPerRequest } = waiting;
  const expected = { records, sink: 'slow-service', rows: records };
  const p1 = await runOnce(file, expected, cluster(1), master);
  const p2 = await runOnce(file, expected, cluster(2), master);
  log(
    `waiting pipeline (${records} records to a sink of ${requestMs} ms a request of ${rowsPerRequest} rows): p1 job ${fmtRate(p1.rate)} ev/s (${p1.note}), p2 job ${fmtRate(p2.rate)} ev/s (${p2.note})`,
  );
  return `waiting_p2_vs_p1=${fmtRatio(p2.rate / p1.rate)}`;
}

export async function benchFlinkCluster(options: { sizes?: readonly number[] } = {}): Promise<string> {
  const sizes = options.sizes ?? [1e6];
  const keyspace = `bench_flink_${process.pid}`;
  const { master, stop } = await ownCluster();
  const workers: { address: string; child: ChildProcess }[] = [];
  try {
    workers.push(...(await Promise.all([startWorker(), startWorker()])));
    const cluster = (p: number) => onCluster(master, workers, p);
    await warmUp(keyspace, cluster, master);
    const [perWorker, scaling] = await countRuns(sizes, keyspace, cluster, master);
    // Its own line, before the last: the last line's format is the issue's.
    process.stdout.write(`${await waitingRuns(keyspace, cluster, master)}\n`);
    return `flink_vs_local=${fmtRatio(perWorker!)} p2_vs_p1=${fmtRatio(scaling!)}`;
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    for (const f of files.splice(0)) rmSync(f, { force: true });
    stop();
    await dropKeyspace(keyspace);
  }
}

/** The bench's keyspace, dropped once it is done (its runs created it). */
async function dropKeyspace(keyspace: string): Promise<void> {
  const client = new Client({ contactPoints: [cassandra], localDataCenter: 'datacenter1' });
  try {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  } finally {
    await client.shutdown();
  }
}
