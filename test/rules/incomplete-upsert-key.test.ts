import { embedded, source, tumbling } from 'idemflow';
import rule from '../../compiler/rules/incomplete-upsert-key.ts';
import { readings } from '../helpers/fixtures.ts';
import { ruleTester } from '../helpers/rule-tester.ts';

const windowed = () =>
  source
    .memory(readings)
    .withEventTime((e) => e.ts)
    .window(tumbling(60_000))
    .groupBy('sensorId')
    .count();

ruleTester(rule, {
  valid: [
    {
      name: 'key and window in the key',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({ table: 't', key: { sensor_id: 'key', ts: 'windowStart' }, values: { n: 'value' } }),
        ),
    },
    {
      name: 'window end is as good as window start',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({ table: 't', key: { sensor_id: 'key', until: 'windowEnd' }, values: { n: 'value' } }),
        ),
    },
    {
      name: 'a key function that reads the window',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({
            table: 't',
            key: { sensor_id: 'key', day: (r) => Math.floor(r.windowStart / 86_400_000) },
            values: { n: 'value' },
          }),
        ),
    },
    {
      name: 'no window: the group key alone',
      pipeline: () =>
        source
          .memory(readings)
          .groupBy('sensorId')
          .count()
          .sink(embedded.upsert({ table: 't', key: { sensor_id: 'key' }, values: { n: 'value' } })),
    },
  ],
  invalid: [
    {
      name: 'windowed, keyed by the group key only',
      pipeline: () =>
        windowed().sink(
          embedded.upsert({ table: 't', key: { sensor_id: 'key' }, values: { n: 'value', ts: 'windowStart' } }),
        ),
      errors: [{ messageId: 'missingWindow' }],
    },
    {
      name: 'keyed by the window only',
      pipeline: () =>
        windowed().sink(embedded.upsert({ table: 't', key: { ts: 'windowStart' }, values: { n: 'value' } })),
      errors: [{ messageId: 'missingGroupKey' }],
    },
  ],
});
