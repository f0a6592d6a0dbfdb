/**
 * Type-level tests: checked by `tsc --noEmit` (part of `npm test`). Each
 * `@ts-expect-error` fails the type check if the line below it compiles, so
 * these assert that mistakes are caught by TypeScript, not at run time.
 */
import { expectTypeOf } from 'vitest';
import { z } from 'zod';
import { cassandra, embedded, sink, source, tumbling, type AggregateRow, type Pipeline } from 'idemflow';

const Reading = z.object({ eventId: z.string(), sensorId: z.string(), ts: z.number(), value: z.number() });

const parsed = source.kafka({ brokers: ['127.0.0.1:9092'], topic: 'readings', groupId: 'g' }).parse(Reading);
expectTypeOf(parsed.groupBy('sensorId').count()).toHaveProperty('sink');

// The group key's type flows into the row: grouping by a string field gives string keys.
const windowed = parsed
  .withEventTime((e) => e.ts)
  .window(tumbling({ minutes: 1 }))
  .groupBy('sensorId');
windowed.count().sink(
  cassandra.upsert({
    keyspace: 'sensors',
    table: 'sensor_counts',
    key: { sensor_id: 'key', ts: 'windowStart' },
    values: { measurements: 'value' },
  }),
);

// A key function's return type becomes the row key.
parsed
  .groupBy((e) => e.sensorId.length)
  .sum('value')
  .sink(
    sink({
      write: (rows) => {
        expectTypeOf(rows[0]!).toEqualTypeOf<AggregateRow<number, number, false>>();
      },
      idempotent: true,
    }),
  );

// Custom aggregates carry their accumulator type.
parsed
  .groupBy('sensorId')
  .aggregate({ init: () => ({ n: 0 }), add: (a, e) => ({ n: a.n + e.value }), merge: (a, b) => ({ n: a.n + b.n }) })
  .sink(
    sink({
      write: (rows) => {
        expectTypeOf(rows[0]!.value).toEqualTypeOf<{ n: number }>();
      },
      idempotent: true,
    }),
  );

windowed.count().sink(
  cassandra.upsert({
    keyspace: 'sensors',
    table: 'sensor_counts',
    // @ts-expect-error: the row has no field `sensorId` (the group key is `key`).
    key: { sensor_id: 'sensorId', ts: 'windowStart' },
    values: { measurements: 'value' },
  }),
);

parsed
  .groupBy('sensorId')
  .count()
  .sink(
    embedded.upsert({
      table: 'sensor_counts',
      // @ts-expect-error: without .window() the row has no window bounds.
      key: { sensor_id: 'key', ts: 'windowStart' },
      values: { measurements: 'value' },
    }),
  );

// @ts-expect-error: grouping by a field the parsed record does not have.
parsed.groupBy('sensor');

// @ts-expect-error: sum needs a numeric field.
parsed.groupBy('sensorId').sum('sensorId');

// A Cassandra sink needs a keyspace.
parsed
  .groupBy('sensorId')
  .count()
  // @ts-expect-error: no keyspace.
  .sink(cassandra.upsert({ table: 't', key: { k: 'key' }, values: { v: 'value' } }));

// A counter needs numeric values: a custom aggregate of objects cannot feed one.
parsed
  .groupBy('sensorId')
  .aggregate({ init: () => ({ n: 0 }), add: (a) => a, merge: (a) => a })
  .sink(
    // @ts-expect-error: counter sinks add numbers.
    cassandra.counter({ keyspace: 'k', table: 't', key: { k: 'key' }, counter: 'c' }),
  );

// The archive's id must be a field of the raw event.
parsed.archive(cassandra.systemOfRecord({ keyspace: 'k', table: 'events', id: 'eventId' }));
// @ts-expect-error: no such field on the event.
parsed.archive(cassandra.systemOfRecord({ keyspace: 'k', table: 'events', id: 'eventid' }));

expectTypeOf(
  parsed
    .groupBy('sensorId')
    .count()
    .sink(sink({ write: () => {}, idempotent: true })),
).toEqualTypeOf<Pipeline>();
