import { embedded, source, tumbling } from 'idemflow';
import rule from '../../../compiler/rules/nondeterministic-filter.ts';
import { lineOf, readings } from '../../helpers/fixtures.ts';
import { ruleTester } from '../../helpers/rule-tester.ts';
import { sampled } from '../../fixtures/call-graph/dsl/sampling.ts';

/** Ids this process has counted: a retried batch finds its own records here. */
const seen = new Set<string>();
/** A fixed allow-list: never added to, the same on every run. */
const allowed = new Set(['s1', 's2']);
/** A cache of a deterministic function: filled as it goes, the same answers in any order. */
const lengths = new Map<string, number>();
const lengthOf = (id: string): number => {
  const known = lengths.get(id);
  if (known !== undefined) return known;
  lengths.set(id, id.length);
  return id.length;
};

const here = import.meta.url;
const upsert = embedded.upsert({
  table: 'sensor_counts',
  key: { sensor_id: 'key', ts: 'windowStart' },
  values: { n: 'value' },
});
const stream = () => source.memory(readings).withEventTime((e) => e.ts);

ruleTester(rule, {
  valid: [
    {
      name: 'a flatMap that stamps the clock into the records it passes on (all of them)',
      pipeline: () =>
        stream()
          .flatMap((e) => [{ ...e, seenAt: Date.now() }])
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      name: 'a filter by a fixed allow-list set and a cache of a deterministic function',
      pipeline: () =>
        stream()
          .filter((e) => {
            if (!allowed.has(e.sensorId)) return false;
            return lengthOf(e.eventId) > 0;
          })
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      name: 'a filter on event fields',
      pipeline: () =>
        stream()
          .filter((e) => e.value >= 0)
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      name: 'random log sampling that does not change what the filter keeps',
      pipeline: () =>
        stream()
          .filter((e) => {
            if (Math.random() < 0.01) console.debug('sample', e.sensorId);
            return e.value >= 0;
          })
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      name: 'a random filter with no aggregation after it',
      pipeline: () =>
        stream()
          .filter(() => Math.random() < 0.5)
          .sink(embedded.upsert({ table: 't', key: { id: 'sensorId' }, values: { v: 'value' } })),
    },
  ],
  invalid: [
    {
      name: 'sampling by an early return',
      pipeline: () =>
        stream()
          .filter((e) => {
            if (Math.random() < 0.5) return false; // @early-return
            return e.value >= 0;
          })
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'filter', line: lineOf(here, '@early-return'), column: 17 }],
    },
    {
      name: 'de-duplication through a module-level set the filter adds to',
      pipeline: () =>
        stream()
          .filter((e) => {
            if (seen.has(e.eventId)) return false; // @seen
            seen.add(e.eventId);
            return true;
          })
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'filter', line: lineOf(here, '@seen'), column: 17 }],
    },
    {
      name: 'a flatMap that passes a record on or not by chance',
      pipeline: () =>
        stream()
          .flatMap((e) => (Math.random() < 0.2 ? [e] : [])) // @flat-map
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'flatMap', line: lineOf(here, '@flat-map'), column: 28 }],
    },
    {
      name: 'random sampling before a count',
      pipeline: () =>
        stream()
          .filter(() => Math.random() < 0.1) // @random-filter
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'filter', line: lineOf(here, '@random-filter'), column: 25 }],
    },
    {
      name: 'late events dropped by the processing clock',
      pipeline: () =>
        stream()
          .filter((e) => Date.now() - e.ts < 60_000) // @clock-filter
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'filter', line: lineOf(here, '@clock-filter'), column: 26 }],
    },
    {
      name: 'sampling by a helper of another module, passed by name',
      pipeline: () => stream().filter(sampled).window(tumbling(60_000)).groupBy('sensorId').count().sink(upsert),
      errors: [{ messageId: 'filter', line: 5, column: 10 }],
    },
  ],
});
