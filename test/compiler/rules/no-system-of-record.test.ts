import { embedded, source } from 'idemflow';
import rule from '../../../compiler/rules/no-system-of-record.ts';
import { kafka, Reading } from '../../helpers/fixtures.ts';
import { ruleTester } from '../../helpers/rule-tester.ts';

const upsert = embedded.upsert({ table: 't', key: { s: 'key' }, values: { n: 'value' } });

ruleTester(rule, {
  valid: [
    {
      name: 'archive before aggregating',
      pipeline: () =>
        source
          .kafka(kafka)
          .parse(Reading)
          .archive(embedded.systemOfRecord({ table: 'events', id: 'eventId' }))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      name: 'an ingest pipeline into the system of record',
      pipeline: () =>
        source
          .kafka(kafka)
          .parse(Reading)
          .sink(embedded.systemOfRecord({ table: 'events', id: 'eventId' })),
    },
    {
      name: 'the correcting job reads the system of record',
      pipeline: () =>
        source
          .cassandraTable({ keyspace: 'k', table: 'events' })
          .parse(Reading)
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
  ],
  invalid: [
    {
      name: 'Kafka straight into aggregates',
      pipeline: () => source.kafka(kafka).parse(Reading).groupBy('sensorId').count().sink(upsert),
      errors: [{ messageId: 'noReplay' }],
    },
  ],
});
