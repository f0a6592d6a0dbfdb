import { cassandra, source } from 'idemflow';
import rule from '../../../compiler/rules/counter-under-retry.ts';
import { kafka, lineOf, Reading, readings, socket } from '../../helpers/fixtures.ts';
import { ruleTester } from '../../helpers/rule-tester.ts';

const counter = (retry?: 'none') =>
  cassandra.counter({ keyspace: 'k', table: 'visits', key: { country: 'key' }, counter: 'n', retry }); // @counter
const here = import.meta.url;

ruleTester(rule, {
  valid: [
    {
      name: 'upsert of whole aggregates with retries',
      pipeline: () =>
        source
          .memory(readings)
          .groupBy('sensorId')
          .count()
          .sink(cassandra.upsert({ keyspace: 'k', table: 't', key: { s: 'key' }, values: { n: 'value' } })),
    },
    {
      name: 'counter with no retry on a bounded input (IDEM002 warns instead)',
      pipeline: () => source.memory(readings).groupBy('sensorId').count().sink(counter('none')),
    },
    {
      name: 'counter with no retry on a plain receiver',
      pipeline: () => source.socket(socket).parse(Reading).groupBy('sensorId').count().sink(counter('none')),
    },
  ],
  invalid: [
    {
      name: 'counter with the default retry',
      pipeline: () => source.memory(readings).groupBy('sensorId').count().sink(counter()),
      errors: [{ messageId: 'retry', line: lineOf(here, '@counter') }],
    },
    {
      name: "counter fed by Kafka, even without retries (the seed's counters + Direct API)",
      pipeline: () => source.kafka(kafka).parse(Reading).groupBy('sensorId').count().sink(counter('none')), // @kafka
      errors: [{ messageId: 'atLeastOnce', line: lineOf(here, '@kafka') }],
    },
    {
      name: 'counter behind a WAL with retries',
      pipeline: () =>
        source.socket(socket).withWal({ dir: '/tmp/wal' }).parse(Reading).groupBy('sensorId').count().sink(counter()),
      errors: [{ messageId: 'retry' }, { messageId: 'atLeastOnce' }],
    },
    {
      name: 'counter behind a system of record: repair would add every delta again',
      pipeline: () =>
        source
          .memory(readings)
          .archive(cassandra.systemOfRecord({ keyspace: 'k', table: 'events', id: 'eventId' }))
          .groupBy('sensorId')
          .count()
          .sink(counter('none')),
      errors: [{ messageId: 'replay' }],
    },
  ],
});
