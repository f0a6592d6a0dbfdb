import { embedded, source, tumbling } from 'idemflow';
import rule from '../../../compiler/rules/nondeterministic-filter.ts';
import { lineOf, readings } from '../../helpers/fixtures.ts';
import { ruleTester } from '../../helpers/rule-tester.ts';
import { sampled } from '../../fixtures/call-graph/dsl/sampling.ts';

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
