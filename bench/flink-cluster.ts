/**
 * `npm run bench -- flink-cluster`: the count pipeline of `runners` (memory
 * source → groupBy → count → memory sink, 1,000 keys) on beam-flink twice,
 * each in a fresh process: with an embedded `[local]` Flink, and on the
 * session cluster of `scripts/services up flink-cluster` (started if needed,
 * and stopped after if this started it). Each run starts a job server of its
 * own, as `run --runner beam-flink` does without the shared one, so both
 * figures carry the same fixed cost; the cluster's job alone, as the
 * JobManager's REST API times it, is in its note. The
 * last line is `flink_cluster_vs_embedded=<ratio> cluster_job_vs_embedded=<ratio>`
 * at the largest size.
 */
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtRate, fmtRatio, measureInChild, reportChild, type Measurement } from './measure.ts';

const keys = 1_000;
const self = fileURLToPath(import.meta.url);
const kinds = ['embedded', 'cluster'] as const;

/** The duration (ms) of the newest job the JobManager at `rest` ran. */
async function lastJobMs(rest: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${rest}/jobs/overview`);
  const { jobs } = (await response.json()) as { jobs: { 'start-time': number; duration: number }[] };
  const newest = jobs.sort((a, b) => b['start-time'] - a['start-time'])[0];
  if (newest === undefined) throw new Error('the cluster lists no job');
  return newest.duration;
}

async function child(kind: (typeof kinds)[number], n: number): Promise<void> {
  const { source, sinks } = await import('../dsl/index.ts');
  const { EmbeddedStore } = await import('../connectors/embedded/store.ts');
  const { flinkRestPort } = await import('../scripts/servers/config.ts');
  const { loadRunner } = await import('../runners/registry.ts');
  const beamFlinkRunner = await loadRunner('beam-flink');
  const events = Array.from({ length: n }, (_, i) => ({ sensorId: `sensor-${i % keys}`, value: i & 7 }));
  const pipeline = source.memory(events).groupBy('sensorId').count().sink(sinks.memory());
  const store = new EmbeddedStore(join(tmpdir(), 'idemflow-bench-flink-cluster'));
  const flinkMaster = kind === 'cluster' ? `127.0.0.1:${flinkRestPort}` : undefined;
  await reportChild(kind, n, async () => {
    const { memory } = await beamFlinkRunner.run(pipeline.ir, { store, flinkMaster, log: () => {} });
    const rows = [...(memory.get('memory')?.values() ?? [])] as { value: number }[];
    const job = kind === 'cluster' ? ` job ${await lastJobMs(flinkRestPort)} ms` : '';
    return { check: rows.reduce((a, r) => a + r.value, 0), note: `${rows.length} keys${job}` };
  });
}

const jobMs = (m: Measurement) => Number(/job (\d+) ms/.exec(m.note ?? '')?.[1]);

export async function benchFlinkCluster(options: { sizes?: readonly number[] } = {}): Promise<string> {
  const sizes = options.sizes ?? [1e5];
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const { up, down } = await import('../scripts/servers/service.ts');
  const { flinkCluster } = await import('../scripts/servers/flink-cluster.ts');
  // Both kinds start a job server of their own (no shared one on port 1): the same fixed cost on each side.
  process.env.IDEMFLOW_FLINK_JOB_PORT = '1';
  const started = await up(flinkCluster, log);
  try {
    log(`the count pipeline (${keys} keys) on beam-flink: embedded [local] Flink, then the session cluster`);
    log(
      `${'events'.padStart(8)} ${'embedded ev/s'.padStart(15)} ${'cluster ev/s'.padStart(15)} ${'cluster job ev/s'.padStart(17)}`,
    );
    let ratios = [NaN, NaN];
    for (const n of sizes) {
      const [embedded, cluster] = kinds.map((k) => measureInChild(self, k, n));
      for (const m of [embedded!, cluster!])
        if (m.check !== n) throw new Error(`${m.kind} at ${n}: counted ${m.check}, expected ${n}`);
      const jobRate = (n * 1000) / jobMs(cluster!);
      ratios = [cluster!.eventsPerSecond / embedded!.eventsPerSecond, jobRate / embedded!.eventsPerSecond];
      log(
        `${n.toExponential(0).padStart(8)} ${fmtRate(embedded!.eventsPerSecond).padStart(15)} ${fmtRate(cluster!.eventsPerSecond).padStart(15)} ${fmtRate(jobRate).padStart(17)}`,
      );
    }
    return `flink_cluster_vs_embedded=${fmtRatio(ratios[0]!)} cluster_job_vs_embedded=${fmtRatio(ratios[1]!)}`;
  } finally {
    if (started) await down(flinkCluster, log);
  }
}

if (process.argv[2] === '--child') {
  const kind = kinds.find((k) => k === process.argv[3]);
  if (kind === undefined)
    throw new Error(`bench flink-cluster: no kind ${process.argv[3]}; one of ${kinds.join(', ')}`);
  await child(kind, Number(process.argv[4]));
}
