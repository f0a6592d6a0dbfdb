/**
 * `npm run bench -- flink-cluster`: one count pipeline (generator → groupBy
 * → count → a Cassandra upsert, 1,000 keys) on the local runner, then on the
 * Flink session cluster of `scripts/services up flink-cluster` (started if
 * needed, stopped after if this started it) with its SDK workers in
 * `idemflow worker` processes (`--environment external`) at parallelism 1
 * (one worker) and 2 (two), each run in a fresh `idemflow run`, all on the
 * same input in the same bench. A run's summary gives its records, each
 * worker's share and the rows written (the check), and its time; for the
 * cluster, the job's own time as the JobManager's REST API reports it is
 * the figure compared, since each run starts a job server of its own first
 * (tens of seconds under load, a cost the local runner does not have). The
 * last line is `flink_vs_local=<ratio per worker> p2_vs_p1=<ratio>` at the
 * largest size: the job at parallelism 1 (one worker) against the local
 * run, and the job at parallelism 2 against the job at parallelism 1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtRate, fmtRatio } from './measure.ts';

const keys = 1_000;
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'bin/idemflow.js');
const cassandra = process.env.IDEMFLOW_CASSANDRA || '127.0.0.1';
const log = (s: string) => process.stderr.write(`${s}\n`);

/** The pipeline module the workers import (under the repository, so that it resolves 'idemflow'). */
function pipelineFile(n: number, keyspace: string): string {
  const file = join(root, `bench/results/flink-cluster-${process.pid}-${n}.tmp.ts`);
  writeFileSync(
    file,
    `import { cassandra, source } from 'idemflow';
export default source.generator({ seed: 7, count: ${n}, keys: ${keys}, intervalMs: 1 })
  .groupBy('sensorId')
  .count()
  .sink(cassandra.upsert({ keyspace: '${keyspace}', table: 'counts', key: { sensorid: 'key' }, values: { n: 'value' } }))
  .named('bench-flink-cluster');
`,
  );
  return file;
}

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

/** One `idemflow run`, checked: every record read and counted, every key written once. */
async function runOnce(n: number, file: string, args: readonly string[], master?: string): Promise<Ran> {
  const ran = spawnSync(process.execPath, [cli, 'run', file, '--cassandra', cassandra, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${ran.stdout}${ran.stderr}`;
  const summary = /([\d,]+) records (?:on \S+|in \d+ batches), ([\d.]+) s/.exec(output);
  if (ran.status !== 0 || !summary) throw new Error(`idemflow run ${args.join(' ')}: exit ${ran.status}: ${output}`);
  const records = Number(summary[1]!.replaceAll(',', ''));
  const rows = Number(/\.counts: ([\d,]+) rows written/.exec(output)?.[1]?.replaceAll(',', ''));
  const shares = [...output.matchAll(/worker \S+: ([\d,]+) records/g)].map((m) => Number(m[1]!.replaceAll(',', '')));
  if (records !== n) throw new Error(`${args.join(' ')}: ${records} records, expected ${n}`);
  if (master && shares.reduce((a, b) => a + b, 0) !== n) throw new Error(`workers' shares ${shares.join('+')} ≠ ${n}`);
  if (master ? rows !== keys : rows < keys) throw new Error(`${args.join(' ')}: ${rows} rows for ${keys} keys`);
  const runRate = n / Number(summary[2]);
  if (!master) return { runRate, rate: runRate, note: '' };
  const jobMs = await lastJobMs(master);
  return { runRate, rate: (n * 1000) / jobMs, note: `job ${jobMs} ms, shares ${shares.join('/')}` };
}

export async function benchFlinkCluster(options: { sizes?: readonly number[] } = {}): Promise<string> {
  const sizes = options.sizes ?? [1e6];
  const { up, down } = await import('../scripts/servers/service.ts');
  const { flinkCluster } = await import('../scripts/servers/flink-cluster.ts');
  const { flinkRestPort } = await import('../scripts/servers/config.ts');
  const master = `127.0.0.1:${flinkRestPort}`;
  const started = await up(flinkCluster, log);
  const workers = await Promise.all([startWorker(), startWorker()]);
  const files: string[] = [];
  try {
    log(`the count pipeline (${keys} keys, into Cassandra): local runner, then the cluster with 1 and 2 workers`);
    log(
      `${'events'.padStart(8)} ${'local ev/s'.padStart(12)} ${'p1 job ev/s'.padStart(12)} ${'p2 job ev/s'.padStart(12)}`,
    );
    let ratios = [NaN, NaN];
    for (const n of sizes) {
      const file = pipelineFile(n, `bench_flink_${process.pid}`);
      files.push(file);
      const onCluster = (p: number) => [
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
      const local = await runOnce(n, file, ['--quiet']);
      const p1 = await runOnce(n, file, onCluster(1), master);
      const p2 = await runOnce(n, file, onCluster(2), master);
      ratios = [p1.rate / local.rate, p2.rate / p1.rate];
      log(
        `${n.toExponential(0).padStart(8)} ${fmtRate(local.rate).padStart(12)} ${fmtRate(p1.rate).padStart(12)} ${fmtRate(p2.rate).padStart(12)}`,
      );
      log(`  p1: ${p1.note}, run ${fmtRate(p1.runRate)} ev/s; p2: ${p2.note}, run ${fmtRate(p2.runRate)} ev/s`);
    }
    return `flink_vs_local=${fmtRatio(ratios[0]!)} p2_vs_p1=${fmtRatio(ratios[1]!)}`;
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    for (const f of files) rmSync(f, { force: true });
    if (started) await down(flinkCluster, log);
  }
}
