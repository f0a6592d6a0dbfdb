import { describe, expect, it } from 'vitest';
import { BuildError, cassandra, embedded, sink, sliding, source, tumbling } from 'idemflow';
import { serializePipeline } from '../../compiler/index.ts';
import { kafka, Reading, readings } from '../helpers/fixtures.ts';

const upsert = embedded.upsert({ table: 't', key: { s: 'key', ts: 'windowStart' }, values: { n: 'value' } });

describe('builders are immutable', () => {
  it('each call returns a new builder and leaves the old one as it was', () => {
    const base = source.memory(readings);
    const a = base
      .filter((e) => e.value > 1)
      .groupBy('sensorId')
      .count()
      .sink(embedded.upsert({ table: 'a', key: { s: 'key' }, values: { n: 'value' } }));
    const b = base
      .groupBy('sensorId')
      .count()
      .sink(embedded.upsert({ table: 'b', key: { s: 'key' }, values: { n: 'value' } }));
    expect(a.ir.steps.map((s) => s.kind)).toEqual(['Filter', 'GroupBy', 'Aggregate']);
    expect(b.ir.steps.map((s) => s.kind)).toEqual(['GroupBy', 'Aggregate']);
    expect(Object.isFrozen(a.ir)).toBe(true);
    expect(Object.isFrozen(a.ir.steps)).toBe(true);
    expect(() => (a.ir.steps as unknown as unknown[]).push({})).toThrow();
  });

  it('named returns a renamed copy', () => {
    const p = source.memory(readings).groupBy('sensorId').count().sink(upsert);
    const q = p.named('renamed');
    expect(q.name).toBe('renamed');
    expect(p.name).toBe('builders.test');
  });
});

describe('the IR', () => {
  it('is JSON: functions keep their source text, live references and data are left out', () => {
    const p = source
      .kafka(kafka)
      .parse(Reading)
      .archive(cassandra.systemOfRecord({ keyspace: 'k', table: 'events', id: 'eventId' }))
      .withEventTime((e) => e.ts)
      .window(sliding({ minutes: 10 }, { minutes: 5 }))
      .groupBy((e) => e.sensorId)
      .avg('value')
      .sink(
        cassandra.upsert({ keyspace: 'k', table: 'avgs', key: { s: 'key', w: 'windowStart' }, values: { v: 'value' } }),
      );
    const json = JSON.parse(serializePipeline(p.ir));
    expect(json.kind).toBe('Pipeline');
    expect(json.source).toMatchObject({
      kind: 'Source',
      connector: 'kafka',
      delivery: 'offsets',
      options: { topic: 'readings' },
    });
    expect(json.steps.map((s: { kind: string }) => s.kind)).toEqual([
      'Parse',
      'Archive',
      'EventTime',
      'Window',
      'GroupBy',
      'Aggregate',
    ]);
    expect(json.steps[2].fn).toEqual({ kind: 'Fn', source: '(e) => e.ts' });
    expect(json.steps[3]).toMatchObject({ type: 'sliding', sizeMs: 600_000, slideMs: 300_000 });
    expect(json.steps[4].by).toEqual({ type: 'fn', fn: { kind: 'Fn', source: '(e) => e.sensorId' } });
    expect(json.sink.key).toEqual([
      { kind: 'Column', column: 's', from: { type: 'field', field: 'key' } },
      { kind: 'Column', column: 'w', from: { type: 'field', field: 'windowStart' } },
    ]);
    expect(json.steps[0].schema).toBeUndefined();
    expect(json.steps[0].vendor).toBe('zod');
    expect(json.steps[4].location.file).toMatch(/builders\.test\.ts$/);
  });

  it('keeps the live functions for runners', () => {
    const p = source
      .memory(readings)
      .map((e) => ({ ...e, value: e.value * 10 }))
      .groupBy('sensorId')
      .count()
      .sink(upsert);
    const map = p.ir.steps[0];
    expect(map?.kind).toBe('Map');
    if (map?.kind === 'Map')
      expect((map.fn.fn as (e: { value: number }) => { value: number })({ value: 2 }).value).toBe(20);
    expect(p.ir.source.records?.()).toHaveLength(3);
  });
});

