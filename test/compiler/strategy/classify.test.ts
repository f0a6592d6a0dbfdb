import { describe, expect, it } from 'vitest';
import { cassandra, embedded, sink, source, tumbling } from 'idemflow';
import { classify, compile } from '../../../compiler/index.ts';
import { kafka, Reading, readings, socket } from '../../helpers/fixtures.ts';

const upsert = cassandra.upsert({
  keyspace: 'k',
  table: 't',
  key: { s: 'key', ts: 'windowStart' },
  values: { n: 'value' },
});
const counter = cassandra.counter({ keyspace: 'k', table: 'c', key: { s: 'key' }, counter: 'n' });
const sor = cassandra.systemOfRecord({ keyspace: 'k', table: 'events', id: 'eventId' });
const win = tumbling(60_000);

describe('strategy classification', () => {
  const cases: [string, () => { ir: Parameters<typeof classify>[0] }][] = [
    ['counters', () => source.memory(readings).groupBy('sensorId').count().sink(counter)],
    [
      'counters-wal',
      () => source.socket(socket).withWal({ dir: 'w' }).parse(Reading).groupBy('sensorId').count().sink(counter),
    ],
    ['counters-direct', () => source.kafka(kafka).parse(Reading).groupBy('sensorId').count().sink(counter)],
    // A counter cannot be repaired by replay, so a system of record does not lift it out of its row.
    [
      'counters-direct',
      () => source.kafka(kafka).parse(Reading).archive(sor).groupBy('sensorId').count().sink(counter),
    ],
    [
      'counters',
      () =>
        source
          .memory(readings)
          .groupBy('sensorId')
          .count()
          .sink(sink({ write: () => {}, idempotent: false })),
    ],
    [
      'aggregates',
      () =>
        source
          .socket(socket)
          .parse(Reading)
          .withEventTime((e) => e.ts)
          .window(win)
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    ],
    [
      'aggregates-wal',
      () =>
        source
          .socket(socket)
          .withWal({ dir: 'w' })
          .parse(Reading)
          .withEventTime((e) => e.ts)
          .window(win)
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    ],
    [
      'aggregates-direct',
      () =>
        source
          .kafka(kafka)
          .parse(Reading)
          .withEventTime((e) => e.ts)
          .window(win)
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    ],
    [
      'aggregates-sor',
      () =>
        source
          .socket(socket)
          .parse(Reading)
          .archive(sor)
          .withEventTime((e) => e.ts)
          .window(win)
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    ],
    [
      'aggregates-sor-wal',
      () =>
        source
          .socket(socket)
          .withWal({ dir: 'w' })
          .parse(Reading)
          .archive(sor)
          .withEventTime((e) => e.ts)
          .window(win)
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    ],
    [
      'aggregates-sor-direct',
      () =>
        source
          .kafka(kafka)
          .parse(Reading)
          .archive(sor)
          .withEventTime((e) => e.ts)
          .window(win)
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    ],
    [
      'aggregates-sor-direct',
      () =>
        source
          .kafka(kafka)
          .parse(Reading)
          .sink(embedded.systemOfRecord({ table: 'events', id: 'eventId' })),
    ],
  ];
  for (const [expected, build] of cases) {
    it(`${expected}: ${build.toString().slice(6, 90)}…`, () => {
      const { strategy, reasons } = classify(build().ir);
      expect(strategy.id).toBe(expected);
      expect(reasons.length).toBeGreaterThanOrEqual(3);
    });
  }

  it('gives the reasons that decided the row', () => {
    const { reasons } = classify(
      source.kafka(kafka).parse(Reading).archive(sor).groupBy('sensorId').count().sink(counter).ir,
    );
    expect(reasons.join('\n')).toMatch(/counter/);
    expect(reasons.join('\n')).toMatch(/a counter cannot be repaired by replay/);
  });
});

describe('compile', () => {
  it('orders diagnostics errors first and fills every message', () => {
    const result = compile(source.socket(socket).parse(Reading).groupBy('sensorId').count().sink(counter).ir);
    expect(result.diagnostics.map((d) => `${d.severity}:${d.code}`)).toEqual([
      'error:IDEM001',
      'warning:IDEM005',
      'note:IDEM006',
    ]);
    for (const d of result.diagnostics) expect(d.message).not.toMatch(/\{\{|\}\}/);
  });
});
