/**
 * `npm run bench -- runners`: the same pipeline (memory source → groupBy →
 * count → memory sink, 1,000 keys) on the local runner, Beam's DirectRunner
 * and Flink through Beam's job server, at 1e4 and 1e5 events, each in a
 * fresh process. Prints events/s and the ratios to the local runner; the
 * last line is `beam_direct_vs_local=<ratio> beam_flink_vs_local=<ratio>` at
 * the largest size. Beam's figures include submitting the job (for Flink:
 * translation, scheduling and the worker's connection), as a user sees them.
 */
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtRate, fmtRatio, measureInChild, reportChild } from './measure.ts';

const keys = 1_000;
const kinds = ['local', 'beam-direct', 'beam-flink'] as const;
const self = fileURLToPath(import.meta.url);

async function child(kind: string, n: number): Promise<void> {
  const { source, sinks } = await import('../dsl/index.ts');
  const { EmbeddedStore } = await import('../connectors/embedded/store.ts');
  const events = Array.from({ length: n }, (_, i) => ({ sensorId: `sensor-${i % keys}`, value: i & 7 }));
  const pipeline = source.memory(events).groupBy('sensorId').count().sink(sinks.memory());
  const store = new EmbeddedStore(join(tmpdir(), 'idemflow-bench-runners'));
  // Modules load before the clock starts: what is timed is the run.
  const { runLocal } = await import('../runners/local/engine.ts');
  const { beamDirectRunner, beamFlinkRunner } = await import('../runners/beam/beam-runner.ts');
  await reportChild(kind, n, async () => {
    const memory =
      kind === 'local'
        ? (await runLocal(pipeline.ir, { store, batchSize: 10_000, log: () => {} })).memory
        : (
            await (kind === 'beam-direct' ? beamDirectRunner : beamFlinkRunner).run(pipeline.ir, {
              store,
              log: () => {},
            })
          ).memory;
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
  log(`the same count pipeline (${keys} keys) on three runners; each measurement in a fresh process`);
  log(
    `${'events'.padStart(8)} ${kinds.map((k) => `${k} ev/s`.padStart(17)).join(' ')} ${'direct/local'.padStart(13)} ${'flink/local'.padStart(12)}`,
  );
  let last = { direct: NaN, flink: NaN };
  for (const n of sizes) {
    const [local, direct, flink] = kinds.map((k) => measureInChild(self, k, n));
    for (const m of [local!, direct!, flink!])
      if (m.check !== n) throw new Error(`${m.kind} at ${n}: counted ${m.check}, expected ${n}`);
    last = {
      direct: direct!.eventsPerSecond / local!.eventsPerSecond,
      flink: flink!.eventsPerSecond / local!.eventsPerSecond,
    };
    log(
      `${n.toExponential(0).padStart(8)} ${[local!, direct!, flink!].map((m) => fmtRate(m.eventsPerSecond).padStart(17)).join(' ')} ${fmtRatio(last.direct).padStart(13)} ${fmtRatio(last.flink).padStart(12)}`,
    );
  }
  return `beam_direct_vs_local=${fmtRatio(last.direct)} beam_flink_vs_local=${fmtRatio(last.flink)}`;
}

if (process.argv[2] === '--child') await child(process.argv[3]!, Number(process.argv[4]));
