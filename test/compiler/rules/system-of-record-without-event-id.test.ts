import { randomUUID } from 'node:crypto';
import { cassandra, embedded, source } from 'idemflow';
import rule from '../../../compiler/rules/system-of-record-without-event-id.ts';
import { kafka, lineOf, Reading } from '../../helpers/fixtures.ts';
import { ruleTester } from '../../helpers/rule-tester.ts';
import { nextSeq, prefixed } from '../../fixtures/call-graph/dsl/value-sources.ts';
import { nextEnvSeq, region } from '../../fixtures/call-graph/dsl/env-state.ts';
import { plainKeyBy, strictKeyBy } from '../../fixtures/call-graph/dsl/key-options.ts';

const here = import.meta.url;
const upsert = embedded.upsert({ table: 't', key: { s: 'key' }, values: { n: 'value' } });
const parsed = () => source.kafka(kafka).parse(Reading);

ruleTester(rule, {
  valid: [
    {
      name: 'id from a function a module-level IIFE made around a constant',
      pipeline: () =>
        parsed()
          .archive(cassandra.systemOfRecord({ keyspace: 'k', table: 'events', id: (e) => prefixed(e.eventId) }))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      name: 'id from an event field and a setting read from process.env (never written by the program)',
      pipeline: () =>
        parsed()
          .archive(cassandra.systemOfRecord({ keyspace: 'k', table: 'events', id: (e) => `${region()}-${e.eventId}` }))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      // Round 8 (U8P s07): a false alarm before (stash): the counter sits under an option no call sets.
      name: 'id from a factory whose counter runs only under an option no call of the program sets',
      pipeline: () =>
        parsed()
          .archive(cassandra.systemOfRecord({ keyspace: 'k', table: 'events', id: plainKeyBy((e) => e.eventId) }))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      name: 'id from an event field',
      pipeline: () =>
        parsed()
          .archive(cassandra.systemOfRecord({ keyspace: 'k', table: 'events', id: 'eventId' }))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      name: 'id computed from event fields',
      pipeline: () =>
        parsed()
          .archive(cassandra.systemOfRecord({ keyspace: 'k', table: 'events', id: (e) => `${e.sensorId}:${e.ts}` }))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
    },
    {
      name: 'no system of record at all (IDEM006 notes it)',
      pipeline: () => parsed().groupBy('sensorId').count().sink(upsert),
    },
  ],
  invalid: [
    {
      name: 'id from a factory whose counter runs under an option this call sets',
      pipeline: () =>
        parsed()
          .archive(
            cassandra.systemOfRecord({
              keyspace: 'k',
              table: 'events',
              id: strictKeyBy((e) => e.eventId, { unique: true }),
            }),
          )
          .groupBy('sensorId')
          .count()
          .sink(upsert),
      errors: [
        {
          messageId: 'nondeterministicId',
          line: lineOf(import.meta.resolve('../../fixtures/call-graph/dsl/key-options.ts'), 'strictKeyBy<T>') + 1,
          column: 46,
        },
      ],
    },
    {
      // Round 9 (U9P 56): process.env outlives the event like a module variable; not followed before (stash).
      name: 'id from a sequence kept in process.env, written back on every call',
      pipeline: () =>
        parsed()
          .archive(
            cassandra.systemOfRecord({ keyspace: 'k', table: 'events', id: (e) => `${e.sensorId}-${nextEnvSeq()}` }), // @env-seq
          )
          .groupBy('sensorId')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'nondeterministicId', line: lineOf(here, '@env-seq'), column: 100 }],
    },
    {
      name: 'id from a counter kept in the closure of a module-level IIFE',
      pipeline: () =>
        parsed()
          .archive(
            cassandra.systemOfRecord({ keyspace: 'k', table: 'events', id: (e) => `${e.sensorId}-${nextSeq()}` }), // @iife
          )
          .groupBy('sensorId')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'nondeterministicId', line: lineOf(here, '@iife') }],
    },
    {
      name: 'no id',
      pipeline: () =>
        parsed()
          .archive(cassandra.systemOfRecord({ keyspace: 'k', table: 'events' })) // @no-id
          .groupBy('sensorId')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'missingId', line: lineOf(here, '@no-id') }],
    },
    {
      name: 'id from randomUUID',
      pipeline: () =>
        parsed()
          .archive(cassandra.systemOfRecord({ keyspace: 'k', table: 'events', id: () => randomUUID() }))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'nondeterministicId' }],
    },
    {
      name: 'id field stamped by an earlier map',
      pipeline: () =>
        parsed()
          .map((e) => ({ ...e, eventId: `${Date.now()}` }))
          .archive(embedded.systemOfRecord({ table: 'events', id: 'eventId' }))
          .groupBy('sensorId')
          .count()
          .sink(upsert),
      errors: [{ messageId: 'nondeterministicId' }],
    },
    {
      name: 'an ingest pipeline with no id',
      pipeline: () => parsed().sink(embedded.systemOfRecord({ table: 'events' })),
      errors: [{ messageId: 'missingId' }],
    },
  ],
});
