/**
 * `npm run bench -- runners`: the same pipeline (memory source → groupBy →
 * count → memory sink, 1,000 keys) on every registered runner (the local
 * runner, Beam's DirectRunner and Flink through Beam's job server), at 1e4 and 1e5 events, each in a
 * fresh process. Prints events/s and the ratios to the local runner; the
 * last line is `beam_direct_vs_local=<ratio> beam_flink_vs_local=<ratio>` at
 * the largest size. Beam's figures include submitting the job (for Flink:
 * translation, scheduling and the worker's connection), as a user sees them.
 */
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRunner, runnerNames, type RunnerName } from '../compiler/runner-catalogue.ts';
import { fmtRate, fmtRatio, measureInChild, reportChild } from './measure.ts';

const keys = 1_000;
const self = fileURLToPath(import.meta.url);
/** Every registered runner; ratios are to the default (local) runner, which comes first. */
const kinds: readonly RunnerName[] = [defaultRunner, ...runnerNames.filter((r) => r !== defaultRunner)];

async function child(kind: RunnerName, n: number): Promise<void> {
  const { source, sinks } = await import('../dsl/index.ts');
  const { EmbeddedStore } = await import('../connectors/embedded/store.ts');
  const events = Array.from({ length: n }, (_, i) => ({ sensorId: `sensor-${i % keys}`, value: i & 7 }));
  const pipeline = source.memory(events).groupBy('sensorId').count().sink(sinks.memory());
  const store = new EmbeddedStore(join(tmpdir(), 'idemflow-bench-runners'));
  // Modules load before the clock starts: what is timed is the run.
  const { loadRunner } = await import('../runners/registry.ts');
  const runner = await loadRunner(kind);
  await reportChild(kind, n, async () => {
    // batchSize is the local runner's; a Beam job takes its bounded input whole.
    const { memory } = await runner.run(pipeline.ir, { store, batchSize: 10_000, log: () => {} });
    const rows = [...(memory.get('memory')?.values() ?? [])] as { value: number }[];
    return { check: rows.reduce((a, r) => a + r.value, 0), note: `${rows.length} keys` };
  });
}

export async function benchRunners(options: { sizes?: readonly number[] } = {}): Promise<string> {
  const sizes = options.sizes ?? [1e4, 1e5];
  const log = (s: string) => process.stderr.write(`${s}\n`);
  // One job server for every Flink measurement, as `scripts/services up` keeps it: its start-up is not the runner's cost.
  const { up } = await import('../scripts/servers/service.ts');
  const { flinkJobServer } = await import('../scripts/servers/flink-job-server.ts');
  await up(flinkJobServer, log);
  const others = kinds.slice(1);
  log(`the same count pipeline (${keys} keys) on ${kinds.length} runners; each measurement in a fresh process`);
  log(
    `${'events'.padStart(8)} ${kinds.map((k) => `${k} ev/s`.padStart(17)).join(' ')} ${others.map((k) => `${k}/${defaultRunner}`.padStart(18)).join(' ')}`,
  );
  let ratios: number[] = others.map(() => NaN);
  for (const n of sizes) {
    const measured = kinds.map((k) => measureInChild(self, k, n));
    for (const m of measured)
      if (m.check !== n) throw new Error(`${m.kind} at ${n}: counted ${m.check}, expected ${n}`);
    const [base, ...rest] = measured;
    ratios = rest.map((m) => m.eventsPerSecond / base!.eventsPerSecond);
    log(
      `${n.toExponential(0).padStart(8)} ${measured.map((m) => fmtRate(m.eventsPerSecond).padStart(17)).join(' ')} ${ratios.map((r) => fmtRatio(r).padStart(18)).join(' ')}`,
    );
  }
  // e.g. `beam_direct_vs_local=0.05 beam_flink_vs_local=0.02`
  const key = (name: string) => name.replace(/-/g, '_');
  return others.map((k, i) => `${key(k)}_vs_${key(defaultRunner)}=${fmtRatio(ratios[i]!)}`).join(' ');
}

if (process.argv[2] === '--child') {
  const kind = kinds.find((k) => k === process.argv[3]);
  if (kind === undefined) throw new Error(`bench runners: no runner ${process.argv[3]}; one of ${kinds.join(', ')}`);
  await child(kind, Number(process.argv[4]));
}
