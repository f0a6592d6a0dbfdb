import { embedded, source } from 'idemflow';
import rule from '../../../compiler/rules/receiver-without-durability.ts';
import { kafka, Reading, socket } from '../../helpers/fixtures.ts';
import { ruleTester } from '../../helpers/rule-tester.ts';

const upsert = embedded.upsert({ table: 't', key: { s: 'key' }, values: { n: 'value' } });
const sor = embedded.systemOfRecord({ table: 'events', id: 'eventId' });

ruleTester(rule, {
  valid: [
    {
      name: 'receiver with a WAL',
      pipeline: () =>
        source.socket(socket).withWal({ dir: '/tmp/wal' }).parse(Reading).groupBy('sensorId').count().sink(upsert),
    },
    {
      name: 'receiver with a system of record',
      pipeline: () => source.socket(socket).parse(Reading).archive(sor).groupBy('sensorId').count().sink(upsert),
    },
    {
      name: 'Kafka replays from offsets',
      pipeline: () => source.kafka(kafka).parse(Reading).groupBy('sensorId').count().sink(upsert),
    },
  ],
  invalid: [
    {
      name: 'plain socket receiver',
      pipeline: () => source.socket(socket).parse(Reading).groupBy('sensorId').count().sink(upsert),
      errors: [{ messageId: 'lost' }],
    },
  ],
});
