import { appendFileSync, writeFileSync } from 'node:fs';
import { cassandra, source, tumbling, type Pipeline } from 'idemflow';
import { Reading } from './fixtures.ts';

/**
 * Pipelines that differ only in the order of four steps around the archive:
 * E `.withEventTime()`, A `.archive()`, F `.filter()`, M `.map()`. The map
 * changes both the group key and the time field, so a repair that skips a
 * step, applies one twice or takes event time from the wrong record ends
 * with different rows than the stream.
 */
export type StepLetter = 'E' | 'A' | 'F' | 'M';

export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

export const everyOrder: readonly (readonly StepLetter[])[] = permutations<StepLetter>(['E', 'A', 'F', 'M']);

/** Orders repair cannot replay: event time taken before the map, which changes the record the archive keeps. */
export const unrepairable = (order: readonly StepLetter[]) =>
  order.indexOf('E') < order.indexOf('M') && order.indexOf('M') < order.indexOf('A');

const keep = (r: Reading) => r.value % 7 !== 3;
const shift = (r: Reading): Reading => ({ ...r, sensorId: r.sensorId.toUpperCase(), ts: r.ts + 45_000 });

export interface OrderTables {
  readonly keyspace: string;
  readonly events: string;
  readonly counts: string;
}

/** The pipeline for one order, reading a JSON-lines file. `cassandra.*` sinks use the embedded store when no Cassandra is given. */
export function orderedPipeline(
  order: readonly StepLetter[],
  input: string,
  tables: OrderTables,
  windowed = true,
): Pipeline {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the steps are chosen at run time, so the builder's type cannot follow
  let stream: any = source.file(input, { format: 'jsonl' }).parse(Reading);
  for (const step of order) {
    if (step === 'E') stream = stream.withEventTime((r: Reading) => r.ts);
    if (step === 'A')
      stream = stream.archive(
        cassandra.systemOfRecord({ keyspace: tables.keyspace, table: tables.events, id: 'eventId' }),
      );
    if (step === 'F') stream = stream.filter(keep);
    if (step === 'M') stream = stream.map(shift);
  }
  const typed = stream as ReturnType<typeof source.generator>;
  if (!windowed) {
    return typed
      .groupBy('sensorId')
      .count()
      .sink(
        cassandra.upsert({
          keyspace: tables.keyspace,
          table: tables.counts,
          key: { sensorid: 'key' },
          values: { measurements: 'value' },
        }),
      )
      .named(`order-${order.join('')}-unwindowed`);
  }
  return typed
    .window(tumbling({ minutes: 1 }))
    .groupBy('sensorId')
    .count()
    .sink(
      cassandra.upsert({
        keyspace: tables.keyspace,
        table: tables.counts,
        key: { sensorid: 'key', ts: 'windowStart' },
        values: { measurements: 'value' },
      }),
    )
    .named(`order-${order.join('')}`);
}

/** `count` readings over `sensors` sensors, 1.3 s apart (several per minute window), with ids unique to `prefix`. */
export function orderInput(path: string, count: number, prefix: string, sensors = 7, from = 0): Reading[] {
  const readings = Array.from({ length: count }, (_, n): Reading => {
    const i = from + n;
    return {
      eventId: `${prefix}-${i}`,
      sensorId: `s${(i * 5) % sensors}`,
      ts: Date.UTC(2024, 0, 1) + i * 1_300,
      value: i,
    };
  });
  (from === 0 ? writeFileSync : appendFileSync)(path, readings.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return readings;
}

/** The truth by a hand loop: distinct readings that pass the filter (if any), counted per (key, window) as the order defines them. */
export function orderTruth(
  order: readonly StepLetter[],
  readings: readonly Reading[],
  windowed = true,
): Map<string, number> {
  const truth = new Map<string, number>();
  const mapped = (r: Reading) => (order.includes('M') ? shift(r) : r);
  const timeAfterMap = order.indexOf('E') > order.indexOf('M');
  for (const r of readings) {
    if (order.includes('F') && !keep(r)) continue;
    const t = timeAfterMap ? mapped(r).ts : r.ts;
    const id = JSON.stringify(windowed ? [mapped(r).sensorId, Math.floor(t / 60_000) * 60_000] : [mapped(r).sensorId]);
    truth.set(id, (truth.get(id) ?? 0) + 1);
  }
  return truth;
}
