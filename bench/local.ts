/**
 * `npm run bench -- local`: memory source → groupBy → count → memory sink on
 * the local runner, against a hand-written Map loop (same process, same
 * array) and Apache Beam's TypeScript DirectRunner, at growing sizes with
 * 1,000 keys. Prints events/s, peak RSS and the ratios; the last line is
 * `local_vs_hand=<ratio at 1e6> local_vs_beam_direct=<ratio at 1e5>`.
 */
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtRate, fmtRatio, measureInChild, reportChild, type Measurement } from './measure.ts';

const keys = 1_000;
const self = fileURLToPath(import.meta.url);

function makeEvents(n: number) {
  const events = new Array<{ sensorId: string; value: number }>(n);
  for (let i = 0; i < n; i++) events[i] = { sensorId: `sensor-${i % keys}`, value: i & 7 };
  return events;
}

async function child(kind: string, n: number): Promise<void> {
  if (kind === 'hand') {
    const events = makeEvents(n);
    await reportChild(kind, n, async () => {
      const counts = new Map<string, number>();
      for (const e of events) counts.set(e.sensorId, (counts.get(e.sensorId) ?? 0) + 1);
      return { check: [...counts.values()].reduce((a, b) => a + b, 0) };
    });
  } else if (kind === 'local' || kind === 'local-generator') {
    const { source, sinks } = await import('../dsl/index.ts');
    const { runLocal } = await import('../runners/local/engine.ts');
    const { EmbeddedStore } = await import('../connectors/embedded/store.ts');
    const store = new EmbeddedStore(join(tmpdir(), 'idemflow-bench-store'));
    // The generator variant reads lazily: its RSS shows the runner's own footprint, bounded by keys.
    const pipeline =
      kind === 'local'
        ? source.memory(makeEvents(n)).groupBy('sensorId').count().sink(sinks.memory())
        : source.generator({ count: n, keys, seed: 1 }).groupBy('sensorId').count().sink(sinks.memory());
    await reportChild(kind, n, async () => {
      const result = await runLocal(pipeline.ir, { store, batchSize: 10_000, log: () => {} });
      const rows = [...(result.memory.get('memory')?.values() ?? [])] as { value: number }[];
      return { check: rows.reduce((a, r) => a + r.value, 0), note: `${rows.length} keys` };
    });
  } else if (kind === 'beam-direct') {
    const beam = await import('apache-beam');
    const { directRunner } = await import('apache-beam/runners/direct_runner');
    const { count } = await import('apache-beam/transforms/combiners');
    const events = makeEvents(n);
    const out: { n: number }[] = [];
    // Beam serialises closures; a global is how a DirectRunner pipeline hands results back in-process.
    (globalThis as Record<string, unknown>).__idemflowBenchOut = out;
    await reportChild(kind, n, async () => {
      await directRunner().run((root) => {
        // Beam's groupBy().combining() is declared returning `any`; this is Beam's own pipeline, the baseline.
        // eslint-disable-next-line @typescript-eslint/no-unsafe-call -- see above
        root
          .apply(beam.create(events))
          .apply(beam.groupBy('sensorId').combining('sensorId', count, 'n'))
          // eslint-disable-next-line @typescript-eslint/no-unsafe-member-access -- see above
          .map(
            (row: unknown) => void ((globalThis as Record<string, unknown>).__idemflowBenchOut as unknown[]).push(row),
          );
      });
      return { check: out.reduce((a, r) => a + r.n, 0) };
    });
  }
}

export async function benchLocal(
  options: { sizes?: readonly number[]; beamSizes?: readonly number[] } = {},
): Promise<string> {
  const sizes = options.sizes ?? [1e4, 1e5, 1e6, 1e7];
  const beamSizes = options.beamSizes ?? [1e4, 1e5];
  const rows: Measurement[][] = [];
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`local runner vs a hand-written Map loop vs Beam DirectRunner: count per key, ${keys} keys`);
  log(
    `${'events'.padStart(10)} ${'hand ev/s'.padStart(14)} ${'local ev/s'.padStart(14)} ${'local/hand'.padStart(10)} ${'beam ev/s'.padStart(10)} ${'local/beam'.padStart(10)} ${'RSS hand'.padStart(9)} ${'RSS local'.padStart(9)}`,
  );
  const ratios = new Map<number, { hand: number; beam?: number }>();
  for (const n of sizes) {
    const hand = measureInChild(self, 'hand', n);
    const local = measureInChild(self, 'local', n);
    for (const m of [hand, local])
      if (m.check !== n) throw new Error(`${m.kind} at ${n}: counted ${m.check}, expected ${n}`);
    const beam = beamSizes.includes(n) ? measureInChild(self, 'beam-direct', n) : undefined;
    if (beam && beam.check !== n) throw new Error(`beam at ${n}: counted ${beam.check}`);
    const r = {
      hand: local.eventsPerSecond / hand.eventsPerSecond,
      beam: beam ? local.eventsPerSecond / beam.eventsPerSecond : undefined,
    };
    ratios.set(n, r);
    rows.push([hand, local, ...(beam ? [beam] : [])]);
    log(
      `${n.toExponential(0).padStart(10)} ${fmtRate(hand.eventsPerSecond).padStart(14)} ${fmtRate(local.eventsPerSecond).padStart(14)} ${fmtRatio(r.hand).padStart(10)} ${(beam ? fmtRate(beam.eventsPerSecond) : '—').padStart(10)} ${(r.beam ? fmtRatio(r.beam) : '—').padStart(10)} ${`${hand.peakRssMb.toFixed(0)} MB`.padStart(9)} ${`${local.peakRssMb.toFixed(0)} MB`.padStart(9)}`,
    );
  }
  const largest = sizes.at(-1)!;
  const lazy = measureInChild(self, 'local-generator', largest);
  log(
    `generator source (lazy input) at ${largest.toExponential(0)}: ${fmtRate(lazy.eventsPerSecond)} ev/s, peak RSS ${lazy.peakRssMb.toFixed(0)} MB (${lazy.note}): the runner's memory is bounded by keys, not events`,
  );
  const at = (n: number) =>
    ratios.get(n) ?? ratios.get(sizes.find((s) => ratios.get(s)?.beam !== undefined) ?? sizes[0]!)!;
  const handRatio = (ratios.get(1e6) ?? ratios.get(largest)!).hand;
  const beamRatio = ratios.get(1e5)?.beam ?? at(beamSizes[0]!).beam ?? NaN;
  return `local_vs_hand=${fmtRatio(handRatio)} local_vs_beam_direct=${fmtRatio(beamRatio)}`;
}

if (process.argv[2] === '--child') await child(process.argv[3]!, Number(process.argv[4]));
