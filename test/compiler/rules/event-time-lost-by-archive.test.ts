import { cassandra, embedded, source, tumbling } from 'idemflow';
import rule from '../../../compiler/rules/event-time-lost-by-archive.ts';
import { kafka, lineOf, Reading } from '../../helpers/fixtures.ts';
import { ruleTester } from '../../helpers/rule-tester.ts';

const here = import.meta.url;
const upsert = embedded.upsert({ table: 't', key: { s: 'key', ts: 'windowStart' }, values: { n: 'value' } });
const unwindowed = embedded.upsert({ table: 't', key: { s: 'key' }, values: { n: 'value' } });
const sor = cassandra.systemOfRecord({ keyspace: 'k', table: 'events', id: 'eventId' });
const parsed = () => source.kafka(kafka).parse(Reading);
const enrich = (r: Reading) => ({ ...r, site: r.sensorId.slice(0, 2) });

ruleTester(rule, {
  valid: [
    {
      name: 'archive, then event time',
      pipeline: () =>
        parsed()
          .archive(sor)
          .withEventTime((r) => r.ts)
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      name: 'event time, then archive (repair recomputes it from the same record)',
      pipeline: () =>
        parsed()
          .withEventTime((r) => r.ts)
          .archive(sor)
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      name: 'event time, a filter, then archive: a filter passes the record on unchanged',
      pipeline: () =>
        parsed()
          .withEventTime((r) => r.ts)
          .filter((r) => r.value > 0)
          .archive(sor)
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      name: 'map, event time, archive',
      pipeline: () =>
        parsed()
          .map(enrich)
          .withEventTime((r) => r.ts)
          .archive(sor)
          .window(tumbling(60_000))
          .groupBy('site')
          .count()
          .sink(upsert),
    },
    {
      name: 'event time before a map and the archive, but set again after it',
      pipeline: () =>
        parsed()
          .withEventTime((r) => r.ts)
          .map(enrich)
          .archive(sor)
          .withEventTime((r) => r.ts)
          .window(tumbling(60_000))
          .groupBy('site')
          .count()
          .sink(upsert),
    },
    {
      name: 'event time lost, but no window reads it',
      pipeline: () =>
        parsed()
          .withEventTime((r) => r.ts)
          .map(enrich)
          .archive(sor)
          .groupBy('site')
          .count()
          .sink(unwindowed),
    },
    {
      name: 'no system of record',
      pipeline: () =>
        parsed()
          .withEventTime((r) => r.ts)
          .map(enrich)
          .window(tumbling(60_000))
          .groupBy('site')
          .count()
          .sink(upsert),
    },
  ],
  invalid: [
    {
      name: 'event time, a map, then the archive',
      pipeline: () =>
        parsed()
          .withEventTime((r) => r.ts) // @map-between
          .map(enrich)
          .archive(sor)
          .window(tumbling(60_000))
          .groupBy('site')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'lost', line: lineOf(here, '@map-between') }],
    },
    {
      name: 'a flatMap between, behind a filter',
      pipeline: () =>
        parsed()
          .withEventTime((r) => r.ts)
          .filter((r) => r.value > 0)
          .flatMap((r) => [r, { ...r, sensorId: 'all' }])
          .archive(sor)
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'lost' }],
    },
    {
      name: 'event time set twice, both before a map that precedes the archive',
      pipeline: () =>
        parsed()
          .withEventTime((r) => r.ts)
          .map(enrich)
          .withEventTime((r) => r.ts + 1)
          .map(enrich)
          .archive(sor)
          .window(tumbling(60_000))
          .groupBy('site')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'lost' }],
    },
    {
      name: 'event time on the raw line, before parse',
      pipeline: () =>
        source
          .kafka(kafka)
          .withEventTime((line) => JSON.parse(String(line)).ts as number)
          .parse(Reading)
          .archive(sor)
          .window(tumbling(60_000))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'lost' }],
    },
  ],
});
