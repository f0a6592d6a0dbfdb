import { describe, expect, it } from 'vitest';
import { deadLetterSink } from '../../compiler/ir/index.ts';
import { embedded, sliding, source, tumbling } from '../../dsl/index.ts';
import { compileRecordPath } from '../../runtime/record-path.ts';
import { compileRunPath } from '../../runtime/record-run.ts';
import { SensorReading } from '../../pipelines/schemas.ts';

/** `value` typed as a number, as the DSL asks of a summed field: some are not, which the steps must reject. */
type Reading = { eventId: string; sensorId: string | null; ts: unknown; value: number };
const sink = embedded.upsert({ table: 'out', key: { k: 'key', ts: 'windowStart' }, values: { v: 'value' } });

/** Readings that every step can trip on: a missing key, a bad time, a value that is not a number, a throwing function. */
const readings = [
  { eventId: 'a', sensorId: 's1', ts: 1_000, value: 1 },
  { eventId: 'b', sensorId: 's2', ts: new Date(61_000), value: '2.5' },
  { eventId: 'c', sensorId: null, ts: 2_000, value: 3 },
  { eventId: 'd', sensorId: 's1', ts: 'soon', value: 4 },
  { eventId: 'e', sensorId: 's3', ts: 3_000, value: 'many' },
  { eventId: 'boom', sensorId: 's1', ts: 4_000, value: 5 },
  { eventId: 'f', sensorId: 's2', ts: -5, value: -1 },
  { eventId: 'g', sensorId: 's1', ts: 120_001, value: 0 },
] as unknown as Reading[];

const pipelines = {
  'event time, window, group by a field, count': () =>
    source
      .memory(readings)
      .withEventTime((r) => r.ts as number)
      .window(tumbling(60_000))
      .groupBy('sensorId')
      .count(),
  'map, filter and a throwing step before a sum by a key function': () =>
    source
      .memory(readings)
      .map((r) => {
        if (r.eventId === 'boom') throw new Error('boom');
        return { ...r, sensorId: r.sensorId && r.sensorId.toUpperCase() };
      })
      .filter((r) => r.eventId !== 'a')
      .withEventTime((r) => r.ts as number)
      .window(sliding(120_000, 60_000))
      .groupBy((r) => `${r.sensorId}/${typeof r.value}`)
      .sum('value'),
  'no event time: a filter that throws, then max by a field': () =>
    source
      .memory(readings)
      .filter((r) => {
        if (r.eventId === 'f') throw new Error('no f');
        return r.eventId !== 'b';
      })
      .groupBy('sensorId')
      .max('value'),
};

/** What the record path hands on, an event at a time: each keyed event, and each rejection's reason. */
function byRecordPath(pipeline: ReturnType<(typeof pipelines)[keyof typeof pipelines]>, events: readonly unknown[]) {
  const ir = pipeline.sink(sink).ir;
  const keyed: unknown[][] = [];
  const rejected: string[] = [];
  const path = compileRecordPath(
    ir,
    {
      deadLetter: (_sink, reason) => rejected.push(reason),
      archive: () => {},
      emit: () => {},
      aggregate: (key, t, event) => keyed.push([key, t, event]),
    },
    deadLetterSink('embedded', 'dead_letters'),
    new Map(),
  );
  events.forEach((e, i) => void path(e, i));
  return { keyed, rejected };
}

function byRunPath(pipeline: ReturnType<(typeof pipelines)[keyof typeof pipelines]>, events: readonly unknown[]) {
  const run = compileRunPath(pipeline.sink(sink).ir)!;
  const rejected: string[] = [];
  const { values, keys, times, n } = run(events, (reason) => rejected.push(reason));
  const keyed = Array.from({ length: n }, (_, i) => [
    keys[i],
    Number.isNaN(times[i]) ? undefined : times[i],
    values[i],
  ]);
  return { keyed, rejected };
}

describe('the steps over a whole run of events (repair reads a block at a time)', () => {
  for (const [name, pipeline] of Object.entries(pipelines)) {
    it(`${name}: the same keyed events, times and rejections as the record path, in order`, () => {
      const expected = byRecordPath(pipeline(), readings);
      expect(expected.keyed.length).toBeGreaterThan(0);
      expect(expected.rejected.length).toBeGreaterThan(0);
      const got = byRunPath(pipeline(), readings);
      expect(got.keyed).toEqual(expected.keyed);
      expect(got.rejected.sort()).toEqual(expected.rejected.sort());
      // Runs one after the other (the run is reused): each run's own events only.
      expect(byRunPath(pipeline(), readings.slice(0, 2)).keyed).toEqual(
        byRecordPath(pipeline(), readings.slice(0, 2)).keyed,
      );
    });
  }

  it('a group key field every object inherits: the event’s own or missing, on both paths (review of issue 19)', () => {
    const byConstructor = () => source.memory<{ constructor: string }>([]).groupBy('constructor').count();
    const events = readings.map((r, i) => (i % 2 === 0 ? (JSON.parse(`{"constructor":"c${i % 3}"}`) as unknown) : r));
    const expected = byRecordPath(byConstructor(), events);
    expect(expected.keyed.map(([key]) => key)).toEqual(['c0', 'c2', 'c1', 'c0']);
    expect(expected.rejected).toEqual(Array(4).fill('group key `constructor` is missing'));
    const got = byRunPath(byConstructor(), events);
    expect(got.keyed).toEqual(expected.keyed);
    expect(got.rejected).toEqual(expected.rejected);
  });

  it('every name an object inherits is read as the event’s own only; an ordinary field as before, inherited or not', () => {
    const groupedBy = (field: string) => source.memory<Record<string, string>>([]).groupBy(field).count();
    for (const field of ['constructor', '__proto__', 'toString']) {
      const owned = JSON.parse(`{${JSON.stringify(field)}:"g1"}`) as unknown;
      const { keyed, rejected } = byRecordPath(groupedBy(field), [{ sensor: 'a' }, owned, { sensor: 'b' }]);
      expect(keyed.map(([key]) => key)).toEqual(['g1']);
      expect(rejected).toEqual(Array(2).fill(`group key \`${field}\` is missing`));
    }
    const inherited = Object.create({ sensor: 'from-prototype' }) as unknown;
    const { keyed, rejected } = byRecordPath(groupedBy('sensor'), [{ sensor: 'a' }, inherited, { other: 1 }]);
    expect(keyed.map(([key]) => key)).toEqual(['a', 'from-prototype']);
    expect(rejected).toEqual(['group key `sensor` is missing']);
  });

  it('leaves to the record path a parse (its schema may answer later), a flatMap and an archive', () => {
    const withEventTime = <T extends { ts: number }>(s: ReturnType<typeof source.memory<T>>) =>
      s.withEventTime((r) => r.ts);
    const parse = source.memory(['{}']).parse(SensorReading);
    expect(compileRunPath(withEventTime(parse).groupBy('sensorId').count().sink(sink).ir)).toBeUndefined();
    const flat = source.memory([{ ts: 1, k: 'a' }]).flatMap((r) => [r, r]);
    expect(compileRunPath(withEventTime(flat).groupBy('k').count().sink(sink).ir)).toBeUndefined();
    const archived = source
      .memory([{ ts: 1, k: 'a', id: 'x' }])
      .archive(embedded.systemOfRecord({ table: 'events', id: 'id' }));
    expect(compileRunPath(withEventTime(archived).groupBy('k').count().sink(sink).ir)).toBeUndefined();
  });
});
