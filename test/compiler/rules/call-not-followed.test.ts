import { embedded, source } from 'idemflow';
import rule from '../../../compiler/rules/call-not-followed.ts';
import { lineOf, readings } from '../../helpers/fixtures.ts';
import { ruleTester } from '../../helpers/rule-tester.ts';
import { h0 } from '../../fixtures/call-graph/dsl/deep-chain.ts';
import { digits, eventMinute } from '../../fixtures/call-graph/dsl/index.ts';

/** Provided by the host at run time: nothing to read. */
declare function shardOf(sensorId: string): string;

const upsert = embedded.upsert({ table: 't', key: { k: 'key' }, values: { n: 'value' } });
const stream = () => source.memory(readings);

ruleTester(rule, {
  valid: [
    {
      name: 'a helper of another module, read to the end',
      pipeline: () =>
        stream()
          .groupBy((e) => `${e.sensorId}/${eventMinute(e.ts)}`)
          .count()
          .sink(upsert),
    },
    {
      name: 'a recursive helper is read once, without a note',
      pipeline: () =>
        stream()
          .groupBy((e) => `${e.sensorId}/${digits(e.ts)}`)
          .count()
          .sink(upsert),
    },
    {
      name: 'methods of data are not helpers',
      pipeline: () =>
        stream()
          .groupBy((e) => e.sensorId.trim().toLowerCase())
          .count()
          .sink(upsert),
    },
  ],
  invalid: [
    {
      name: 'a function declared without a body',
      pipeline: () =>
        stream()
          .groupBy((e) => shardOf(e.sensorId)) // @no-body
          .count()
          .sink(upsert),
      errors: [{ messageId: 'notFollowed', line: lineOf(import.meta.url, '@no-body'), column: 27 }],
    },
    {
      name: 'helpers nested deeper than the bound: noted where the analysis stopped',
      pipeline: () =>
        stream()
          .groupBy(() => h0())
          .count()
          .sink(upsert),
      errors: [{ messageId: 'notFollowed', line: 9, column: 33 }],
    },
  ],
});
