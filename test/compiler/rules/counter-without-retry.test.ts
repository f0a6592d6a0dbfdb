import { embedded, source } from 'idemflow';
import rule from '../../../compiler/rules/counter-without-retry.ts';
import { kafka, Reading, readings } from '../../helpers/fixtures.ts';
import { ruleTester } from '../../helpers/rule-tester.ts';

const counter = (retry?: 'none' | { retries: number }) =>
  embedded.counter({ table: 'visits', key: { country: 'key' }, counter: 'n', retry });

ruleTester(rule, {
  valid: [
    {
      name: 'counter with retries (IDEM001 reports it as an error instead)',
      pipeline: () =>
        source
          .memory(readings)
          .groupBy('sensorId')
          .count()
          .sink(counter({ retries: 2 })),
    },
    {
      name: 'counter fed by Kafka (IDEM001)',
      pipeline: () => source.kafka(kafka).parse(Reading).groupBy('sensorId').count().sink(counter('none')),
    },
    {
      name: 'an upsert with no retry',
      pipeline: () =>
        source
          .memory(readings)
          .groupBy('sensorId')
          .count()
          .sink(embedded.upsert({ table: 't', key: { s: 'key' }, values: { n: 'value' }, retry: 'none' })),
    },
  ],
  invalid: [
    {
      name: "the seed's counters with no streaming: no retry",
      pipeline: () => source.memory(readings).groupBy('sensorId').count().sink(counter('none')),
      errors: [{ messageId: 'undercount' }],
    },
    {
      name: 'retries: 0 is no retry',
      pipeline: () =>
        source
          .memory(readings)
          .groupBy('sensorId')
          .sum('value')
          .sink(counter({ retries: 0 })),
      errors: [{ messageId: 'undercount' }],
    },
  ],
});
