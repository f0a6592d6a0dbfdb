/**
 * `npm run bench -- memory`: bounded memory over many windows. The generator
 * streams events lazily (1,000 sensors, one event every 10 ms of event time,
 * so 1e7 events span 27.8 hours: 1,667 one-minute windows and 1.67 million
 * (sensor, minute) aggregates written) through withEventTime → tumbling
 * window → count → a sink that keeps nothing, in a fresh process per size.
 * The runner holds only keys × open windows; peak RSS must not grow with the
 * number of events. The baseline, in the same run, is the same process doing
 * the same reading with no runner (a hand loop over the generator). Last line:
 * `rss_1e7_vs_1e6=<ratio>` (about 1 when memory is bounded).
 */
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtRate, measureInChild, reportChild } from './measure.ts';

const self = fileURLToPath(import.meta.url);
const settings = (count: number) => ({ seed: 1, count, keys: 1_000, intervalMs: 10 });

async function child(kind: string, n: number): Promise<void> {
  if (kind === 'hand') {
    const { generatedEvent } = await import('../runtime/sources/generator-source.ts');
    const s = { ...settings(n), startTs: Date.UTC(2024, 0, 1), lateFraction: 0, duplicateFraction: 0 };
    await reportChild(kind, n, async () => {
      // The same events, counted per (sensor, minute) and forgotten as each minute closes: the least a correct program holds.
      let open = new Map<string, number>();
      let minute = -1;
      let rows = 0;
      for (let i = 0; i < n; i++) {
        const { event } = generatedEvent(s, i);
        const m = Math.floor(event.ts / 60_000);
        if (m !== minute) {
          rows += open.size;
          open = new Map();
          minute = m;
        }
        open.set(event.sensorId, (open.get(event.sensorId) ?? 0) + 1);
      }
      return { check: n, note: `${rows + open.size} rows` };
    });
    return;
  }
  const { sink, source, tumbling } = await import('../dsl/index.ts');
  const { runLocal } = await import('../runners/local/engine.ts');
  const { EmbeddedStore } = await import('../connectors/embedded/store.ts');
  let rows = 0;
  let counted = 0;
  const pipeline = source
    .generator(settings(n))
    .withEventTime((e) => e.ts)
    .window(tumbling({ minutes: 1 }))
    .groupBy('sensorId')
    .count()
    .sink(
      sink({
        name: 'discard',
        idempotent: true,
        write: (batch) => {
          rows += batch.length;
          for (const r of batch) counted += r.value;
        },
      }),
    );
  await reportChild(kind, n, async () => {
    const result = await runLocal(pipeline.ir, {
      store: new EmbeddedStore(join(tmpdir(), 'idemflow-bench-memory')),
      batchSize: 10_000,
      log: () => {},
    });
    return { check: result.recordsIn, note: `${rows} rows written, ${counted} counted` };
  });
}

export async function benchMemory(options: { sizes?: readonly number[] } = {}): Promise<string> {
  const sizes = options.sizes ?? [1e5, 1e6, 1e7];
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(
    'bounded memory: generator → 1-minute tumbling windows → count, 1,000 sensors, 10 ms apart (1e7 events = 1,667 windows)',
  );
  log(
    `${'events'.padStart(8)} ${'hand ev/s'.padStart(12)} ${'RSS hand'.padStart(9)} ${'local ev/s'.padStart(12)} ${'RSS local'.padStart(10)}  rows written`,
  );
  const rss = new Map<number, number>();
  for (const n of sizes) {
    const hand = measureInChild(self, 'hand', n);
    const local = measureInChild(self, 'local', n);
    if (local.check !== n) throw new Error(`local at ${n}: read ${local.check} events`);
    rss.set(n, local.peakRssMb);
    log(
      `${n.toExponential(0).padStart(8)} ${fmtRate(hand.eventsPerSecond).padStart(12)} ${`${hand.peakRssMb.toFixed(0)} MB`.padStart(9)} ${fmtRate(local.eventsPerSecond).padStart(12)} ${`${local.peakRssMb.toFixed(0)} MB`.padStart(10)}  ${local.note}`,
    );
  }
  const largest = sizes.at(-1)!;
  const reference = rss.get(largest / 10) ?? rss.get(sizes[0]!)!;
  return `rss_${largest.toExponential(0).replace('+', '')}_vs_${(largest / 10).toExponential(0).replace('+', '')}=${(rss.get(largest)! / reference).toFixed(2)}`;
}

if (process.argv[2] === '--child') await child(process.argv[3]!, Number(process.argv[4]));