describe('bad DSL arguments fail at build time, naming the argument', () => {
  const cases: [string, () => unknown, RegExp][] = [
    [
      'a table name with a dash',
      () => cassandra.upsert({ keyspace: 'k', table: 'sensor-counts', key: { s: 'key' }, values: { n: 'value' } }),
      /cassandra\.upsert: table "sensor-counts" is not a valid CQL identifier/,
    ],
    [
      'an empty keyspace',
      () => cassandra.counter({ keyspace: '', table: 't', key: { s: 'key' }, counter: 'n' }),
      /cassandra\.counter: keyspace "" is not a valid CQL identifier/,
    ],
    [
      'a column name with a quote',
      () => embedded.upsert({ table: 't', key: { 'a"b': 'key' }, values: { n: 'value' } }),
      /key column "a\\"b" is not a valid CQL identifier/,
    ],
    [
      'an empty key map',
      () => embedded.upsert({ table: 't', key: {}, values: { n: 'value' } }),
      /key must map at least one column/,
    ],
    ['a window of 0', () => tumbling(0), /tumbling: size must be a positive whole number of milliseconds, got 0/],
    ['a negative window unit', () => tumbling({ minutes: -1 }), /size\.minutes must be a non-negative number/],
    ['an unknown window unit', () => tumbling({ weeks: 1 } as never), /unknown unit "weeks"/],
    [
      'a slide longer than the window',
      () => sliding(1_000, 5_000),
      /slide \(5000 ms\) must not exceed size \(1000 ms\)/,
    ],
    [
      'a groupBy on a missing field of memory events',
      () => source.memory(readings).groupBy('sensor' as never),
      /groupBy: field "sensor" is not a field of the stream \(known fields: eventId, sensorId, ts, value\)/,
    ],
    [
      'a groupBy on a missing field of a parsed schema',
      () =>
        source
          .kafka(kafka)
          .parse(Reading)
          .groupBy('nope' as never),
      /field "nope" is not a field of the stream/,
    ],
    [
      'a sum of a missing field',
      () =>
        source
          .memory(readings)
          .groupBy('sensorId')
          .sum('nope' as never),
      /sum: field "nope" is not a field/,
    ],
    [
      'a window before event time',
      () => source.memory(readings).window(tumbling(1_000)),
      /window: windows are over event time: call \.withEventTime/,
    ],
    ['a WAL on Kafka', () => source.kafka(kafka).withWal({ dir: '/tmp/w' }), /Kafka sources replay from their offsets/],
    [
      'a WAL after a step',
      () =>
        source
          .socket({ host: 'h', port: 1 })
          .filter(() => true)
          .withWal({ dir: '/tmp/w' }),
      /must come right after the source/,
    ],
    [
      'a WAL acknowledge that is not a boolean',
      () => source.socket({ host: 'h', port: 1 }).withWal({ dir: '/tmp/w', acknowledge: 'yes' as never }),
      /acknowledge must be true or false, got "yes"/,
    ],
    ['a bad port', () => source.socket({ host: 'h', port: 70_000 }), /port must be at most 65535/],
    [
      'a bad broker',
      () => source.kafka({ brokers: ['nohost'], topic: 't', groupId: 'g' }),
      /brokers\[0\] must be "host:port"/,
    ],
    [
      'a bad topic',
      () => source.kafka({ brokers: ['h:1'], topic: 'a topic', groupId: 'g' }),
      /not a valid Kafka topic name/,
    ],
    ['parse without a schema', () => source.kafka(kafka).parse({} as never), /expects a Standard Schema/],
    [
      'archive into an upsert',
      () =>
        source.memory(readings).archive(embedded.upsert({ table: 't', key: { e: 'eventId' }, values: { v: 'value' } })),
      /archive: expects a system-of-record sink/,
    ],
    [
      'a custom sink without an idempotency claim',
      () => sink({ write: () => {} } as never),
      /idempotent must be true or false/,
    ],
    [
      'a negative retry count',
      () => embedded.upsert({ table: 't', key: { s: 'key' }, values: { n: 'value' }, retry: { retries: -1 } }),
      /retry must be 'none' or \{ retries: n >= 0/,
    ],
    [
      'a generator fraction above 1',
      () => source.generator({ duplicateFraction: 2 }),
      /duplicateFraction must be between 0 and 1/,
    ],
  ];
  for (const [name, build, message] of cases) {
    it(name, () => {
      let error: unknown;
      try {
        build();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BuildError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/\(at .*builders\.test\.ts:\d+:\d+\)$/);
    });
  }
});
