import { randomUUID } from 'node:crypto';
import { cassandra, embedded, source, tumbling } from 'idemflow';
import rule from '../../../compiler/rules/nondeterministic-key.ts';
import { lineOf, Reading, readings } from '../../helpers/fixtures.ts';
import { ruleTester } from '../../helpers/rule-tester.ts';
import { hashed, nodeAddress, partitioning, regionOf, salted } from '../../fixtures/call-graph/dsl/value-sources.ts';

const here = import.meta.url;
const upsert = embedded.upsert({
  table: 'sensor_counts',
  key: { sensor_id: 'key', ts: 'windowStart' },
  values: { measurements: 'value' },
});
const stream = () => source.memory(readings);

ruleTester(rule, {
  valid: [
    {
      name: 'a flatMap over a list sorted by a field, and elements whose clock-stamped copies are not what is grouped by',
      pipeline: () =>
        stream()
          .flatMap((e) =>
            [e.sensorId, 'spare']
              .sort((a, b) => a.localeCompare(b))
              .map((s) => ({ ...e, seenAt: Date.now(), s }))
              .map((copy) => ({ ...e, arm: copy.s })),
          )
          .groupBy('arm')
          .count()
          .sink(upsert),
    },
    {
      name: 'a getter that returns a field-made constant',
      pipeline: () =>
        stream()
          .groupBy((e) => `${partitioning.fixedPartition}/${e.sensorId}`)
          .count()
          .sink(embedded.upsert({ table: 't', key: { k: 'key' }, values: { n: 'value' } })),
    },
    {
      name: 'a loop over a const table of literals, and a hash kept in a typed array',
      pipeline: () =>
        stream()
          .groupBy((e) => `${regionOf(e.sensorId)}/${hashed(e.sensorId)}`)
          .count()
          .sink(embedded.upsert({ table: 't', key: { k: 'key' }, values: { n: 'value' } })),
    },
    {
      name: 'event time from the event, group key a field',
      pipeline: () =>
        stream()
          .withEventTime((e) => e.ts)
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      name: 'new Date built from an event field is deterministic',
      pipeline: () =>
        stream()
          .withEventTime((e) => new Date(e.ts))
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      name: 'a map that stamps the clock into a field nobody keys on',
      pipeline: () =>
        stream()
          .map((e) => ({ ...e, seenAt: Date.now() }))
          .withEventTime((e) => e.ts)
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      name: 'a map that overwrites a stamped field with event data',
      pipeline: () =>
        stream()
          .map((e) => ({ ...e, ts: Date.now() }))
          .map((e) => ({ ...e, ts: e.value }))
          .withEventTime((e) => e.ts)
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      name: 'a key function of event fields',
      pipeline: () =>
        stream()
          .groupBy((e) => `${e.sensorId}-${Math.floor(e.ts / 3_600_000)}`)
          .count()
          .sink(embedded.upsert({ table: 't', key: { k: 'key' }, values: { n: 'value' } })),
    },
    {
      name: 'a sink key function of row fields',
      pipeline: () =>
        stream()
          .withEventTime((e) => e.ts)
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(
            embedded.upsert({
              table: 't',
              key: { k: 'key', day: (r) => new Date(r.windowStart).toISOString().slice(0, 10), ts: 'windowStart' },
              values: { n: 'value' },
            }),
          ),
    },
  ],
  invalid: [
    {
      // Round 9 (U9P 10): a comparator answering by chance; the arm a flatMap takes first, then grouped by. Clean before (stash).
      name: 'a flatMap that picks an element after a random sort, grouped by it',
      pipeline: () =>
        stream()
          .flatMap((e) =>
            [e.sensorId, 'spare']
              .sort(() => Math.random() - 0.5) // @random-sort
              .slice(0, 1)
              .map((arm) => ({ ...e, arm })),
          )
          .groupBy('arm')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'group-key', line: lineOf(here, '@random-sort'), column: 16 }],
    },
    {
      name: 'a group key taken first from a list sorted by chance',
      pipeline: () =>
        stream()
          .groupBy((e) => [e.sensorId, 'b'].sort(() => (Math.random() < 0.5 ? -1 : 1))[0]!) // @sorted-key
          .count()
          .sink(upsert),
      errors: [{ messageId: 'group-key', line: lineOf(here, '@sorted-key'), column: 45 }],
    },
    {
      name: 'a group key read from a getter that reads the clock',
      pipeline: () =>
        stream()
          .groupBy((e) => `${partitioning.todayPartition}/${e.sensorId}`) // @getter
          .count()
          .sink(embedded.upsert({ table: 't', key: { k: 'key' }, values: { n: 'value' } })),
      errors: [{ messageId: 'group-key', line: lineOf(here, '@getter'), column: 30 }],
    },
    {
      name: 'a group key from a loop over the machine network interfaces',
      pipeline: () =>
        stream()
          .groupBy((e) => `${nodeAddress()}/${e.sensorId}`) // @interfaces
          .count()
          .sink(embedded.upsert({ table: 't', key: { k: 'key' }, values: { n: 'value' } })),
      errors: [{ messageId: 'group-key', line: lineOf(here, '@interfaces'), column: 30 }],
    },
    {
      name: 'a group key salted by crypto.getRandomValues writing into an array',
      pipeline: () =>
        stream()
          .groupBy((e) => salted(e.sensorId)) // @filled
          .count()
          .sink(embedded.upsert({ table: 't', key: { k: 'key' }, values: { n: 'value' } })),
      errors: [{ messageId: 'group-key', line: lineOf(here, '@filled'), column: 27 }],
    },
    {
      name: 'event time from the clock',
      pipeline: () =>
        stream()
          .withEventTime(() => Date.now()) // @clock-time
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'event-time', line: lineOf(here, '@clock-time') }],
    },
    {
      name: 'the clock enters through an earlier map, then is used as event time',
      pipeline: () =>
        stream()
          .map((e) => ({ ...e, ts: Date.now() })) // @via-map: reported at the clock call, as the lint does
          .withEventTime((e) => e.ts)
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'event-time', line: lineOf(here, '@via-map') }],
    },
    {
      name: 'the clock through a local variable in a block-bodied map',
      pipeline: () =>
        stream()
          .map((e) => {
            const now = performance.now();
            return { sensorId: e.sensorId, at: now };
          })
          .withEventTime(({ at }) => at)
          .window(tumbling(1_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'event-time' }],
    },
    {
      name: 'a random group key',
      pipeline: () =>
        stream()
          .groupBy(() => Math.random())
          .count()
          .sink(embedded.upsert({ table: 't', key: { k: 'key' }, values: { n: 'value' } })),
      errors: [{ messageId: 'group-key' }],
    },
    {
      name: 'a group key field stamped with randomUUID',
      pipeline: () =>
        stream()
          .map((e) => ({ ...e, batch: randomUUID() }))
          .groupBy('batch')
          .count()
          .sink(embedded.upsert({ table: 't', key: { k: 'key' }, values: { n: 'value' } })),
      errors: [{ messageId: 'group-key' }],
    },
    {
      name: "the seed's aggregates snippet: ts bound to new Date() at write time",
      pipeline: () =>
        source
          .socket({ host: 'localhost', port: 9999 })
          .parse(Reading)
          .groupBy('sensorId')
          .count()
          .sink(
            cassandra.upsert({
              keyspace: 'k',
              table: 'sensor_counts',
              key: { sensorid: 'key', ts: () => new Date() }, // @seed
              values: { measurements: 'value' },
            }),
          ),
      errors: [{ messageId: 'sink-key', line: lineOf(here, '@seed') }],
    },
    {
      name: 'an ingest pipeline keyed by a stamped field',
      pipeline: () =>
        stream()
          .map((e) => ({ ...e, at: Date.now() }))
          .sink(embedded.upsert({ table: 't', key: { at: 'at' }, values: { v: 'value' } })),
      errors: [{ messageId: 'sink-key' }],
    },
  ],
});
