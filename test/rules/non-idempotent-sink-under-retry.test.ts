import { sink, source } from 'idemflow';
import rule from '../../compiler/rules/non-idempotent-sink-under-retry.ts';
import { readings } from '../helpers/fixtures.ts';
import { ruleTester } from '../helpers/rule-tester.ts';

const grouped = () => source.memory(readings).groupBy('sensorId').count();
const write = () => {};

ruleTester(rule, {
  valid: [
    { name: 'idempotent custom sink with retries', pipeline: () => grouped().sink(sink({ write, idempotent: true })) },
    {
      name: 'non-idempotent custom sink without retries',
      pipeline: () => grouped().sink(sink({ write, idempotent: false, retry: 'none' })),
    },
    {
      name: 'idempotent custom sink behind Kafka',
      pipeline: () =>
        source
          .kafka({ brokers: ['b:9092'], topic: 't', groupId: 'g' })
          .groupBy((r) => String(r))
          .count()
          .sink(sink({ write, idempotent: true, retry: 'none' })),
    },
  ],
  invalid: [
    {
      name: 'non-idempotent with the default retry',
      pipeline: () => grouped().sink(sink({ name: 'webhook', write, idempotent: false })),
      errors: [{ messageId: 'retried' }],
    },
    {
      name: 'non-idempotent, retry: none, behind Kafka (replayed from offsets): counted like IDEM001 counts counters',
      pipeline: () =>
        source
          .kafka({ brokers: ['b:9092'], topic: 't', groupId: 'g' })
          .groupBy((r) => String(r))
          .count()
          .sink(sink({ write, idempotent: false, retry: 'none' })),
      errors: [{ messageId: 'replayed' }],
    },
    {
      name: 'non-idempotent, retry: none, behind a socket with a WAL (replayed after a crash)',
      pipeline: () =>
        source
          .socket({ host: '127.0.0.1', port: 9 })
          .withWal({ dir: '/tmp/w' })
          .groupBy((l) => String(l))
          .count()
          .sink(sink({ write, idempotent: false, retry: 'none' })),
      errors: [{ messageId: 'replayed' }],
    },
    {
      name: 'non-idempotent with explicit retries',
      pipeline: () => grouped().sink(sink({ write, idempotent: false, retry: { retries: 5 } })),
      errors: [{ messageId: 'retried' }],
    },
  ],
});
